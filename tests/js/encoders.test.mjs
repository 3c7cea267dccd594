// Encoder parity in WebAssembly: hubwasm loads the fixtures' safetensors from
// a local Hub server and must match torch (ref/) and ONNX Runtime on the ONNX
// export of the same weights, within 1e-4 max abs error (f32).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AutoModel, AutoModelForSequenceClassification, AutoTokenizer, Tensor, pipeline } from 'hubwasm';
import { useLocalHub } from './local_hub.mjs';
import { loadTorchRef, maxAbsDiff, modelDir, runOnnx, transformersJs, transformersJsId } from './reference.mjs';

const TOLERANCE = 1e-4;
useLocalHub();

const asTensor = (ref) => new Tensor(ref.data instanceof BigInt64Array ? 'int64' : 'float32', ref.data, ref.dims);

// Row r of a [batch, seq, hidden] tensor counts where attention_mask is 1 (padding is don't-care).
const unpadded = (mask, hidden) => (i) => mask[Math.floor(i / hidden)] === 1n;

test('micro-bert last_hidden_state matches torch and ONNX Runtime', async () => {
  const ref = loadTorchRef('hubwasm-fixtures--micro-bert', 'encoder');
  const model = await AutoModel.from_pretrained('hubwasm-fixtures/micro-bert');
  const inputs = { input_ids: asTensor(ref.input_ids), attention_mask: asTensor(ref.attention_mask), token_type_ids: asTensor(ref.token_type_ids) };
  const out = await model(inputs);
  assert.deepEqual(out.last_hidden_state.dims, [3, 9, 32]);
  const onnx = await runOnnx('hubwasm-fixtures--micro-bert', { input_ids: ref.input_ids, attention_mask: ref.attention_mask, token_type_ids: ref.token_type_ids });
  const keep = unpadded(ref.attention_mask.data, 32);
  const vsTorch = maxAbsDiff(out.last_hidden_state.data, ref.last_hidden_state.data, keep);
  const vsOnnx = maxAbsDiff(out.last_hidden_state.data, onnx.last_hidden_state.data, keep);
  const poolerVsOnnx = maxAbsDiff(out.pooler_output.data, onnx.pooler_output.data);
  console.log(`micro-bert max abs error: vs torch ${vsTorch.toExponential(2)}, vs ONNX Runtime ${vsOnnx.toExponential(2)}, pooler vs ONNX Runtime ${poolerVsOnnx.toExponential(2)}`);
  assert.ok(vsTorch < TOLERANCE && vsOnnx < TOLERANCE && poolerVsOnnx < TOLERANCE);
  await model.dispose();
});

test('micro-bert-cls logits match torch and ONNX Runtime', async () => {
  const ref = loadTorchRef('hubwasm-fixtures--micro-bert-cls', 'encoder');
  const model = await AutoModelForSequenceClassification.from_pretrained('hubwasm-fixtures/micro-bert-cls');
  const out = await model({ input_ids: asTensor(ref.input_ids), attention_mask: asTensor(ref.attention_mask), token_type_ids: asTensor(ref.token_type_ids) });
  const onnx = await runOnnx('hubwasm-fixtures--micro-bert-cls', { input_ids: ref.input_ids, attention_mask: ref.attention_mask, token_type_ids: ref.token_type_ids });
  const vsTorch = maxAbsDiff(out.logits.data, ref.logits.data);
  const vsOnnx = maxAbsDiff(out.logits.data, onnx.logits.data);
  console.log(`micro-bert-cls logits max abs error: vs torch ${vsTorch.toExponential(2)}, vs ONNX Runtime ${vsOnnx.toExponential(2)}`);
  assert.deepEqual(out.logits.dims, [3, 3]);
  assert.ok(vsTorch < TOLERANCE && vsOnnx < TOLERANCE);
  await model.dispose();
});

