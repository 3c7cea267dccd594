#!/usr/bin/env bash
# The `npm pack` tarball of js/, installed into an empty project, must work on
# its own: in Node, type-checked with TypeScript, and bundled by Vite for a
# browser page. Nothing is downloaded at install time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$repo/js" && npm pack --silent --pack-destination "$work")
echo "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"
cd "$work"
npm init -y >/dev/null
# Its dependencies come packed from the repo's node_modules: an offline install
# of the tarball alone needs their registry metadata in npm's cache, which
# `npm ci` (scripts/install_deps.sh) does not put there.
deps=()
for dep in $(node -p "Object.keys(require('$repo/js/package.json').dependencies ?? {}).join(' ')"); do
  deps+=("./$(npm pack --silent "$repo/node_modules/$dep")")
done
npm install --silent --offline --no-audit --no-fund "${deps[@]}" "./$tarball"

# Node 20
cp "$repo/tests/pack/smoke.test.mjs" .
HUB_SERVER_MODULE="$repo/tests/js/hub_server.mjs" node --test smoke.test.mjs

# TypeScript declarations
cp "$repo/tests/pack/usage.ts" .
node "$repo/node_modules/typescript/bin/tsc" --noEmit --strict --target es2022 --module nodenext \
  --moduleResolution nodenext --skipLibCheck false usage.ts
echo "types: usage.ts type-checks against the installed declarations"

# Vite production build, run in headless Chromium
cp -r "$repo/tests/pack/vite-app" .
node "$repo/node_modules/vite/bin/vite.js" build vite-app --outDir "$work/vite-dist" --logLevel warn
VITE_DIST="$work/vite-dist" node --test "$repo/tests/pack/vite.test.mjs"
