// The all-MiniLM-L6-v2 shape (hidden 384, 6 layers, 12 heads, vocab 30522),
// random weights from ../shared/bench/make_models.py (`make models`), against
// torch (ref/) and ONNX Runtime on the ONNX export of the same weights.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AutoModel, Tensor, env, pipeline } from 'hubwasm';
import { startHubServer } from './hub_server.mjs';
import { generatedRoot, loadTorchRef, maxAbsDiff, runOnnx } from './reference.mjs';

const TOLERANCE = 1e-4;
const folder = path.join(generatedRoot, 'hubwasm-bench--minilm-l6');
let hub;

before(async () => {
  assert.ok(fs.existsSync(path.join(folder, 'model.safetensors')), `${folder} is missing: run \`make models\``);
  hub = await startHubServer({ root: generatedRoot });
  env.remoteHost = hub.url;
  env.useFSCache = false;
});
after(() => hub?.close());

test('MiniLM-L6 shape: last_hidden_state matches torch and ONNX Runtime', async () => {
  const ref = loadTorchRef(folder, 'encoder');
  const model = await AutoModel.from_pretrained('hubwasm-bench/minilm-l6');
  const input = (r) => new Tensor('int64', r.data, r.dims);
  const out = await model({ input_ids: input(ref.input_ids), attention_mask: input(ref.attention_mask), token_type_ids: input(ref.token_type_ids) });
  const onnx = await runOnnx(folder, { input_ids: ref.input_ids, attention_mask: ref.attention_mask, token_type_ids: ref.token_type_ids });
  const hidden = out.last_hidden_state.dims[2];
  const keep = (i) => ref.attention_mask.data[Math.floor(i / hidden)] === 1n;
  const vsTorch = maxAbsDiff(out.last_hidden_state.data, ref.last_hidden_state.data, keep);
  const vsOnnx = maxAbsDiff(out.last_hidden_state.data, onnx.last_hidden_state.data, keep);
  console.log(`MiniLM-L6 shape max abs error: vs torch ${vsTorch.toExponential(2)}, vs ONNX Runtime ${vsOnnx.toExponential(2)}`);
  assert.ok(vsTorch < TOLERANCE && vsOnnx < TOLERANCE);
  await model.dispose();
});

test('MiniLM-L6 shape: a padded batch gives the same embeddings as one text at a time', async () => {
  const extractor = await pipeline('feature-extraction', 'hubwasm-bench/minilm-l6');
  const texts = ['A short one.', 'A considerably longer sentence that needs more word pieces than the first.', 'Mid length text here.'];
  const batch = await extractor(texts, { pooling: 'mean', normalize: true });
  for (let i = 0; i < texts.length; i++) {
    const single = await extractor(texts[i], { pooling: 'mean', normalize: true });
    const row = batch.data.subarray(i * 384, (i + 1) * 384);
    assert.ok(maxAbsDiff(row, single.data) < 1e-5);
  }
  await extractor.dispose();
});
