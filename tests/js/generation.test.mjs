// Text generation in WebAssembly: decoders loaded from the fixtures'
// safetensors through a local Hub server must give the reference token ids
// (torch / transformers.js / ONNX Runtime on the same weights), logits within
// 1e-3 of ONNX Runtime, and the JS API of transformers.js (generate options,
// streaming, AbortSignal, chat templates, the text-generation pipeline).
//
// The tests marked [tokenizer] go through BPE / SentencePiece tokenizers and
// need the tokenizer engine for them (src/tokenizers/); the others work on ids.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AutoModelForCausalLM, AutoTokenizer, HubwasmError, Tensor, TextStreamer, env, pipeline, wasmMemoryInUse,
} from 'hubwasm';
import { startHubServer } from './hub_server.mjs';
import { useLocalHub } from './local_hub.mjs';
import { loadTorchRef, maxAbsDiff, modelDir, runOnnx } from './reference.mjs';

const LOGIT_TOLERANCE = 1e-3;
const GPT2 = 'hubwasm-fixtures/micro-gpt2';
const LLAMA = 'hubwasm-fixtures/micro-llama';
const BOTCHAN = 'hubwasm-fixtures/botchan-llama';
const TINY_LLAMA = 'hf-internal-testing/tiny-random-LlamaForCausalLM';

const hub = useLocalHub();

const folder = (id) => id.replace('/', '--');
const readJson = (id, file) => JSON.parse(fs.readFileSync(path.join(modelDir(folder(id)), file), 'utf8'));
const ids2d = (rows) => new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
const rowsOf = (tensor) => tensor.tolist().map((row) => row.map(Number));
const newIds = (sequences, promptLength) => rowsOf(sequences).map((row) => row.slice(promptLength));

// Models are loaded once per file and shared by the tests that only read them.
const loaded = new Map();
function model(id, dtype = 'fp32') {
  const key = `${id}:${dtype}`;
  if (!loaded.has(key)) loaded.set(key, AutoModelForCausalLM.from_pretrained(id, { dtype }));
  return loaded.get(key);
}
after(async () => {
  for (const m of loaded.values()) await (await m).dispose();
});

describe('greedy ids equal the references', () => {
  for (const id of [GPT2, LLAMA]) {
    test(`${id}: ref/greedy.json, with and without the KV cache`, async () => {
      const ref = readJson(id, 'ref/greedy.json');
      const m = await model(id);
      const input_ids = ids2d([ref.prompt_ids]);
      for (const use_cache of [true, false]) {
        // The reference does not stop at EOS.
        const out = await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], use_cache });
        assert.equal(out.type, 'int64');
        assert.deepEqual(out.dims, [1, 8 + 16]);
        assert.deepEqual(newIds(out, 8)[0], ref.greedy_16, `use_cache ${use_cache}`);
      }
    });
  }

  test('tiny-random-LlamaForCausalLM (F16 weights): transformers.js greedy cases, batch of 1 and left-padded batch of 2', async () => {
    const ref = readJson(TINY_LLAMA, 'reference/transformers_js_expected.json');
    const m = await model(TINY_LLAMA);
    const one = ref.greedy_batch1;
    const out1 = await m.generate({ input_ids: ids2d(one.input_ids), attention_mask: ids2d(one.attention_mask), max_length: one.max_length });
    assert.deepEqual(rowsOf(out1), one.expected_sequences);
    const two = ref.greedy_batch2_left_padded;
    const out2 = await m.generate({ input_ids: ids2d(two.input_ids), attention_mask: ids2d(two.attention_mask), max_length: two.max_length });
    assert.deepEqual(rowsOf(out2), two.expected_sequences);
  });

  test('tiny-random-gpt2: onnxruntime-genai greedy sequences and sampled logits', async () => {
    const id = 'hf-internal-testing/tiny-random-gpt2';
    const ref = readJson(id, 'reference/ort_genai_expected.json');
    const m = await model(id);
    const out = await m.generate({ input_ids: ids2d(ref.greedy.input_ids), max_length: ref.greedy.max_length });
    assert.deepEqual(rowsOf(out), ref.greedy.expected_sequences);
    const sampled = (logits, step, values, tolerance) => {
      const err = maxAbsDiff(Float32Array.from(values, (_, i) => logits[i * step]), Float32Array.from(values));
      assert.ok(err < tolerance, `${err}`);
      return err;
    };
    const prompt = await m({ input_ids: ids2d(ref.sampled_logits_prompt.input_ids) });
    const e1 = sampled(prompt.logits.data, 200, ref.sampled_logits_prompt.values, ref.sampled_logits_prompt.tolerance);
    const lastOf = (t) => {
      const [b, seq, vocab] = t.dims;
      const out = new Float32Array(b * vocab);
      for (let r = 0; r < b; r++) out.set(t.data.subarray((r * seq + seq - 1) * vocab, (r * seq + seq) * vocab), r * vocab);
      return out;
    };
    const e2 = sampled(lastOf(prompt.logits), 200, ref.sampled_logits_last_prompt_token.values, ref.sampled_logits_last_prompt_token.tolerance);
    const next = await m({ input_ids: ids2d(ref.sampled_logits_after_first_generated_token.sequences) });
    const e3 = sampled(lastOf(next.logits), 200, ref.sampled_logits_after_first_generated_token.values, 1e-3);
    console.log(`tiny-random-gpt2 sampled logits max abs error vs onnxruntime-genai: ${Math.max(e1, e2, e3).toExponential(2)}`);
  });

  test('left-padded batches: every row gives the tokens it gives alone (gpt2 learned positions, llama RoPE)', async () => {
    for (const id of [GPT2, LLAMA, BOTCHAN]) {
      const m = await model(id);
      const prompts = [[5, 17, 300, 42, 9, 77], [8, 99], [250, 3, 64, 128]];
      const seq = Math.max(...prompts.map((p) => p.length));
      const pad = 0;
      const input_ids = ids2d(prompts.map((p) => [...new Array(seq - p.length).fill(pad), ...p]));
      const attention_mask = ids2d(prompts.map((p) => [...new Array(seq - p.length).fill(0), ...p.map(() => 1)]));
      const batch = newIds(await m.generate({ input_ids, attention_mask, max_new_tokens: 12, eos_token_id: [] }), seq);
      for (const [r, p] of prompts.entries()) {
        const alone = newIds(await m.generate({ input_ids: ids2d([p]), max_new_tokens: 12, eos_token_id: [] }), p.length)[0];
        assert.deepEqual(batch[r], alone, `${id} row ${r}`);
      }
    }
  });

  test('botchan-llama (trained): reference/greedy.json, 32 tokens per prompt', async () => {
    const ref = readJson(BOTCHAN, 'reference/greedy.json');
    const m = await model(BOTCHAN);
    for (const c of ref.cases) {
      const out = await m.generate({ input_ids: ids2d([c.prompt_ids]), max_new_tokens: 32, eos_token_id: [] });
      assert.deepEqual(newIds(out, c.prompt_ids.length)[0], c.new_ids, c.prompt);
    }
  });
});

