# hubwasm: `make demo` runs the product, `make test` runs every test.
# Both install what is missing first (scripts/install_deps.sh, idempotent).

SHELL := /bin/bash
JOBS ?= 2
NATIVE_DIR := build/native
WASM_DIR := build/wasm
WASM_MT_DIR := build/wasm-mt
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

.PHONY: deps build native wasm wasm-mt models fixtures bench bench-models bench-kernels test test-native \
        test-sanitize test-fuzz fuzz fuzz-build test-js test-pack clean

deps:
	@scripts/install_deps.sh

build: deps native wasm wasm-mt

native:
	@test -f $(NATIVE_DIR)/CMakeCache.txt || cmake -S . -B $(NATIVE_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(NATIVE_DIR) -j$(JOBS)

# The .wasm and its glue go into the npm package's dist/.
wasm:
	@test -f $(WASM_DIR)/CMakeCache.txt || emcmake cmake -S . -B $(WASM_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(WASM_DIR) -j$(JOBS) --target hubwasm_wasm hubwasm_sha256
	@mkdir -p js/dist
	cp -u $(WASM_DIR)/wasm/hubwasm.mjs $(WASM_DIR)/wasm/hubwasm.wasm $(WASM_DIR)/wasm/sha256.wasm js/dist/

# The pthreads variant (js/src/runtime.js picks it when threads are possible):
# hubwasm-mt.mjs for browsers, hubwasm-mt-node.cjs for Node, one .wasm. Node
# must read the Node glue's worker as CommonJS, hence .cjs (the package is
# "type": "module").
wasm-mt:
	@test -f $(WASM_MT_DIR)/CMakeCache.txt || \
	  emcmake cmake -S . -B $(WASM_MT_DIR) -DCMAKE_BUILD_TYPE=Release -DHUBWASM_WASM_THREADS=ON
	cmake --build $(WASM_MT_DIR) -j$(JOBS) --target hubwasm_wasm hubwasm_wasm_node
	cmp $(WASM_MT_DIR)/wasm/hubwasm-mt.wasm $(WASM_MT_DIR)/wasm/hubwasm-mt-node.wasm
	@mkdir -p js/dist
	cp -u $(WASM_MT_DIR)/wasm/hubwasm-mt.mjs $(WASM_MT_DIR)/wasm/hubwasm-mt.wasm \
	  $(WASM_MT_DIR)/wasm/hubwasm-mt.worker.js $(WASM_MT_DIR)/wasm/hubwasm-mt-node.cjs js/dist/
	cp -u $(WASM_MT_DIR)/wasm/hubwasm-mt-node.worker.js js/dist/hubwasm-mt-node.worker.cjs

# Random-weight models of real shapes (same weights as safetensors and ONNX).
models: deps
	@test -f $(MODELS_DIR)/hubwasm-bench--minilm-l6/model.safetensors || \
	  $(MAKE_MODELS) --out $(MODELS_DIR) --only minilm-l6 --no-quant --prefix hubwasm-bench--

# Micro encoder fixtures (every head; bert, distilbert, roberta, xlm-roberta, electra, albert, mpnet,
# deberta-v2) and decoder fixtures (mistral, qwen2) with torch references and ONNX exports of the
# same weights (tests/fixtures/).
FIXTURES_DIR := build/fixtures
fixtures: deps
	@test -f $(FIXTURES_DIR)/hubwasm-fixtures--micro-electra-qa/ref/encoder.json -a \
	  $(FIXTURES_DIR)/hubwasm-fixtures--micro-electra-qa/ref/encoder.json -nt tests/fixtures/make_encoder_fixtures.py || \
	  /usr/bin/python3 tests/fixtures/make_encoder_fixtures.py --out $(FIXTURES_DIR) --shared $(HUBWASM_SHARED)
	@test -f $(FIXTURES_DIR)/hubwasm-fixtures--micro-qwen2/ref/greedy.json -a \
	  $(FIXTURES_DIR)/hubwasm-fixtures--micro-qwen2/ref/greedy.json -nt tests/fixtures/make_decoder_fixtures.py || \
	  /usr/bin/python3 tests/fixtures/make_decoder_fixtures.py --out $(FIXTURES_DIR) --shared $(HUBWASM_SHARED)

# Benchmarks (not part of `make test`): kernel micro-benchmarks natively and
# as wasm in Node, then hubwasm vs transformers.js on the same weights
# (encoders in Node, decoders in Node, also after a long prompt, encoders in Chromium), then tokenizer
# throughput vs @huggingface/tokenizers.
bench-models: models
	@test -f $(MODELS_DIR)/hubwasm-bench--bert-base/model.safetensors || \
	  $(MAKE_MODELS) --out $(MODELS_DIR) --only bert-base --no-quant --prefix hubwasm-bench--
	@for m in gpt2 tiny-llama; do test -f $(MODELS_DIR)/hubwasm-bench--$$m/onnx/model_quantized.onnx || \
	  $(MAKE_MODELS) --out $(MODELS_DIR) --only $$m --prefix hubwasm-bench-- || exit 1; done
	@test -f $(MODELS_DIR)/hubwasm-bench--llama-1b/config.json || \
	  /usr/bin/python3 bench/make_llama_1b.py --out $(MODELS_DIR) --shared $(HUBWASM_SHARED)

bench-kernels: native wasm
	cmake --build $(NATIVE_DIR) -j$(JOBS) --target hubwasm_kernel_bench
	cmake --build $(WASM_DIR) -j$(JOBS) --target hubwasm_kernel_bench hubwasm_gemm_tiles
	$(NATIVE_DIR)/hubwasm_kernel_bench
	node $(WASM_DIR)/hubwasm_kernel_bench.cjs
	node $(WASM_DIR)/hubwasm_gemm_tiles.cjs

bench: bench-models bench-kernels
	node bench/run_bench.mjs --models $(MODELS_DIR)
	node bench/decode_bench.mjs --models $(MODELS_DIR) --only gpt2,tiny-llama,llama-1b
	node bench/long_prompt_bench.mjs --models $(MODELS_DIR) --only gpt2
	node bench/browser_bench.mjs --models $(MODELS_DIR) --only minilm-l6,bert-base,gpt2
	node bench/tokenizers_bench.mjs
	node bench/large_batch_bench.mjs --models $(MODELS_DIR)
	node bench/download_hash_bench.mjs --models $(MODELS_DIR)

test: build models fixtures test-native test-sanitize test-fuzz test-pack test-js

test-native:
	$(NATIVE_DIR)/hubwasm_tests

# The whole native suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# + LeakSanitizer (clang, -O1): any finding fails the run. Every malloc is
# filled with 0xbe (not only its first 4 KB), so a buffer allocated
# uninitialized and not written whole gives wrong values, not zeros.
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1:malloc_fill_byte=190:max_malloc_fill_size=2147483647 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# It uses the fuzz tree (clang, ASan + UBSan), which saves a third native build.
test-sanitize: fuzz-build
	$(SANITIZER_ENV) $(FUZZ_DIR)/hubwasm_tests

# libFuzzer targets (tests/fuzz, clang 14, ASan + UBSan) and their seed corpora,
# built from the shared fixtures into $(FUZZ_DIR)/corpus.
fuzz-build: deps
	@test -f $(FUZZ_DIR)/CMakeCache.txt || CC=clang-14 CXX=clang++-14 \
	  cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DHUBWASM_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target fuzz_all hubwasm_tests
	/usr/bin/python3 scripts/fuzz_corpus.py --out $(FUZZ_DIR)/corpus

# FUZZ_SECONDS per target; crash inputs land in $(FUZZ_DIR)/crashes/<target>/
# (keep them in tests/fuzz/regressions/<target>/ once fixed).
fuzz: fuzz-build
	scripts/fuzz.sh run $(FUZZ_SECONDS)

# make test: every kept crash input, then a short run of each target; a fixed
# seed keeps the pass repeatable.
SMOKE_TARGETS := fuzz_safetensors fuzz_config fuzz_tokenizer_json fuzz_tokenizer_config fuzz_sentencepiece fuzz_repo
test-fuzz: fuzz-build
	scripts/fuzz.sh replay
	FUZZ_SEED=1 scripts/fuzz.sh run $(FUZZ_SMOKE_SECONDS) $(SMOKE_TARGETS)

test-js:
	node --test --test-reporter=spec tests/js/

# The Space-like demo page (issue 7): web-demo/server.mjs serves it with COOP/COEP on http://127.0.0.1:8080/.
# Settings, as make variables or environment: PORT (8080), HUB_URL, HUB_DIR, MODEL; with neither
# HUB_URL nor HUB_DIR and no answer from huggingface.co, it serves ../shared/models instead.
.PHONY: demo
demo: build
	PORT="$(PORT)" HUB_URL="$(HUB_URL)" HUB_DIR="$(HUB_DIR)" MODEL="$(MODEL)" node web-demo/server.mjs

# The packed tarball must work when installed into an empty project.
test-pack:
	tests/pack/run.sh

clean:
	rm -rf build js/dist
