// Allocation failure in WebAssembly, on purpose (the core's allocation-limit
// test hook) at every accounted allocation of a load, and for real (memory
// growth past the 4 GB maximum): each is an OUT_OF_MEMORY HubwasmError, the
// memory in use returns to its baseline, and the next load works and gives
// the same result.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AutoModelForCausalLM, AutoTokenizer, HubwasmError, env, wasmMemoryInUse } from 'hubwasm';
import { getRuntime } from '../../js/src/runtime.js';
import { startHubServer } from './hub_server.mjs';

// Allocator bookkeeping may move by a few KB; a leaked model would be >= 400 KB.
const BOUND_BYTES = 64 * 1024;
const LLAMA = 'hubwasm-fixtures/micro-llama';
const PROMPT = 'The quick brown fox';
const OPTIONS = { max_new_tokens: 4, eos_token_id: [] };
let hub;
let native;

before(async () => {
  hub = await startHubServer();
  env.remoteHost = hub.url;
  env.useFSCache = false;
  native = await getRuntime();
});
after(async () => {
  native.setAllocationLimitForTests(-1, -1);
  await hub.close();
});

/**
 * Loads the tokenizer, then the model (q8 unless said), and generates;
 * returns the generated text. `stage` tracks the step. One after the other
 * (not as pipeline() does, side by side) so that the allocations come in
 * the same order in every run and the sweep below fails each one once.
 */
async function loadAndRun(progress, dtype = 'q8') {
  progress.stage = 'load';
  const tokenizer = await AutoTokenizer.from_pretrained(LLAMA);
  let model = null;
  try {
    model = await AutoModelForCausalLM.from_pretrained(LLAMA, { dtype });
    progress.stage = 'first inference';
    const output = await model.generate({ ...tokenizer(PROMPT), ...OPTIONS });
    return tokenizer.batch_decode(output, { skip_special_tokens: true });
  } finally {
    await model?.dispose();
    tokenizer.dispose();
  }
}

// Which stage of a load an OUT_OF_MEMORY message comes from (the core names what it allocated).
function loadStage(message) {
  if (/safetensors header: cannot allocate/.test(message)) return 'safetensors parse';
  if (/tokenizer: cannot allocate/.test(message)) return 'tokenizer';
  if (/cannot allocate \d+ bytes for a tensor/.test(message)) return 'weights and model build';
  if (/(config\.json|generation_config\.json|model\.safetensors|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json): cannot allocate \d+ bytes$/.test(message)) return 'file buffers';
  return `unexpected: ${message}`;
}

test('allocation failure at each stage of a load: OUT_OF_MEMORY, memory back to baseline, the next load works', async () => {
  const progress = {};
  const expected = await loadAndRun(progress);  // also sets up the runtime's own allocations
  const baseline = await wasmMemoryInUse();
  const failures = {};
  // Every allocation of the load and of the first inference (a handful: the
  // KV cache and the workspace slots of the forward pass).
  for (let calls = 0, done = false; !done; ++calls) {
    assert.ok(calls < 5000);
    native.setAllocationLimitForTests(-1, calls);
    try {
      assert.deepEqual(await loadAndRun(progress), expected);
      done = true;
    } catch (error) {
      if (!(error instanceof HubwasmError)) throw error;
      assert.equal(error.code, 'OUT_OF_MEMORY', error.message);
      const stage = progress.stage === 'load' ? loadStage(error.message) : 'first inference';
      failures[stage] = (failures[stage] ?? 0) + 1;
    } finally {
      native.setAllocationLimitForTests(-1, -1);
    }
    assert.ok(Math.abs((await wasmMemoryInUse()) - baseline) < BOUND_BYTES, `memory not back to baseline after failing allocation ${calls}`);
  }
  console.log('failed allocations by stage:', JSON.stringify(failures));
  assert.deepEqual(Object.keys(failures).sort(),
    ['file buffers', 'first inference', 'safetensors parse', 'tokenizer', 'weights and model build']);
  assert.equal(native.allocatedBytesForTests(), 0);
  assert.deepEqual(await loadAndRun(progress), expected);
});

test('a byte cap below what the model needs: OUT_OF_MEMORY naming the file, then the next load works', async () => {
  // fp32 views the file in wasm memory (q8 reads it from JavaScript a tensor at a time).
  const progress = {};
  const expected = await loadAndRun(progress, 'fp32');
  const baseline = await wasmMemoryInUse();
  native.setAllocationLimitForTests(1 << 20, -1);  // the micro Llama's model.safetensors is 1.3 MB
  try {
    await assert.rejects(loadAndRun(progress, 'fp32'), (error) => {
      assert.equal(error.code, 'OUT_OF_MEMORY');
      assert.match(error.message, /model\.safetensors: cannot allocate 1322344 bytes/);
      return true;
    });
  } finally {
    native.setAllocationLimitForTests(-1, -1);
  }
  assert.ok(Math.abs((await wasmMemoryInUse()) - baseline) < BOUND_BYTES);
  assert.deepEqual(await loadAndRun(progress, 'fp32'), expected);
});

test('real malloc failure (memory growth past the 4 GB maximum) is OUT_OF_MEMORY, not an abort', async () => {
  const baseline = await wasmMemoryInUse();
  const repo = new native.Repo();
  try {
    // 4,000,000,000 bytes fit in wasm32's size_t but not next to the heap in 4 GB.
    assert.equal(repo.reserve('huge.safetensors', 4e9), 0);
    const error = native.takeError();
    assert.equal(error.code, 'OUT_OF_MEMORY');
    assert.match(error.message, /huge\.safetensors: cannot allocate 4000000000 bytes/);
    // 1 GiB blocks (never written, so cheap) grow the memory until the 4 GB maximum refuses one.
    let blocks = 0;
    while (repo.reserve(`shard-${blocks}.safetensors`, 2 ** 30) !== 0) {
      blocks++;
      assert.ok(blocks <= 4, 'more than 4 GiB allocated in wasm32');
    }
    const growth = native.takeError();
    assert.equal(growth.code, 'OUT_OF_MEMORY');
    assert.match(growth.message, new RegExp(`shard-${blocks}\\.safetensors: cannot allocate 1073741824 bytes`));
    console.log(`real malloc failure: ${blocks} blocks of 1 GiB allocated, the next one refused`);
    assert.ok(blocks >= 2);
  } finally {
    repo.delete();
  }
  assert.ok(Math.abs((await wasmMemoryInUse()) - baseline) < BOUND_BYTES);
  const progress = {};
  assert.equal((await loadAndRun(progress))[0].startsWith(PROMPT), true);
});
