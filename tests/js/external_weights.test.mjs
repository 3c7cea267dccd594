// q8 and fp16 loads let the core copy in one tensor at a time from a
// safetensors file kept outside WebAssembly memory (js/src/repo.js,
// src/io/byte_source.h), so WebAssembly memory holds the converted weights
// but never the file; in Node the file stays on disk, so JavaScript does not
// hold it either. A random-weight Llama of about 87 MB (float32) is written
// to a temporary Hub folder; each load runs in a fresh process (WebAssembly
// memory never shrinks and maxRSS never falls, so their values after the
// load are its peaks).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHubServer } from './hub_server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 512, intermediate_size: 1536,
  num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 8000,
  max_position_embeddings: 256, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: false,
  bos_token_id: 1, eos_token_id: 2, torch_dtype: 'float32',
};

// Tensor names and shapes of LlamaForCausalLM for CONFIG.
function llamaTensors(c) {
  const kv = (c.hidden_size / c.num_attention_heads) * c.num_key_value_heads;
  const t = { 'model.embed_tokens.weight': [c.vocab_size, c.hidden_size], 'model.norm.weight': [c.hidden_size],
              'lm_head.weight': [c.vocab_size, c.hidden_size] };
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    Object.assign(t, {
      [`${p}input_layernorm.weight`]: [c.hidden_size], [`${p}post_attention_layernorm.weight`]: [c.hidden_size],
      [`${p}self_attn.q_proj.weight`]: [c.hidden_size, c.hidden_size], [`${p}self_attn.k_proj.weight`]: [kv, c.hidden_size],
      [`${p}self_attn.v_proj.weight`]: [kv, c.hidden_size], [`${p}self_attn.o_proj.weight`]: [c.hidden_size, c.hidden_size],
      [`${p}mlp.gate_proj.weight`]: [c.intermediate_size, c.hidden_size], [`${p}mlp.up_proj.weight`]: [c.intermediate_size, c.hidden_size],
      [`${p}mlp.down_proj.weight`]: [c.hidden_size, c.intermediate_size],
    });
  }
  return t;
}

// A float32 safetensors file: norms 1, other weights uniform in +-0.05 (a fixed LCG, so runs agree).
function writeSafetensors(file, shapes) {
  const header = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const fd = fs.openSync(file, 'w');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeSync(fd, length);
  fs.writeSync(fd, json);
  let state = 12345;
  for (const [name, shape] of Object.entries(shapes)) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 1) values.fill(1);
    else for (let i = 0; i < values.length; i++) { state = (state * 1103515245 + 12345) >>> 0; values[i] = (state / 2 ** 32 - 0.5) * 0.1; }
    fs.writeSync(fd, new Uint8Array(values.buffer));
  }
  fs.closeSync(fd);
  return 8 + json.length + offset;
}

let root;
let fileBytes;
let hub;
before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-external-'));
  const dir = path.join(root, 'hubwasm-test--random-llama');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
  fileBytes = writeSafetensors(path.join(dir, 'model.safetensors'), llamaTensors(CONFIG));
  fs.mkdirSync(path.join(root, 'local', 'hubwasm-test'), { recursive: true });  // env.localModelPath layout
  fs.symlinkSync(dir, path.join(root, 'local', 'hubwasm-test', 'random-llama'));
  hub = await startHubServer({ root });
  await loadAll();
});
after(() => {
  hub.close();
  fs.rmSync(root, { recursive: true, force: true });
});