test('tiny-distilbert-classification (vocab.txt only) matches ONNX Runtime end to end', async () => {
  const id = 'optimum-test-assets/tiny-distilbert-classification';
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForSequenceClassification.from_pretrained(id);
  // Ids recorded with the fixture (bert-base-uncased WordPiece), for the texts that have them.
  const recorded = JSON.parse(fs.readFileSync(path.join(modelDir('optimum-test-assets--tiny-distilbert-classification'), 'reference/ort_node_outputs.json'), 'utf8'));
  const cases = recorded.cases.filter((c) => c.text);
  assert.ok(cases.length >= 2);
  for (const c of cases) assert.deepEqual(tokenizer(c.text).input_ids.tolist(), c.input_ids.map((row) => row.map(BigInt)));
  const inputs = tokenizer(cases.map((c) => c.text), { padding: true });
  const out = await model(inputs);
  const onnx = await runOnnx('optimum-test-assets--tiny-distilbert-classification', { input_ids: inputs.input_ids, attention_mask: inputs.attention_mask });
  const err = maxAbsDiff(out.logits.data, onnx.logits.data);
  console.log(`tiny-distilbert logits max abs error vs ONNX Runtime: ${err.toExponential(2)}`);
  assert.ok(err < TOLERANCE);
  await model.dispose();
  tokenizer.dispose();
});

test('feature-extraction pipeline equals transformers.js on the same weights', async () => {
  // 120 texts, each different: several times the core's slice of 512 tokens, so pooling runs slice by slice.
  const base = ['Hello world, this is a test.', 'Tokenization of unbelievably long words works too!', 'short'];
  const texts = Array.from({ length: 40 }, (_, i) => base.map((t) => (i ? `${t} ${i}` : t))).flat();
  const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  const { dims } = extractor.tokenizer(texts, { padding: true }).input_ids;
  assert.ok(dims[0] * dims[1] > 3 * 512, `${dims}: more than three slices of 512 tokens`);
  const tf = await transformersJs();
  const reference = await tf.pipeline('feature-extraction', transformersJsId('hubwasm-fixtures--micro-bert'), { dtype: 'fp32', device: 'cpu' });
  for (const options of [{ pooling: 'mean', normalize: true }, { pooling: 'cls', normalize: false }, { pooling: 'none' }]) {
    const ours = await extractor(texts, options);
    const theirs = await reference(texts, options);
    assert.deepEqual(ours.dims, theirs.dims);
    let keep = () => true;
    if (options.pooling === 'none') {
      const mask = reference.tokenizer(texts, { padding: true, truncation: true }).attention_mask.data;
      keep = unpadded(mask, ours.dims[2]);
    }
    const err = maxAbsDiff(ours.data, theirs.data, keep);
    console.log(`feature-extraction ${JSON.stringify(options)} max abs error vs transformers.js: ${err.toExponential(2)}`);
    assert.ok(err < TOLERANCE);
  }
  // A single string gives a batch of one, as in transformers.js.
  const one = await extractor('Hello world, this is a test.', { pooling: 'mean', normalize: true });
  assert.deepEqual(one.dims, [1, 32]);
  assert.ok(Math.abs(one.tolist()[0].reduce((s, x) => s + x * x, 0) - 1) < 1e-5);
  await extractor.dispose();
  await reference.dispose();
});

test('tokenizer and model compose as in transformers.js', async () => {
  const tokenizer = await AutoTokenizer.from_pretrained('hubwasm-fixtures/micro-bert');
  const model = await AutoModel.from_pretrained('hubwasm-fixtures/micro-bert');
  const inputs = tokenizer(['a b c', 'a much longer sentence here'], { padding: true });
  assert.equal(inputs.input_ids.type, 'int64');
  const { last_hidden_state } = await model(inputs);
  assert.deepEqual(last_hidden_state.dims, [2, inputs.input_ids.dims[1], 32]);
  assert.equal(tokenizer.decode(inputs.input_ids.tolist()[0], { skip_special_tokens: true }), 'a b c');
  await model.dispose();
  tokenizer.dispose();
});
