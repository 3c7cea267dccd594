import { HubwasmError, checkNative } from './errors.js';
import { fetchFile, fetchJson, fileExists, readInto } from './hub.js';
import { getRuntime } from './runtime.js';

/**
 * The safetensors files holding a repo's weights: the shards listed by
 * model.safetensors.index.json, or model.safetensors. Also returns the index
 * (the core checks it against the shards).
 */
export async function findWeightFiles(model, options) {
  const index = await fetchJson(model, 'model.safetensors.index.json', { ...options, optional: true });
  if (index) {
    if (typeof index.weight_map !== 'object' || index.weight_map === null) {
      throw new HubwasmError('INVALID_FILE', `model.safetensors.index.json of ${model}: missing "weight_map"`);
    }
    return { index, files: [...new Set(Object.values(index.weight_map))].sort() };
  }
  if (await fileExists(model, 'model.safetensors', options)) return { index: null, files: ['model.safetensors'] };
  for (const other of ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack']) {
    if (await fileExists(model, other, options)) {
      throw new HubwasmError('MISSING_FILE',
        `${model} has ${other} but no model.safetensors: hubwasm reads safetensors weights only; ` +
        'use a revision with model.safetensors or convert the weights');
    }
  }
  throw new HubwasmError('MISSING_FILE', `${model} has neither model.safetensors nor model.safetensors.index.json`);
}

/**
 * Runs `use(native, repo)` on a native Repo (the files of one Hub repo in
 * WebAssembly memory) and deletes the Repo afterwards: whatever the native
 * object built from it keeps its own references to the bytes it needs.
 */
export async function withNativeRepo(use) {
  const native = await getRuntime();
  const repo = new native.Repo();
  try {
    return await use(native, repo);
  } finally {
    repo.delete();
  }
}

/**
 * Downloads `files` (required) and `optionalFiles` (skipped on 404) of
 * `model` into `repo`, in parallel; `extra` adds files already fetched, as
 * {path: text}. Returns the set of paths now in the repo.
 */
export async function fillNativeRepo(native, repo, model, { files = [], optionalFiles = [], extra = {}, ...options }) {
  const present = new Set();
  const reserve = (path) => (size) => checkNative(native, repo.reserve(path, size));
  const heap = () => native.HEAPU8;
  const encoder = new TextEncoder();
  for (const [path, text] of Object.entries(extra)) {
    const bytes = encoder.encode(text);
    heap().set(bytes, reserve(path)(bytes.length));
    present.add(path);
  }
  const fetchOne = async (path, optional) => {
    const response = await fetchFile(model, path, { ...options, optional });
    if (!response) return;
    await readInto(response, `${model}/${path}`, reserve(path), heap);
    present.add(path);
  };
  await Promise.all([
    ...files.map((path) => fetchOne(path, false)),
    ...optionalFiles.map((path) => fetchOne(path, true)),
  ]);
  return present;
}