describe('logits', () => {
  for (const [id, kvHeads] of [[GPT2, 4], [LLAMA, 2]]) {
    test(`${id}: prefill (left-padded batch) and one more token match ONNX Runtime and torch`, async () => {
      const m = await model(id);
      const prefill = loadTorchRef(folder(id), 'prefill');
      const [batch, seq] = prefill.input_ids.dims;
      const vocab = 2000;
      const asTensor = (ref) => new Tensor('int64', ref.data, ref.dims);
      const { logits } = await m({ input_ids: asTensor(prefill.input_ids), attention_mask: asTensor(prefill.attention_mask) });
      assert.deepEqual(logits.dims, [batch, seq, vocab]);
      const feeds = { input_ids: prefill.input_ids, attention_mask: prefill.attention_mask, position_ids: prefill.position_ids };
      for (let layer = 0; layer < 2; layer++) {
        for (const kind of ['key', 'value']) {
          feeds[`past_key_values.${layer}.${kind}`] = { dims: [batch, kvHeads, 0, 16], data: new Float32Array(0) };
        }
      }
      const onnx = await runOnnx(folder(id), feeds);
      // Padded positions are don't-care.
      const keep = (i) => prefill.attention_mask.data[Math.floor(i / vocab)] === 1n;
      const vsOnnx = maxAbsDiff(logits.data, onnx.logits.data, keep);
      const vsTorch = maxAbsDiff(logits.data, prefill.logits.data, keep);

      // The decode step (one cached token in the reference) by full recompute over 8 positions.
      const decode = loadTorchRef(folder(id), 'decode');
      const rows = [];
      for (let b = 0; b < batch; b++) {
        rows.push([...prefill.input_ids.data.subarray(b * seq, (b + 1) * seq), decode.input_ids.data[b]].map(Number));
      }
      const full = await m({ input_ids: ids2d(rows), attention_mask: asTensor(decode.attention_mask) });
      const last = new Float32Array(batch * vocab);
      for (let b = 0; b < batch; b++) last.set(full.logits.data.subarray((b * (seq + 1) + seq) * vocab, (b * (seq + 1) + seq + 1) * vocab), b * vocab);
      const decodeVsTorch = maxAbsDiff(last, decode.logits.data);
      console.log(`${id} logits max abs error: prefill vs ONNX Runtime ${vsOnnx.toExponential(2)}, vs torch ${vsTorch.toExponential(2)}; decode step vs torch ${decodeVsTorch.toExponential(2)}`);
      assert.ok(vsOnnx < LOGIT_TOLERANCE && vsTorch < LOGIT_TOLERANCE && decodeVsTorch < LOGIT_TOLERANCE);
    });
  }

  // Fixtures generated by tests/fixtures/make_decoder_fixtures.py (`make fixtures`): mistral with a sliding
  // window of 4 tokens, qwen2 with q/k/v biases, gemma, phi3; ONNX exports of the same weights.
  for (const name of ['micro-mistral', 'micro-qwen2', 'micro-gemma', 'micro-phi3']) {
    test(`${name} (generated fixture): prefill logits match ONNX Runtime and torch; greedy ids with and without the KV cache`, async () => {
      const dir = path.join(process.env.HUBWASM_FIXTURES ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../build/fixtures'),
        `hubwasm-fixtures--${name}`);
      const fixtureHub = await startHubServer({ root: path.dirname(dir) });
      env.remoteHost = fixtureHub.url;
      let m;
      try {
        m = await AutoModelForCausalLM.from_pretrained(`hubwasm-fixtures/${name}`);
      } finally {
        env.remoteHost = hub.server.url;
        fixtureHub.close();
      }
      const prefill = loadTorchRef(dir, 'prefill');
      const [batch] = prefill.input_ids.dims;
      const vocab = m.config.vocab_size;
      const { logits } = await m({ input_ids: new Tensor('int64', prefill.input_ids.data, prefill.input_ids.dims),
        attention_mask: new Tensor('int64', prefill.attention_mask.data, prefill.attention_mask.dims) });
      const feeds = { input_ids: prefill.input_ids, attention_mask: prefill.attention_mask, position_ids: prefill.position_ids };
      for (let layer = 0; layer < m.config.num_hidden_layers; layer++) {
        for (const kind of ['key', 'value']) {
          feeds[`past_key_values.${layer}.${kind}`] = { dims: [batch, m.config.num_key_value_heads, 0, 16], data: new Float32Array(0) };
        }
      }
      const onnx = await runOnnx(dir, feeds);
      const keep = (i) => prefill.attention_mask.data[Math.floor(i / vocab)] === 1n;  // padded positions are don't-care
      const vsOnnx = maxAbsDiff(logits.data, onnx.logits.data, keep);
      const vsTorch = maxAbsDiff(logits.data, prefill.logits.data, keep);
      const greedy = JSON.parse(fs.readFileSync(path.join(dir, 'ref/greedy.json'), 'utf8'));
      const input_ids = ids2d([greedy.prompt_ids]);
      for (const use_cache of [true, false]) {
        const out = await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], use_cache });
        assert.deepEqual(newIds(out, greedy.prompt_ids.length)[0], greedy.greedy_16, `use_cache ${use_cache}`);
      }
      console.log(`${name} prefill logits max abs error: vs ONNX Runtime ${vsOnnx.toExponential(2)}, vs torch ${vsTorch.toExponential(2)}`);
      assert.ok(vsOnnx < LOGIT_TOLERANCE && vsTorch < LOGIT_TOLERANCE);
      await m.dispose();
    });
  }

  test('botchan-llama: last prompt logits match reference/greedy.json', async () => {
    const ref = readJson(BOTCHAN, 'reference/greedy.json');
    const m = await model(BOTCHAN);
    for (const c of ref.cases) {
      const { logits } = await m({ input_ids: ids2d([c.prompt_ids]) });
      const [, seq, vocab] = logits.dims;
      const last = logits.data.subarray((seq - 1) * vocab, seq * vocab);
      const err = maxAbsDiff(last.subarray(0, 16), Float32Array.from(c.last_prompt_logits_first16));
      assert.ok(err < LOGIT_TOLERANCE, `${c.prompt}: ${err}`);
      assert.equal(last.indexOf(Math.max(...last)), c.last_prompt_argmax);
    }
  });
});

