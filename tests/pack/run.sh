#!/usr/bin/env bash
# `npm pack` of js/ installed into an empty project must work on its own: the
# .wasm is inside the tarball and nothing is downloaded at install time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$repo/js" && npm pack --silent --pack-destination "$work")
echo "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"
cd "$work"
npm init -y >/dev/null
npm install --silent --offline --no-audit --no-fund "./$tarball"
cp "$repo/tests/pack/smoke.test.mjs" .
HUB_SERVER_MODULE="$repo/tests/js/hub_server.mjs" node --test smoke.test.mjs
