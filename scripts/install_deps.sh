#!/usr/bin/env bash
# Installs what the build, tests and demo need; run at the start of every
# `make build|test|demo`, so it must be idempotent and take about a second when
# nothing is missing (no apt-get update, no npm on that path).
#   1. Debian packages (toolchain, libraries, Chromium, Node).
#   2. Debian source tarballs of sentencepiece, utf8proc, pcre2 and libmd into third_party/src/
#      built for wasm by cmake/ThirdPartyWasm.cmake.
#   3. npm packages of the workspace (npm ci) when package-lock.json changed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

# --- 1. Debian packages ------------------------------------------------------
packages=(emscripten libeigen3-dev nlohmann-json3-dev catch2 libsentencepiece-dev
          sentencepiece cmake g++ clang chromium libutf8proc-dev libpcre2-dev
          # tests/fuzz: clang-14 with libFuzzer and the sanitizer runtimes.
          clang-14 libclang-rt-14-dev
          # ../shared/bench/make_models.py (bench-sized test models): torch, onnx, and
          # vim-runtime for the text its tokenizers are trained on.
          python3-torch python3-onnx python3-numpy vim-runtime)
# Node may come from nodesource (its own nodejs package with npm inside):
# only fall back to Debian's when no usable node/npm is on the PATH.
if ! command -v node >/dev/null || (( $(node -p 'process.versions.node.split(".")[0]') < 18 )); then
  packages+=(nodejs)
fi
command -v npm >/dev/null || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null) == ii* ]] || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "install_deps: installing ${missing[*]}"
  apt-get update
  apt-get install -y "${missing[@]}"
fi

# --- 2. Debian source tarballs -------------------------------------------------
src_dir="$repo/third_party/src"
have_orig() { compgen -G "$src_dir/$1_*.orig.tar.gz" >/dev/null || compgen -G "$src_dir/$1_*.orig.tar.xz" >/dev/null; }
if ! have_orig sentencepiece || ! have_orig utf8proc || ! have_orig pcre2 || ! have_orig libmd; then
  mkdir -p "$src_dir"
  # A private deb-src list, index dir and no package caches: the system's apt
  # sources, lists and caches stay untouched.
  apt_dir=$(mktemp -d)
  trap 'rm -rf "$apt_dir"' EXIT
  mkdir -p "$apt_dir/lists/partial"
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  cat >"$apt_dir/deb-src.sources" <<SOURCES
Types: deb-src
URIs: $mirror
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/deb-src.sources" -o Dir::Etc::sourceparts=-
            -o "Dir::State::Lists=$apt_dir/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
  apt-get "${apt_opts[@]}" update
  # As root apt warns "Download is performed unsandboxed as root": harmless.
  (cd "$src_dir" && apt-get "${apt_opts[@]}" source --download-only sentencepiece utf8proc pcre2 libmd)
  sha256sum "$src_dir"/sentencepiece_*.orig.tar.gz "$src_dir"/utf8proc_*.orig.tar.gz "$src_dir"/pcre2_*.orig.tar.gz "$src_dir"/libmd_*.orig.tar.xz
fi

# --- 3. npm workspace ----------------------------------------------------------
# npm writes node_modules/.package-lock.json last, so it is newer than
# package-lock.json exactly when the install matches the lock file.
if [[ ! -e "$repo/node_modules/.package-lock.json" ||
      "$repo/package-lock.json" -nt "$repo/node_modules/.package-lock.json" ]]; then
  # --ignore-scripts: onnxruntime-node's install script downloads GPU binaries.
  (cd "$repo" && npm ci --ignore-scripts)
fi
