// A model too large for WebAssembly memory is refused before its weights are
// downloaded (js/src/memory_budget.js estimates from the safetensors headers,
// read by Range requests), with a MODEL_TOO_LARGE error naming what it needs,
// the limit and the dtypes that would fit. Against the local Hub server with
// a real Hub repo (hf-internal-testing/tiny-random-LlamaForCausalLM, f16
// weights) and the limit lowered through env.backends.wasm.memoryLimit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { AutoModel, AutoModelForCausalLM, HubwasmError, env } from 'hubwasm';
import { DTYPES, RUNTIME_BYTES, WASM32_MEMORY_LIMIT, estimateMemory, largestParameters } from '../../js/src/memory_budget.js';
import { startHubServer } from './hub_server.mjs';
import { modelDir } from './reference.mjs';

const LLAMA = 'hf-internal-testing/tiny-random-LlamaForCausalLM';
const llamaDir = modelDir('hf-internal-testing--tiny-random-LlamaForCausalLM');
const llamaConfig = JSON.parse(fs.readFileSync(path.join(llamaDir, 'config.json'), 'utf8'));

// The header as the test reads it from disk (independently of the Range requests).
function headerOf(file) {
  const bytes = fs.readFileSync(file);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString());
  delete header.__metadata__;
  return { tensors: Object.values(header), fileBytes: bytes.length };
}
const llama = headerOf(path.join(llamaDir, 'model.safetensors'));
const estimates = Object.fromEntries(DTYPES.map((dtype) => [dtype, estimateMemory({ ...llama, config: llamaConfig, dtype })]));

let hub;
const defaultLimit = env.backends.wasm.memoryLimit;
before(async () => {
  hub = await startHubServer();
  env.remoteHost = hub.url;
  env.useFSCache = false;
  env.allowLocalModels = false;
});
beforeEach(() => { hub.requests.length = 0; });
after(async () => {
  env.backends.wasm.memoryLimit = defaultLimit;
  await hub.close();
});

const weightRequests = () => hub.requests.filter((r) => r.path.endsWith('.safetensors'));

test('the estimate counts every parameter and the files as stored', () => {
  // Parameters: the product of each tensor's shape, summed (all tensors are f16 here).
  const parameters = llama.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  assert.ok(llama.tensors.every((t) => t.dtype === 'F16'));
  const largest = Math.max(...llama.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1) * 2));
  for (const dtype of DTYPES) {
    assert.equal(estimates[dtype].parameters, parameters);
    // fp32 views the file in wasm memory; q8 and fp16 read it from JavaScript one tensor at a time.
    assert.equal(estimates[dtype].files, dtype === 'fp32' ? llama.fileBytes : largest);
    assert.equal(estimates[dtype].runtime, RUNTIME_BYTES);
    // KV cache: 2 (k, v) x layers x kv heads x head_dim x min(positions, 4096) tokens x 4 bytes.
    assert.equal(estimates[dtype].kvCache, 2 * 2 * 1 * 16 * 2048 * 4);
  }
  // fp32 widens every f16 parameter to 4 bytes; fp16 copies matrices as f16 and vectors as f32.
  assert.equal(estimates.fp32.weights, parameters * 4);
  const vectorParams = llama.tensors.filter((t) => t.shape.length !== 2).reduce((n, t) => n + t.shape[0], 0);
  assert.equal(estimates.fp16.weights, (parameters - vectorParams) * 2 + vectorParams * 4);
  assert.ok(estimates.q8.total < estimates.fp16.total && estimates.fp16.total < estimates.fp32.total);
});