describe('generate options', () => {
  const prompt = () => ids2d([readJson(LLAMA, 'ref/greedy.json').prompt_ids]);

  test('a seed makes sampling reproducible; top_k 1 equals greedy', async () => {
    const m = await model(LLAMA);
    const input_ids = prompt();
    const sample = (seed, extra = {}) => m.generate({ input_ids, max_new_tokens: 24, do_sample: true, seed, eos_token_id: [], ...extra });
    const a = rowsOf(await sample(42));
    assert.deepEqual(rowsOf(await sample(42)), a);
    assert.notDeepEqual(rowsOf(await sample(43)), a);
    const b = rowsOf(await sample(7, { temperature: 0.7, top_k: 20, top_p: 0.9, min_p: 0.01, repetition_penalty: 1.3 }));
    assert.deepEqual(rowsOf(await sample(7, { temperature: 0.7, top_k: 20, top_p: 0.9, min_p: 0.01, repetition_penalty: 1.3 })), b);
    const greedy = rowsOf(await m.generate({ input_ids, max_new_tokens: 24, eos_token_id: [] }));
    assert.deepEqual(rowsOf(await sample(5, { top_k: 1 })), greedy);
  });

  test('eos_token_id, min_new_tokens, no_repeat_ngram_size, max_length, generation_config', async () => {
    const m = await model(LLAMA);
    const input_ids = prompt();
    const ref = readJson(LLAMA, 'ref/greedy.json').greedy_16;
    // Stops at the first EOS (the reference's 3rd token, 1393, used as EOS here).
    const stopped = newIds(await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: 1393 }), 8)[0];
    assert.deepEqual(stopped, ref.slice(0, 3));
    // Several EOS ids: the first one met stops.
    assert.deepEqual(newIds(await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [878, 1761] }), 8)[0], ref.slice(0, 4));
    // min_new_tokens suppresses EOS until reached.
    const min = newIds(await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: 961, min_new_tokens: 4 }), 8)[0];
    assert.ok(min.length >= 4 && !min.slice(0, 4).includes(961));
    // no_repeat_ngram_size 1: no token twice among the new ones (the prompt's ids count too).
    const noRepeat = newIds(await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], no_repeat_ngram_size: 1 }), 8)[0];
    assert.equal(new Set([...readJson(LLAMA, 'ref/greedy.json').prompt_ids, ...noRepeat]).size, 8 + 16);
    // max_length counts the prompt; generation_config is an object of the same options.
    assert.deepEqual((await m.generate({ input_ids, max_length: 12, eos_token_id: [] })).dims, [1, 12]);
    assert.deepEqual((await m.generate({ input_ids, generation_config: { max_new_tokens: 5, eos_token_id: [] } })).dims, [1, 13]);
  });

  test('bad options are INVALID_ARGUMENT errors naming the option; the model still works after them', async () => {
    const m = await model(LLAMA);
    const input_ids = prompt();
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 4, num_beams: 2 }),
      (e) => e instanceof HubwasmError && e.code === 'INVALID_ARGUMENT' && /num_beams/.test(e.message));
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 4, temprature: 0.5 }),
      (e) => e.code === 'INVALID_ARGUMENT' && /"temprature"/.test(e.message));
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 0 }), (e) => e.code === 'INVALID_ARGUMENT' && /max_new_tokens/.test(e.message));
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 2.5 }), (e) => e.code === 'INVALID_ARGUMENT' && /max_new_tokens/.test(e.message));
    await assert.rejects(m.generate({ input_ids, do_sample: 'yes' }), (e) => e.code === 'INVALID_ARGUMENT' && /do_sample/.test(e.message));
    await assert.rejects(m.generate({ input_ids, do_sample: true, temperature: 0 }), (e) => e.code === 'INVALID_ARGUMENT' && /temperature/.test(e.message));
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 3000 }), (e) => e.code === 'INVALID_ARGUMENT' && /context window/.test(e.message));
    await assert.rejects(m.generate({ input_ids: ids2d([[5, 2000]]) }), (e) => e.code === 'INVALID_ARGUMENT' && /vocabulary/.test(e.message));
    await assert.rejects(m.generate({ input_ids, stop_strings: 'x' }), (e) => e.code === 'INVALID_ARGUMENT' && /tokenizer/.test(e.message));
    await assert.rejects(AutoModelForCausalLM.from_pretrained(LLAMA, { dtype: 'q4' }), (e) => e.code === 'INVALID_ARGUMENT' && /q4/.test(e.message));
    const out = await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [] });
    assert.deepEqual(newIds(out, 8)[0], readJson(LLAMA, 'ref/greedy.json').greedy_16);
  });

  test('an AbortSignal stops generation mid-run; the next run gives the reference ids', async () => {
    const m = await model(GPT2);
    const ref = readJson(GPT2, 'ref/greedy.json');
    const input_ids = ids2d([ref.prompt_ids]);
    const controller = new AbortController();
    let steps = 0;
    const seen = [];
    // A streamer that fires the signal at the 4th new token (put() is called with the prompt first).
    const streamer = {
      put(value) { if (steps++ > 0) seen.push(Number(value[0][0])); if (steps === 5) controller.abort(); },
      end() { seen.push('end'); },
    };
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], streamer, signal: controller.signal }),
      (e) => e.name === 'AbortError');
    assert.deepEqual(seen, [...ref.greedy_16.slice(0, 4), 'end']);
    // An already-aborted signal rejects before running.
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 4, signal: controller.signal }), (e) => e.name === 'AbortError');
    const again = await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], signal: new AbortController().signal });
    assert.deepEqual(newIds(again, 8)[0], ref.greedy_16);
  });

  // A streamer that takes `ms` of main-thread time per call, as a slow model or UI would: the
  // timer below can only fire if generate() returns to the event loop between steps.
  const busyStreamer = (ms, seen) => ({
    put(value) {
      seen.push(value);
      const until = performance.now() + ms;
      while (performance.now() < until);
    },
    end() {},
  });

  test('an AbortSignal fired by a setTimeout on the main thread stops generate(); the model is reused correctly', async () => {
    const m = await model(BOTCHAN);
    const input_ids = ids2d([readJson(BOTCHAN, 'reference/greedy.json').cases[0].prompt_ids]);
    const reference = rowsOf(await m.generate({ input_ids, max_new_tokens: 120, eos_token_id: [] }));
    const controller = new AbortController();
    const seen = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    // 120 steps of >= 2 ms each would take >= 240 ms; the abort at 50 ms must cut it short.
    // An aborted run rejects with signal.reason (an AbortError DOMException), as fetch() does.
    await assert.rejects(
      m.generate({ input_ids, max_new_tokens: 120, eos_token_id: [], streamer: busyStreamer(2, seen), signal: controller.signal }),
      (e) => e.name === 'AbortError');
    const elapsed = performance.now() - started;
    const steps = seen.length - 1;  // the prompt comes first
    console.log(`timer abort after ${elapsed.toFixed(0)} ms, ${steps} of 120 tokens`);
    assert.ok(steps > 0 && steps < 120, `${steps} tokens streamed`);  // the run stopped early (elapsed time is load-dependent)
    // The streamed tokens are the start of the un-aborted run, and the next run gives it all.
    assert.deepEqual(seen.slice(1).map((v) => Number(v[0][0])), reference[0].slice(input_ids.dims[1], input_ids.dims[1] + steps));
    assert.deepEqual(rowsOf(await m.generate({ input_ids, max_new_tokens: 120, eos_token_id: [] })), reference);
  });

  test('dispose() during a generate() stops that run with an error and frees the model when it ends', async () => {
    const warm = await AutoModelForCausalLM.from_pretrained(LLAMA);
    await warm.dispose();
    const start = await wasmMemoryInUse();
    const m = await AutoModelForCausalLM.from_pretrained(LLAMA);
    const input_ids = ids2d([readJson(LLAMA, 'ref/greedy.json').prompt_ids]);
    setTimeout(() => m.dispose(), 10);
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 100, eos_token_id: [], streamer: busyStreamer(1, []) }),
      (e) => e.code === 'INVALID_ARGUMENT' && /disposed during generate/.test(e.message));
    assert.ok((await wasmMemoryInUse()) - start < 64 * 1024);
  });

  test('50 timer-aborted generations leave the WebAssembly memory in use where it was', async () => {
    const m = await model(BOTCHAN);
    const input_ids = ids2d([readJson(BOTCHAN, 'reference/greedy.json').cases[1].prompt_ids]);
    const abortedRun = async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 5);
      await assert.rejects(
        m.generate({ input_ids, max_new_tokens: 200, eos_token_id: [], streamer: busyStreamer(1, []), signal: controller.signal }),
        (e) => e.name === 'AbortError');
    };
    await abortedRun();
    const start = await wasmMemoryInUse();
    for (let i = 0; i < 50; i++) await abortedRun();
    const end = await wasmMemoryInUse();
    console.log(`50 aborted generations: ${start} -> ${end} bytes in use`);
    assert.ok(Math.abs(end - start) < 64 * 1024, `${end - start} bytes`);  // a leaked KV cache alone is > 256 KB
  });

  test('an error thrown by a streamer rejects generate and leaves the model usable', async () => {
    const m = await model(GPT2);
    const ref = readJson(GPT2, 'ref/greedy.json');
    const input_ids = ids2d([ref.prompt_ids]);
    let calls = 0;
    const streamer = { put() { if (++calls === 3) throw new Error('streamer broke'); }, end() {} };
    await assert.rejects(m.generate({ input_ids, max_new_tokens: 16, streamer }), /streamer broke/);
    assert.deepEqual(newIds(await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [] }), 8)[0], ref.greedy_16);
  });
});

