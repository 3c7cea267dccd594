import { getFile, getJson, isCached, memorySink } from './download.js';
import { env, IS_NODE } from './env.js';
import { HubwasmError, checkNative } from './errors.js';
import { fileUrl, request } from './hub.js';
import { DTYPES, STORAGE, estimateMemory, formatBytes } from './memory_budget.js';
import { getRuntime } from './runtime.js';
import { hasSyncFiles } from './platform/browser.js';
import { readSafetensorsHeaders } from './weight_headers.js';

/** Native Repo -> the files on disk (Node) its external weights are read from. */
const openFiles = new WeakMap();

/**
 * Runs `use(native, repo)` on a native Repo (the files of one Hub repo in
 * WebAssembly memory) and deletes the Repo afterwards, closing the files on
 * disk it read weights from: whatever the native object built from it keeps
 * its own copies of the bytes it needs.
 */
export async function withNativeRepo(use) {
  const native = await getRuntime();
  const repo = new native.Repo();
  const files = [];
  openFiles.set(repo, files);
  try {
    return await use(native, repo);
  } finally {
    repo.delete();
    for (const file of files) file.close();
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
 * Emscripten's allocator (dlmalloc) hands out no single block of 2 GiB or
 * more in wasm32, so a weight file that large stays outside wasm memory
 * whatever the dtype (its tensors are then copied in one at a time).
 */
export const LARGEST_WASM_FILE = 2 ** 31 - 2 ** 20;

/**
 * The sink of a weight file. When `external` (q8 / fp16: the core converts
 * every tensor) or the file is too large for one wasm block, the core reads
 * it one tensor at a time through repo.addExternal, from a file on disk in
 * Node (adoptFile: the local file, the cache entry or the download) or in a
 * browser worker (a temporary OPFS file, platform/browser.js), and from
 * JavaScript memory on a page's main thread (then `register()` adds it). Otherwise the
 * file goes to a block of the native repo, which fp32 weights view.
 */
export function weightSink(native, repo, path, label, external) {
  const outside = (size) => external || size > LARGEST_WASM_FILE;
  let sink = null;
  let inJavaScript = false;
  return {
    wantsFile: IS_NODE || hasSyncFiles() ? outside : undefined,
    adoptFile(file) {
      // HEAPU8 is replaced when memory grows: take it at each read.
      repo.addExternal(path, file.size, (offset, length, address) => file.read(offset, length, native.HEAPU8, address));
      openFiles.get(repo).push(file);  // closed with the repo (withNativeRepo)
    },
    allocate(n) {
      inJavaScript = outside(n);
      sink = inJavaScript ? memorySink(label) : repoSink(native, repo, path);
      sink.allocate(n);
    },
    write: (chunk, offset) => sink.write(chunk, offset),
    view: () => sink.view(),
    written: (offset, length) => sink.written?.(offset, length),
    register() {
      if (!inJavaScript) return;  // on disk, or already in the repo's block
      const bytes = sink.view();
      repo.addExternal(path, bytes.length, (offset, length, address) => native.HEAPU8.set(bytes.subarray(offset, offset + length), address));
    },
  };
}

/**
 * Downloads `files` (required) and `optionalFiles` (skipped on 404) of
 * `model` into `repo`, in parallel; `extra` adds files already fetched, as
 * {path: text}. Weight files (`weights`) may stay outside wasm memory (on
 * disk in Node and browser workers, in JavaScript memory on a page: see weightSink); with
 * `external` they always do, and the core copies in one tensor at a time
 * (weights it converts anyway). Returns the set of paths now in the repo.
 */
export async function fillNativeRepo(native, repo, model, { files = [], optionalFiles = [], extra = {}, weights = false, external = false, ...options }) {
  const present = new Set();
  for (const [path, text] of Object.entries(extra)) {
    const bytes = new TextEncoder().encode(text);
    const sink = repoSink(native, repo, path);
    sink.allocate(bytes.length);
    sink.write(bytes, 0);
    present.add(path);
  }
  const fetchOne = async (path, optional) => {
    const sink = weights ? weightSink(native, repo, path, `${model}/${path}`, external) : repoSink(native, repo, path);
    if (!(await getFile(model, path, sink, { ...options, optional }))) return;
    sink.register?.();
    present.add(path);
  };
  await Promise.all([...files.map((p) => fetchOne(p, false)), ...optionalFiles.map((p) => fetchOne(p, true))]);
  return present;
}

/**
 * Refuses, with a MODEL_TOO_LARGE error, a model whose estimated memory
 * (memory_budget.js, from the safetensors headers read by Range requests)
 * exceeds env.backends.wasm.memoryLimit for `options.dtype`, before its
 * weights are downloaded (`options.config`: its config.json, for the KV
 * cache). Cached weights are not checked again. When the headers cannot be
 * read from the Hub (offline, local files only, a malformed header) there is
 * nothing to estimate from: the load goes on and the core reports the
 * problem, or OUT_OF_MEMORY if memory runs out.
 */
async function checkModelFits(model, files, options) {
  if (!env.allowRemoteModels) return;
  const cached = await Promise.all(files.map((file) => isCached(model, file, options)));
  if (cached.every(Boolean)) return;  // nothing to download
  let headers;
  try {
    headers = await readSafetensorsHeaders(model, files, options);
  } catch (error) {
    // Unreachable or malformed: the download and the core's safetensors
    // parser then report the problem precisely.
    if (error instanceof HubwasmError) return;
    throw error;
  }
  const limit = env.backends.wasm.memoryLimit;
  const dtype = options.dtype ?? 'fp32';
  const input = { tensors: headers.flatMap((h) => h.tensors), fileBytes: headers.reduce((a, h) => a + h.size, 0), config: options.config };
  const need = estimateMemory({ ...input, dtype });
  if (need.total <= limit) return;
  const fits = DTYPES.map((d) => ({ dtype: d, total: estimateMemory({ ...input, dtype: d }).total })).filter((d) => d.total <= limit);
  const hint = fits.length
    ? `dtype ${fits.map((d) => `'${d.dtype}' (about ${formatBytes(d.total)})`).join(' or ')} would fit`
    : `no dtype fits (${DTYPES.map((d) => `'${d}': ${formatBytes(estimateMemory({ ...input, dtype: d }).total)}`).join(', ')})`;
  throw new HubwasmError('MODEL_TOO_LARGE',
    `${model} needs about ${formatBytes(need.total)} of WebAssembly memory with dtype '${dtype}' ` +
    `(${(need.parameters / 1e6).toFixed(1)}M parameters: file bytes held ${formatBytes(need.files)}, converted weights ${formatBytes(need.weights)}, ` +
    `KV cache ${formatBytes(need.kvCache)}, runtime ${formatBytes(need.runtime)}), more than the ${formatBytes(limit)} limit; ${hint}`,
    { needed: need.total, limit, dtype, fits: fits.map((d) => d.dtype) });
}

/**
 * Downloads a repo's safetensors weights into `repo`: the shards that
 * model.safetensors.index.json lists, or model.safetensors. A repo with only
 * pickle / TF / Flax weights gets a MISSING_FILE error that says so.
 */
export async function fillWeights(native, repo, model, options) {
  const external = (STORAGE[options.dtype] ?? 'fp32') !== 'fp32';  // q8 / fp16 convert every tensor
  const index = await getJson(model, 'model.safetensors.index.json', { ...options, optional: true });
  if (index) {
    if (typeof index.weight_map !== 'object' || index.weight_map === null) {
      throw new HubwasmError('INVALID_FILE', `model.safetensors.index.json of ${model}: missing "weight_map"`);
    }
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    await checkModelFits(model, shards, options);
    await fillNativeRepo(native, repo, model, { ...options, weights: true, external, files: shards, extra: { 'model.safetensors.index.json': JSON.stringify(index) } });
    return;
  }
  await checkModelFits(model, ['model.safetensors'], options);
  const present = await fillNativeRepo(native, repo, model, { ...options, weights: true, external, optionalFiles: ['model.safetensors'] });
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