// Loads the model with `dtype` from `source` ('hub' or 'local', see the child) in a fresh Node process;
// returns its report, with the number of downloads of model.safetensors it made.
async function loadInFreshProcess(dtype, { source = 'hub', threads = 1, cacheDir } = {}) {
  const downloadsBefore = weightDownloads();
  const args = [path.join(HERE, 'external_weights_load.mjs'), hub.url, root, dtype, source, threads, ...(cacheDir ? [cacheDir] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
  return { ...JSON.parse(stdout.trim().split('\n').at(-1)), downloads: weightDownloads() - downloadsBefore };
}
const weightDownloads = () => hub.requests.filter((r) => r.method === 'GET' && !r.range && r.path.endsWith('model.safetensors')).length;

// Every load, one process at a time: fp32, fp16 and q8 from the Hub server with the cache off (streamed
// to an anonymous temporary file), q8 through the folder cache twice (streamed into the cache's partial
// entry, then read from the entry), q8 from a local folder, and that again with 2 threads (the threaded
// build reads the file into wasm memory that is a SharedArrayBuffer).
const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
let runs;
let cacheDir;
async function loadAll() {
  cacheDir = path.join(root, 'cache');
  runs = { fp32: await loadInFreshProcess('fp32'), fp16: await loadInFreshProcess('fp16'), q8: await loadInFreshProcess('q8') };
  runs.q8Download = await loadInFreshProcess('q8', { cacheDir });
  runs.q8Cached = await loadInFreshProcess('q8', { cacheDir });
  runs.q8Local = await loadInFreshProcess('q8', { source: 'local' });
  runs.q8LocalThreads = await loadInFreshProcess('q8', { source: 'local', threads: 2 });
  for (const [name, r] of Object.entries(runs)) {
    console.log(`${name}: file ${mib(fileBytes)}, weights ${mib(r.weightBytes)}, wasm memory grew ${mib(r.growth)}, ` +
      `JavaScript ArrayBuffers peaked at ${mib(r.peakArrayBuffers)}, peak RSS ${mib(r.maxRss)}`);
  }
}

test('q8 and fp16 loads grow WebAssembly memory by the converted weights, not the file', () => {
  // fp32 views the file in wasm memory (the runtime's initial free heap absorbs a little of it); q8 and
  // fp16 hold their weights plus at most one tensor being read (the largest here: 8000 x 512 floats,
  // 15.6 MiB) and allocator slack. With the file in wasm memory they would grow by file + weights.
  assert.ok(runs.fp32.growth > 0.75 * fileBytes);
  const largestTensor = 8000 * 512 * 4;
  for (const dtype of ['fp16', 'q8']) {
    assert.ok(runs[dtype].growth < runs[dtype].weightBytes + 2 * largestTensor,
      `${dtype}: grew ${runs[dtype].growth} bytes for ${runs[dtype].weightBytes} bytes of weights`);
  }
  // The bytes reached the core intact: fp16 logits follow fp32's (which read the file in wasm memory)
  // within the f16 rounding of the weights, and q8 within its 8-bit error; the same q8 weights give the
  // same logits whichever way the file came.
  assert.ok(runs.fp16.maxLogitDiff < 2e-3, `fp16 vs fp32 max logit difference ${runs.fp16.maxLogitDiff}`);
  assert.ok(runs.q8.maxLogitDiff < 5e-2, `q8 vs fp32 max logit difference ${runs.q8.maxLogitDiff}`);
  for (const name of ['q8Download', 'q8Cached', 'q8Local']) assert.equal(runs[name].maxLogitDiff, runs.q8.maxLogitDiff, name);
  assert.ok(runs.q8LocalThreads.maxLogitDiff < 5e-2, `q8 with 2 threads vs fp32 max logit difference ${runs.q8LocalThreads.maxLogitDiff}`);
});

test('in Node, q8 and fp16 weight files stay on disk, whether downloaded, cached or local', () => {
  assert.deepEqual(Object.values(runs).map((r) => r.downloads), [1, 1, 1, 1, 0, 0, 0]);
  for (const [name, r] of Object.entries(runs)) {
    if (name === 'fp32') continue;
    // JavaScript holds no more than in an fp32 load, which writes the file into wasm memory as it
    // arrives: download chunks awaiting garbage collection, small files. With the file in JavaScript
    // memory its ArrayBuffers would peak higher by the file's size; a quarter of it is ample margin.
    // Peak RSS (wasm memory included) then stays below fp32's, whose wasm memory holds the whole file;
    // with the file in JavaScript memory it would exceed it by the converted weights (q8: 24.8 MiB).
    const bound = runs.fp32.peakArrayBuffers + fileBytes / 4;
    assert.ok(r.peakArrayBuffers < bound, `${name}: JavaScript ArrayBuffers peaked at ${mib(r.peakArrayBuffers)}`);
    assert.ok(r.maxRss < runs.fp32.maxRss, `${name}: peak RSS ${mib(r.maxRss)}, fp32's ${mib(runs.fp32.maxRss)}`);
    assert.deepEqual(r.openWeightFiles, [], `${name}: files left open after the load`);
  }
  // The verified download became the cache entry, byte for byte, and nothing else is left there.
  const entries = fs.readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => /\.safetensors|\.partial/.test(f));
  assert.deepEqual(entries.map((f) => path.basename(f)), ['model.safetensors']);
  assert.ok(fs.readFileSync(path.join(cacheDir, entries[0])).equals(fs.readFileSync(path.join(root, 'hubwasm-test--random-llama', 'model.safetensors'))));
});

test('a file too large for one JavaScript array is an OUT_OF_MEMORY error naming it', async () => {
  const { memorySink } = await import('../../js/src/download.js');
  const sink = memorySink('org/model/model.safetensors');
  assert.throws(() => sink.allocate(2 ** 53 - 1), (error) => {
    assert.equal(error.code, 'OUT_OF_MEMORY');
    assert.match(error.message, /^org\/model\/model\.safetensors: cannot hold 9007199254740991 bytes in JavaScript memory/);
    return true;
  });
});

test('a weight file of 2 GiB or more stays outside wasm memory with any dtype (wasm32 malloc has no such block)', async () => {
  const { LARGEST_WASM_FILE, weightSink } = await import('../../js/src/repo.js');
  const reserved = [];
  const external = [];
  const native = { HEAPU8: new Uint8Array(64), takeError: () => null };
  const repo = { reserve: (path, n) => { reserved.push([path, n]); return 16; }, addExternal: (path, n) => external.push([path, n]) };
  for (const size of [1000, LARGEST_WASM_FILE, LARGEST_WASM_FILE + 1]) {
    const sink = weightSink(native, repo, 'model.safetensors', 'org/model/model.safetensors', false);
    sink.allocate(size);  // as in browsers; a JavaScript array of 2 GiB is only reserved address space until written
    sink.register();
  }
  assert.ok(LARGEST_WASM_FILE < 2 ** 31);
  assert.deepEqual(reserved, [['model.safetensors', 1000], ['model.safetensors', LARGEST_WASM_FILE]]);
  assert.deepEqual(external, [['model.safetensors', LARGEST_WASM_FILE + 1]]);
  // In Node such a file stays on disk (adoptFile), as q8 / fp16 files of any size (size null: unknown).
  const fp32 = weightSink(native, repo, 'model.safetensors', 'org/model/model.safetensors', false);
  assert.deepEqual([1000, LARGEST_WASM_FILE, LARGEST_WASM_FILE + 1, null].map(fp32.wantsFile), [false, false, true, false]);
  const q8 = weightSink(native, repo, 'model.safetensors', 'org/model/model.safetensors', true);
  assert.deepEqual([1000, null].map(q8.wantsFile), [true, true]);
});