describe('fp16 and q8 weights against fp32', () => {
  // Every greedy prompt of the shared decoder fixtures; 64 new tokens each.
  const RUNS = [
    ...readJson(BOTCHAN, 'reference/greedy.json').cases.map((c, i) => ({ id: BOTCHAN, name: `botchan-llama case ${i}`, prompt: c.prompt_ids })),
    { id: LLAMA, name: 'micro-llama', prompt: readJson(LLAMA, 'ref/greedy.json').prompt_ids },
    { id: GPT2, name: 'micro-gpt2', prompt: readJson(GPT2, 'ref/greedy.json').prompt_ids },
  ];
  // Max abs logit difference from fp32 along fp32's own 64-token run (teacher-forced), stated per dtype:
  // fp16 rounds weights to 11 significant bits, q8 to int8 per 16-input block (measured: about 1e-3 and 0.1).
  const LOGIT_ERROR = { fp16: 1e-2, q8: 0.25 };
  const MIN_AGREEMENT = 0.9;  // the bar: share of the generated positions where the ids agree

  for (const dtype of ['fp16', 'q8']) {
    test(`${dtype}: free-running greedy ids agree with fp32 on >= 90% of positions over 64-token runs; logit error`, async () => {
      let same = 0, total = 0;
      for (const run of RUNS) {
        const [f32, low] = [await model(run.id), await model(run.id, dtype)];
        const input_ids = ids2d([run.prompt]);
        const ref = await f32.generate({ input_ids, max_new_tokens: 64, eos_token_id: [] });
        const got = newIds(await low.generate({ input_ids, max_new_tokens: 64, eos_token_id: [] }), run.prompt.length)[0];
        const want = newIds(ref, run.prompt.length)[0];
        const agree = got.filter((t, i) => t === want[i]).length;
        // Where the runs part: fp32's own margin between its best two logits at that step.
        const [a, b] = [await f32({ input_ids: ref }), await low({ input_ids: ref })];
        const vocab = a.logits.dims[2];
        const first = got.findIndex((t, i) => t !== want[i]);
        let margin = '';
        if (first >= 0) {
          const row = [...a.logits.data.subarray((run.prompt.length - 1 + first) * vocab, (run.prompt.length + first) * vocab)].sort((x, y) => y - x);
          margin = `, first difference at step ${first} where fp32's top-2 margin is ${(row[0] - row[1]).toExponential(2)}`;
        }
        const err = maxAbsDiff(a.logits.data, b.logits.data);
        console.log(`${run.name} ${dtype} vs fp32: free-running ${agree}/64${margin}; max abs logit error ${err.toExponential(2)} ` +
          `(tolerance ${LOGIT_ERROR[dtype]}); weights ${low.weight_bytes} vs ${f32.weight_bytes} bytes`);
        assert.ok(err <= LOGIT_ERROR[dtype], `${run.name}: logit error ${err}`);
        assert.ok(low.weight_bytes < f32.weight_bytes * (dtype === 'fp16' ? 0.55 : 0.35), `${low.weight_bytes} vs ${f32.weight_bytes}`);
        same += agree;
        total += 64;
      }
      console.log(`${dtype}: ${same}/${total} positions agree with fp32 over ${RUNS.length} runs`);
      assert.ok(same / total >= MIN_AGREEMENT, `${same}/${total}`);
    });

    test(`pipeline('text-generation', id, { dtype: '${dtype}' }) loads ${dtype} weights and generates with them`, async () => {
      const generator = await pipeline('text-generation', LLAMA, { dtype });
      const low = await model(LLAMA, dtype);
      assert.equal(generator.model.weight_bytes, low.weight_bytes);
      assert.ok(low.weight_bytes < (await model(LLAMA)).weight_bytes / 1.8);
      const input_ids = ids2d([readJson(LLAMA, 'ref/greedy.json').prompt_ids]);
      const a = await generator.model.generate({ input_ids, max_new_tokens: 16, eos_token_id: [] });
      assert.deepEqual(rowsOf(a), rowsOf(await low.generate({ input_ids, max_new_tokens: 16, eos_token_id: [] })));
      await generator.dispose();
    });

    test(`a ${dtype} load keeps the safetensors bytes only while loading`, async () => {
      const warm = await AutoModelForCausalLM.from_pretrained(BOTCHAN, { dtype });
      await warm.dispose();
      const start = await wasmMemoryInUse();
      const m = await AutoModelForCausalLM.from_pretrained(BOTCHAN, { dtype });
      const held = (await wasmMemoryInUse()) - start;
      const fileBytes = fs.statSync(path.join(modelDir(folder(BOTCHAN)), 'model.safetensors')).size;
      console.log(`botchan-llama ${dtype}: ${held} bytes held after load (weights ${m.weight_bytes}; the f32 file is ${fileBytes})`);
      // Weights plus allocator slack; the file (4x the q8 size) must be gone.
      assert.ok(held < m.weight_bytes * 1.25 + 64 * 1024, `${held} bytes held`);
      await m.dispose();
      assert.ok((await wasmMemoryInUse()) - start < 64 * 1024);
    });
  }
});

