// Independent references for the JS tests: the torch outputs stored with the
// fixtures (ref/), ONNX Runtime on the fixtures' ONNX exports of the same
// weights, and transformers.js (on onnxruntime-node) end to end.
import fs from 'node:fs';
import path from 'node:path';
import { defaultRoot } from './hub_server.mjs';

export const modelsRoot = defaultRoot;
export const modelDir = (folder) => path.join(modelsRoot, folder);

/** Bench-sized models that `make models` generates with ../shared/bench/make_models.py. */
export const generatedRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../build/models');

/** ref/<name>.json of a fixture folder as {tensor: {dims, data}} (int64 as BigInt64Array). */
export function loadTorchRef(folder, name) {
  const dir = path.join(path.isAbsolute(folder) ? folder : modelDir(folder), 'ref');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const out = {};
  for (const [key, m] of Object.entries(meta)) {
    const buf = fs.readFileSync(path.join(dir, m.file));
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    out[key] = { dims: m.shape, data: m.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab) };
  }
  return out;
}

let ortPromise = null;
/**
 * Runs onnx/model.onnx of a fixture (shared folder name or absolute path) on inputs {name: {dims, data}}
 * (int64 for BigInt64Array data, float32 for Float32Array, e.g. past_key_values.* of past length 0);
 * returns {output: {dims, data}}.
 */
export async function runOnnx(folder, inputs, file = 'onnx/model.onnx') {
  ortPromise ??= import('onnxruntime-node');
  const ort = await ortPromise;
  const session = await ort.InferenceSession.create(path.join(path.isAbsolute(folder) ? folder : modelDir(folder), file));
  const feeds = {};
  for (const name of session.inputNames) {
    const t = inputs[name];
    if (!t) throw new Error(`no input ${name} for ${folder}`);
    feeds[name] = new ort.Tensor(t.data instanceof Float32Array ? 'float32' : 'int64', t.data, t.dims);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const [name, t] of Object.entries(results)) out[name] = { dims: [...t.dims], data: t.data };
  await session.release();
  return out;
}

let transformersPromise = null;
/** transformers.js on onnxruntime-node, offline, reading the shared folders by path. */
export async function transformersJs() {
  transformersPromise ??= (async () => {
    const tf = await import('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.useFSCache = false;
    tf.env.useBrowserCache = false;
    return tf;
  })();
  return transformersPromise;
}
/** transformers.js treats ids with '--' as paths, so shared folders are passed by path. */
export const transformersJsId = (folder) => modelDir(folder);

/** Max |a - b| over positions where `keep(i)` is true (all by default). */
export function maxAbsDiff(a, b, keep = () => true) {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) if (keep(i)) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
