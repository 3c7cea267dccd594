import { getFile, getJson } from './download.js';
import { env } from './env.js';
import { HubwasmError, checkNative } from './errors.js';
import { fileUrl, request } from './hub.js';
import { getRuntime } from './runtime.js';

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

/** A download sink writing straight into a block of the native repo. */
function repoSink(native, repo, path) {
  let address = 0;
  let size = 0;
  return {
    allocate(n) {
      address = checkNative(native, repo.reserve(path, n), path);  // a retry replaces the block
      size = n;
    },
    write(chunk, offset) { native.HEAPU8.set(chunk, address + offset); },  // HEAPU8 is replaced when memory grows
    view: () => native.HEAPU8.subarray(address, address + size),
  };
}

/**
 * Downloads `files` (required) and `optionalFiles` (skipped on 404) of
 * `model` into `repo`, in parallel; `extra` adds files already fetched, as
 * {path: text}. Returns the set of paths now in the repo.
 */
export async function fillNativeRepo(native, repo, model, { files = [], optionalFiles = [], extra = {}, ...options }) {
  const present = new Set();
  for (const [path, text] of Object.entries(extra)) {
    const bytes = new TextEncoder().encode(text);
    const sink = repoSink(native, repo, path);
    sink.allocate(bytes.length);
    sink.write(bytes, 0);
    present.add(path);
  }
  const fetchOne = async (path, optional) => {
    if (await getFile(model, path, repoSink(native, repo, path), { ...options, optional })) present.add(path);
  };
  await Promise.all([...files.map((p) => fetchOne(p, false)), ...optionalFiles.map((p) => fetchOne(p, true))]);
  return present;
}

/**
 * Downloads a repo's safetensors weights into `repo`: the shards that
 * model.safetensors.index.json lists, or model.safetensors. A repo with only
 * pickle / TF / Flax weights gets a MISSING_FILE error that says so.
 */
export async function fillWeights(native, repo, model, options) {
  const index = await getJson(model, 'model.safetensors.index.json', { ...options, optional: true });
  if (index) {
    if (typeof index.weight_map !== 'object' || index.weight_map === null) {
      throw new HubwasmError('INVALID_FILE', `model.safetensors.index.json of ${model}: missing "weight_map"`);
    }
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    await fillNativeRepo(native, repo, model, { ...options, files: shards, extra: { 'model.safetensors.index.json': JSON.stringify(index) } });
    return;
  }
  const present = await fillNativeRepo(native, repo, model, { ...options, optionalFiles: ['model.safetensors'] });
  if (present.has('model.safetensors')) return;
  const others = env.allowRemoteModels ? ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'] : [];
  for (const other of others) {
    if (await request(fileUrl(model, other, options), { method: 'HEAD', optional: true, accessToken: options.accessToken })) {
      throw new HubwasmError('MISSING_FILE',
        `${model} has ${other} but no model.safetensors: hubwasm reads safetensors weights only; ` +
        'use a revision with model.safetensors or convert the weights');
    }
  }
  throw new HubwasmError('MISSING_FILE', `${model} has neither model.safetensors nor model.safetensors.index.json`);
}