test('a decoder too large for the limit is refused before any weight is downloaded, naming the dtypes that fit', async () => {
  env.backends.wasm.memoryLimit = Math.round((estimates.q8.total + estimates.fp32.total) / 2);
  await assert.rejects(AutoModelForCausalLM.from_pretrained(LLAMA), (error) => {
    assert.ok(error instanceof HubwasmError);
    assert.equal(error.code, 'MODEL_TOO_LARGE');
    assert.equal(error.needed, estimates.fp32.total);
    assert.equal(error.limit, env.backends.wasm.memoryLimit);
    assert.deepEqual(error.fits, ['fp16', 'q8']);
    assert.match(error.message, /tiny-random-LlamaForCausalLM needs about [\d.]+ MiB of WebAssembly memory with dtype 'fp32'/);
    assert.match(error.message, /more than the [\d.]+ MiB limit; dtype 'fp16' \(about [\d.]+ MiB\) or 'q8' \(about [\d.]+ MiB\) would fit/);
    return true;
  });
  // Only the two Range requests for the header (length, then JSON): no download.
  assert.deepEqual(weightRequests().map((r) => [r.status, r.range]), [[206, 'bytes=0-7'], [206, `bytes=8-${7 + Number(fs.readFileSync(path.join(llamaDir, 'model.safetensors')).readBigUInt64LE(0))}`]]);

  // The dtype the error suggests loads under the same limit and runs.
  hub.requests.length = 0;
  const model = await AutoModelForCausalLM.from_pretrained(LLAMA, { dtype: 'q8' });
  try {
    const { logits } = await model({ input_ids: [[1, 2, 3]] });
    assert.deepEqual(logits.dims, [1, 3, 32000]);
  } finally {
    await model.dispose();
  }
  assert.deepEqual(weightRequests().map((r) => r.status), [206, 206, 200]);
});

test('an encoder under a limit below the runtime headroom: no dtype fits', async () => {
  env.backends.wasm.memoryLimit = 64 * 2 ** 20;
  await assert.rejects(AutoModel.from_pretrained('hubwasm-fixtures/micro-bert'), (error) => {
    assert.equal(error.code, 'MODEL_TOO_LARGE');
    assert.deepEqual(error.fits, []);
    assert.match(error.message, /no dtype fits \('fp32': [\d.]+ MiB, 'fp16': [\d.]+ MiB, 'q8': [\d.]+ MiB\)/);
    return true;
  });
  assert.ok(weightRequests().every((r) => r.status === 206 && r.range));
  env.backends.wasm.memoryLimit = defaultLimit;
  const model = await AutoModel.from_pretrained('hubwasm-fixtures/micro-bert');
  await model.dispose();
});

test("README's table of the largest model per dtype comes from memory_budget.js", () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const dtype of DTYPES) {
    for (const stored of ['F32', 'BF16']) {
      const millions = Math.floor(largestParameters(dtype, stored, WASM32_MEMORY_LIMIT) / 1e6);
      const row = new RegExp(`^\\| \`${dtype}\` \\| ${stored} \\| ${millions.toLocaleString('en-US')}M \\|`, 'm');
      assert.match(readme, row, `README row for ${dtype} from ${stored}`);
    }
  }
});

test('a Range request for the header that fails (500, connection reset) is retried, then the load goes on', async () => {
  env.backends.wasm.memoryLimit = defaultLimit;
  const retryDelayMs = env.retryDelayMs;
  env.retryDelayMs = 1;
  try {
    for (const kind of ['status:500', 'reset']) {
      hub.requests.length = 0;
      hub.setFaults([{ match: /model\.safetensors$/, kind, times: 1, ranged: true }]);
      const model = await AutoModelForCausalLM.from_pretrained(LLAMA, { dtype: 'q8' });
      try {
        const { logits } = await model({ input_ids: [[1, 2, 3]] });
        assert.deepEqual(logits.dims, [1, 3, 32000]);
      } finally {
        await model.dispose();
      }
      // The first (length) request failed and was sent again; then the JSON header; then the download.
      const log = weightRequests().map((r) => [r.status, r.range ?? 'all']);
      const length = `bytes=8-${7 + Number(fs.readFileSync(path.join(llamaDir, 'model.safetensors')).readBigUInt64LE(0))}`;
      assert.deepEqual(log, [[kind === 'reset' ? 206 : 500, 'bytes=0-7'], [206, 'bytes=0-7'], [206, length], [200, 'all']], kind);
    }
  } finally {
    hub.setFaults([]);
    env.retryDelayMs = retryDelayMs;
  }
});
