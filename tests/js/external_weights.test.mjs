// q8 and fp16 loads keep the downloaded safetensors in JavaScript memory and
// let the core copy out one tensor at a time, so WebAssembly memory holds the
// converted weights but never the file (js/src/repo.js, src/io/byte_source.h).
// A random-weight Llama of about 87 MB (float32) is written to a temporary Hub
// folder; each dtype is loaded in a fresh process (WebAssembly memory never
// shrinks, so its final size is the load's peak).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

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
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-external-'));
  const dir = path.join(root, 'hubwasm-test--random-llama');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
  fileBytes = writeSafetensors(path.join(dir, 'model.safetensors'), llamaTensors(CONFIG));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

// Loads the model with `dtype` in a fresh Node process; returns its report.
function loadInFreshProcess(dtype) {
  const r = spawnSync(process.execPath, [path.join(HERE, 'external_weights_load.mjs'), root, dtype], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

test('q8 and fp16 loads grow WebAssembly memory by the converted weights, not the file', () => {
  const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const runs = Object.fromEntries(['fp32', 'fp16', 'q8'].map((dtype) => [dtype, loadInFreshProcess(dtype)]));
  for (const [dtype, r] of Object.entries(runs)) {
    console.log(`${dtype}: file ${mib(fileBytes)}, weights ${mib(r.weightBytes)}, wasm memory grew ${mib(r.growth)} while loading`);
  }
  // fp32 views the file in wasm memory (the runtime's initial free heap absorbs a little of it); q8 and
  // fp16 hold their weights plus at most one tensor being read (the largest here: 8000 x 512 floats,
  // 15.6 MiB) and allocator slack. With the file in wasm memory they would grow by file + weights.
  assert.ok(runs.fp32.growth > 0.75 * fileBytes);
  const largestTensor = 8000 * 512 * 4;
  for (const dtype of ['fp16', 'q8']) {
    assert.ok(runs[dtype].growth < runs[dtype].weightBytes + 2 * largestTensor,
      `${dtype}: grew ${runs[dtype].growth} bytes for ${runs[dtype].weightBytes} bytes of weights`);
  }
  // The bytes came through the JavaScript reader intact: fp16 logits follow fp32's (which read the file in
  // wasm memory) within the f16 rounding of the weights, and q8 within its 8-bit error.
  assert.ok(runs.fp16.maxLogitDiff < 2e-3, `fp16 vs fp32 max logit difference ${runs.fp16.maxLogitDiff}`);
  assert.ok(runs.q8.maxLogitDiff < 5e-2, `q8 vs fp32 max logit difference ${runs.q8.maxLogitDiff}`);
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

test('a weight file of 2 GiB or more stays in JavaScript memory with any dtype (wasm32 malloc has no such block)', async () => {
  const { LARGEST_WASM_FILE, weightSink } = await import('../../js/src/repo.js');
  const reserved = [];
  const external = [];
  const native = { HEAPU8: new Uint8Array(64), takeError: () => null };
  const repo = { reserve: (path, n) => { reserved.push([path, n]); return 16; }, addExternal: (path, n) => external.push([path, n]) };
  for (const size of [1000, LARGEST_WASM_FILE, LARGEST_WASM_FILE + 1]) {
    const sink = weightSink(native, repo, 'model.safetensors', 'org/model/model.safetensors', false);
    sink.allocate(size);  // a JavaScript array of 2 GiB is only reserved address space until written
    sink.register();
  }
  assert.ok(LARGEST_WASM_FILE < 2 ** 31);
  assert.deepEqual(reserved, [['model.safetensors', 1000], ['model.safetensors', LARGEST_WASM_FILE]]);
  assert.deepEqual(external, [['model.safetensors', LARGEST_WASM_FILE + 1]]);
});