test('load / generate / dispose cycles return the memory; a disposed model says so', async () => {
  const cycle = async () => {
    const m = await AutoModelForCausalLM.from_pretrained(LLAMA);
    await m.generate({ input_ids: ids2d([[5, 6, 7], [8, 9, 10]]), max_new_tokens: 40, do_sample: true, seed: 1 });
    await m({ input_ids: ids2d([[5, 6, 7]]) });
    await m.dispose();
    return m;
  };
  await cycle();
  const start = await wasmMemoryInUse();
  for (let i = 0; i < 10; i++) await cycle();
  const end = await wasmMemoryInUse();
  console.log(`10 decoder load/generate/dispose cycles: ${start} -> ${end} bytes in use`);
  assert.ok(end - start < 64 * 1024);
  const disposed = await cycle();
  await assert.rejects(disposed.generate({ input_ids: ids2d([[5]]) }), (e) => e.code === 'INVALID_ARGUMENT' && /disposed/.test(e.message));
});

// --- Through the tokenizer (need BPE / SentencePiece in the tokenizer engine) ---

describe('[tokenizer] text generation end to end', () => {
  test('TextStreamer never splits a UTF-8 character or a word, and its pieces add up to the decode', async () => {
    // A byte-level vocabulary (id = byte) decoded as UTF-8, as ByteLevel / byte-fallback tokenizers do:
    // an incomplete character decodes to U+FFFD until its last byte arrives.
    const text = 'Héllo wörld, 你好世界 — emoji 😀 ok.\nSecond line: naïve café.';
    const bytes = [...new TextEncoder().encode(text)];
    const tokenizer = { decode: (ids) => new TextDecoder().decode(Uint8Array.from(ids)) };
    for (const skip_prompt of [false, true]) {
      const pieces = [];
      const streamer = new TextStreamer(tokenizer, { skip_prompt, callback_function: (t) => pieces.push(t) });
      streamer.put([bytes.slice(0, 3).map(BigInt)]);  // the prompt 'Hé' (3 bytes)
      for (const b of bytes.slice(3)) streamer.put([[BigInt(b)]]);
      streamer.end();
      assert.equal(pieces.join(''), skip_prompt ? text.slice(2) : text);
      for (const p of pieces) assert.ok(!p.includes('\ufffd'), JSON.stringify(p));
      // Every piece but the prompt and the last ends a word: at a space, a newline or a CJK character.
      for (const p of pieces.slice(skip_prompt ? 0 : 1, -1)) assert.match(p, /[ \n\u4e00-\u9fff]$/u, JSON.stringify(p));
    }
  });

  for (const id of [GPT2, LLAMA, TINY_LLAMA]) {
    test(`streaming through a real tokenizer equals the final decode (${id})`, async () => {
      const tokenizer = await AutoTokenizer.from_pretrained(id);
      const m = await model(id);
      const inputs = tokenizer('The quick brown fox');
      for (const [skip_prompt, seed] of [[false, 1], [true, 2], [true, 3]]) {
        const pieces = [];
        const streamer = new TextStreamer(tokenizer, { skip_prompt, callback_function: (t) => pieces.push(t) });
        // Sampling from random weights draws byte-fallback / partial UTF-8 tokens too.
        const out = await m.generate({ ...inputs, max_new_tokens: 48, do_sample: true, seed, eos_token_id: [], streamer });
        const full = tokenizer.decode(rowsOf(out)[0], { skip_special_tokens: true });
        const prompt = tokenizer.decode(rowsOf(inputs.input_ids)[0], { skip_special_tokens: true });
        assert.equal(pieces.join(''), skip_prompt ? full.slice(prompt.length) : full);
        assert.ok(pieces.length > 1);
        // Only the last piece may hold an incomplete character.
        for (const p of pieces.slice(0, -1)) assert.ok(!p.endsWith('\ufffd') || p.length === 0, JSON.stringify(p));
      }
      tokenizer.dispose();
    });
  }

  test('stop_strings stop a row at the token that completes the string; other rows go on (micro-llama)', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(LLAMA);
    const m = await model(LLAMA);
    const ref = readJson(LLAMA, 'ref/greedy.json');
    const input_ids = ids2d([ref.prompt_ids]);
    const texts = ref.greedy_16.map((_, i) => tokenizer.decode(ref.greedy_16.slice(0, i + 1), { skip_special_tokens: false }));
    // A stop string completed by the 6th new token (its last 2 characters), absent before.
    const k = texts.findIndex((t, i) => i >= 5 && t.trimEnd().length >= 2 && !texts[i - 1].includes(t.trimEnd().slice(-2)));
    assert.ok(k >= 0);
    const stop = texts[k].trimEnd().slice(-2);
    const out = await m.generate({ input_ids, max_new_tokens: 16, eos_token_id: [], stop_strings: [stop], tokenizer });
    assert.deepEqual(newIds(out, 8)[0], ref.greedy_16.slice(0, k + 1));
    // In a batch, the stopped row is padded while the other goes on.
    const other = readJson(GPT2, 'ref/greedy.json').prompt_ids;  // any other 8 ids
    const batch = await m.generate({ input_ids: ids2d([ref.prompt_ids, other]), max_new_tokens: 16, eos_token_id: [], pad_token_id: 0,
      stop_strings: stop, tokenizer });
    const rows = newIds(batch, 8);
    assert.deepEqual(rows[0].slice(0, k + 1), ref.greedy_16.slice(0, k + 1));
    assert.ok(rows[0].slice(k + 1).every((t) => t === 0));
    tokenizer.dispose();
  });

  test('tiny-random-Llama: left padding gives the transformers.js batch; the pipeline gives its text', async () => {
    const ref = readJson(TINY_LLAMA, 'reference/transformers_js_expected.json');
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_LLAMA);
    tokenizer.padding_side = 'left';
    const two = ref.greedy_batch2_left_padded;
    const inputs = tokenizer(two.texts, { padding: true });
    assert.deepEqual(rowsOf(inputs.input_ids), two.input_ids);
    assert.deepEqual(rowsOf(inputs.attention_mask), two.attention_mask);
    const m = await model(TINY_LLAMA);
    assert.deepEqual(rowsOf(await m.generate({ ...inputs, max_length: two.max_length })), two.expected_sequences);
    tokenizer.dispose();

    const generator = await pipeline('text-generation', TINY_LLAMA);
    const t = ref.text_generation_pipeline;
    assert.deepEqual(await generator(t.input, { max_new_tokens: t.max_new_tokens }), [{ generated_text: t.expected_generated_text }]);
    assert.deepEqual(await generator(t.input, { max_new_tokens: t.max_new_tokens, return_full_text: false }),
      [{ generated_text: t.expected_new_text_only }]);
    const c = ref.chat_pipeline;
    const chat = await generator(c.messages, { max_new_tokens: c.max_new_tokens });
    assert.deepEqual(chat, [{ generated_text: [...c.messages, { role: 'assistant', content: c.expected_assistant_content }] }]);
    await generator.dispose();
  });

  test('text-generation pipeline: a batch of prompts gives what each prompt gives alone (micro-llama)', async () => {
    const generator = await pipeline('text-generation', LLAMA);
    const prompts = ['The quick brown fox', 'Hello', 'A much longer prompt than the others, to pad the rest'];
    const options = { max_new_tokens: 10, eos_token_id: [] };
    const batch = await generator(prompts, options);
    assert.equal(batch.length, 3);
    for (const [i, p] of prompts.entries()) assert.deepEqual(batch[i], await generator(p, options));
    const [only] = await generator(prompts[0], { ...options, return_full_text: false });
    assert.ok(batch[0][0].generated_text.endsWith(only.generated_text) && only.generated_text.length > 0);
    await generator.dispose();
  });

  test('apply_chat_template renders tokenizer_config.json chat_template with @huggingface/jinja', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_LLAMA);
    const messages = [{ role: 'system', content: 'a' }, { role: 'user', content: 'b' }];
    const text = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true });
    assert.equal(text, '<s>[INST] <<SYS>>\na\n<</SYS>>\n\nb [/INST]');
    const ids = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, return_dict: false, return_tensor: false });
    assert.equal(ids[0], 1);  // <s> from the template, no second BOS
    assert.notEqual(ids[1], 1);
    assert.throws(() => tokenizer.apply_chat_template([{ role: 'user', content: 'x' }, { role: 'user', content: 'y' }], { tokenize: false }),
      /alternate/);
    tokenizer.dispose();
  });

  test('botchan-llama (tokenizer.model): pipeline text, stop strings', async () => {
    const ref = readJson(BOTCHAN, 'reference/greedy.json');
    const generator = await pipeline('text-generation', BOTCHAN);
    const c = ref.cases[1];
    const [out] = await generator(c.prompt, { max_new_tokens: 32, eos_token_id: [] });
    assert.equal(out.generated_text, c.full_text);
    const [stopped] = await generator(c.prompt, { max_new_tokens: 32, eos_token_id: [], stop_strings: ['fishing'] });
    assert.equal(stopped.generated_text, c.full_text.slice(0, c.full_text.indexOf('fishing') + 'fishing'.length));
    await generator.dispose();
  });
});
