// 20 overlapping calls of different inputs on one pipeline: each gets its own
// correct result, the one it gets when run alone and, where there is one, the
// independent reference's (transformers.js on the ONNX export of the same
// weights; the greedy continuations recorded with botchan-llama).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pipeline } from 'hubwasm';
import { useLocalHub } from './local_hub.mjs';
import { maxAbsDiff, modelDir, transformersJs } from './reference.mjs';

const CALLS = 20;
const WORDS = ['fox', 'river', 'stone', 'light', 'music', 'winter', 'paper', 'garden', 'engine', 'cloud'];
// 20 different inputs of different lengths.
const texts = Array.from({ length: CALLS }, (_, i) => Array.from({ length: 1 + (i % 7) * 3 }, (_, k) => WORDS[(i + k * 3) % WORDS.length]).join(' '));

useLocalHub();

test('text-classification: 20 overlapping calls each equal the call alone and transformers.js (1e-5)', async () => {
  const classifier = await pipeline('text-classification', 'hubwasm-fixtures/micro-bert-cls');
  try {
    const overlapping = await Promise.all(texts.map((t, i) => classifier(t, { top_k: 1 + (i % 3) })));
    const tf = await transformersJs();
    const theirs = await tf.pipeline('text-classification', modelDir('hubwasm-fixtures--micro-bert-cls'), { dtype: 'fp32', device: 'cpu' });
    for (const [i, t] of texts.entries()) {
      const options = { top_k: 1 + (i % 3) };
      assert.deepEqual(overlapping[i], await classifier(t, options), `call ${i} differs from the same call alone`);
      const reference = await theirs(t, options);
      assert.deepEqual(overlapping[i].map((x) => x.label), reference.map((x) => x.label));
      assert.ok(maxAbsDiff(overlapping[i].map((x) => x.score), reference.map((x) => x.score)) < 1e-5);
    }
    await theirs.dispose();
  } finally {
    await classifier.dispose();
  }
});

test('feature-extraction: 20 overlapping calls (some batched) each equal the call alone', async () => {
  const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  try {
    const inputs = texts.map((t, i) => (i % 4 === 0 ? [t, texts[(i + 5) % CALLS]] : t));
    const options = (i) => ({ pooling: i % 2 ? 'mean' : 'none', normalize: i % 3 === 0 });
    const overlapping = await Promise.all(inputs.map((x, i) => extractor(x, options(i))));
    for (const [i, x] of inputs.entries()) {
      const alone = await extractor(x, options(i));
      assert.deepEqual(overlapping[i].dims, alone.dims);
      assert.deepEqual(Array.from(overlapping[i].data), Array.from(alone.data), `call ${i} differs from the same call alone`);
    }
  } finally {
    await extractor.dispose();
  }
});

test('text-generation: 20 overlapping calls each equal the call alone and the recorded greedy continuations', async () => {
  const folder = modelDir('hubwasm-fixtures--botchan-llama');
  const reference = JSON.parse(fs.readFileSync(path.join(folder, 'reference/greedy.json'), 'utf8')).cases;
  const generator = await pipeline('text-generation', 'hubwasm-fixtures/botchan-llama');
  try {
    // The reference prompts (32 new tokens) first, then other texts (a few new tokens each).
    const calls = [
      ...reference.map((c) => ({ prompt: c.prompt, options: { max_new_tokens: 32, eos_token_id: [] }, expected: c.full_text })),
      ...texts.slice(reference.length).map((t, i) => ({ prompt: t, options: { max_new_tokens: 2 + (i % 5), eos_token_id: [] } })),
    ];
    assert.equal(calls.length, CALLS);
    const overlapping = await Promise.all(calls.map((c) => generator(c.prompt, c.options)));
    for (const [i, c] of calls.entries()) {
      if (c.expected) assert.equal(overlapping[i][0].generated_text, c.expected, `call ${i} differs from the reference`);
      assert.deepEqual(overlapping[i], await generator(c.prompt, c.options), `call ${i} differs from the same call alone`);
    }
  } finally {
    await generator.dispose();
  }
});
