# hubwasm: `make demo` runs the product, `make test` runs every test.
# Both install what is missing first (scripts/install_deps.sh, idempotent).

SHELL := /bin/bash
JOBS ?= 2
NATIVE_DIR := build/native
WASM_DIR := build/wasm
ASAN_DIR := build/asan
FUZZ_DIR := build/fuzz
# make fuzz: seconds per target; make test: the smoke pass.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
# emcc needs Debian's node modules (toolchain.md P1).
export NODE_PATH := /usr/share/nodejs
# Tests read shared data from here (models, tokenizer vectors).
export HUBWASM_SHARED ?= $(abspath ../shared)

MODELS_DIR := build/models
MAKE_MODELS := /usr/bin/python3 $(HUBWASM_SHARED)/bench/make_models.py

.PHONY: deps build native wasm models test test-native test-sanitize test-fuzz fuzz fuzz-build test-js test-pack clean

deps:
	@scripts/install_deps.sh

build: deps native wasm

native:
	@test -f $(NATIVE_DIR)/CMakeCache.txt || cmake -S . -B $(NATIVE_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(NATIVE_DIR) -j$(JOBS)

# The .wasm and its glue go into the npm package's dist/.
wasm:
	@test -f $(WASM_DIR)/CMakeCache.txt || emcmake cmake -S . -B $(WASM_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(WASM_DIR) -j$(JOBS) --target hubwasm_wasm
	@mkdir -p js/dist
	cp -u $(WASM_DIR)/wasm/hubwasm.mjs $(WASM_DIR)/wasm/hubwasm.wasm js/dist/

# Random-weight models of real shapes (same weights as safetensors and ONNX).
models: deps
	@test -f $(MODELS_DIR)/hubwasm-bench--minilm-l6/model.safetensors || \
	  $(MAKE_MODELS) --out $(MODELS_DIR) --only minilm-l6 --no-quant --prefix hubwasm-bench--

test: build models test-native test-sanitize test-fuzz test-pack test-js

test-native:
	$(NATIVE_DIR)/hubwasm_tests

# The whole native suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# + LeakSanitizer (g++, -O1): any finding fails the run.
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-sanitize: deps
	@test -f $(ASAN_DIR)/CMakeCache.txt || cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DHUBWASM_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j$(JOBS) --target hubwasm_tests
	$(SANITIZER_ENV) $(ASAN_DIR)/hubwasm_tests

# libFuzzer targets (tests/fuzz, clang 14, ASan + UBSan) and their seed corpora,
# built from the shared fixtures into $(FUZZ_DIR)/corpus.
fuzz-build: deps
	@test -f $(FUZZ_DIR)/CMakeCache.txt || CC=clang-14 CXX=clang++-14 \
	  cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DHUBWASM_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target fuzz_all
	/usr/bin/python3 scripts/fuzz_corpus.py --out $(FUZZ_DIR)/corpus

# FUZZ_SECONDS per target; crash inputs land in $(FUZZ_DIR)/crashes/<target>/
# (keep them in tests/fuzz/regressions/<target>/ once fixed).
fuzz: fuzz-build
	scripts/fuzz.sh run $(FUZZ_SECONDS)

# make test: every kept crash input, then a short run of each target.
test-fuzz: fuzz-build
	scripts/fuzz.sh replay
	scripts/fuzz.sh run $(FUZZ_SMOKE_SECONDS)

test-js:
	node --test --test-reporter=spec tests/js/

# The packed tarball must work when installed into an empty project.
test-pack:
	tests/pack/run.sh

clean:
	rm -rf build js/dist
