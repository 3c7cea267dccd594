/**
 * How much WebAssembly memory a model needs, estimated from its safetensors
 * headers before any weight is downloaded, so that a model that cannot fit
 * is refused up front (HubwasmError 'MODEL_TOO_LARGE').
 *
 * How the core holds weights (src/models, src/ops/linear_q8), per parameter:
 *
 * | dtype | stored as      | held after load        | extra while loading        |
 * |-------|----------------|------------------------|----------------------------|
 * | fp32  | F32            | the file (views of it) | 0                          |
 * | fp32  | F16 / BF16     | 4 bytes (widened)      | the file, 2 bytes          |
 * | fp16  | any            | matrices: 2 bytes; vectors: 4 bytes | the largest tensor |
 * | q8    | any            | matrices: 1 byte + a float32 scale per 16 inputs (1.25 bytes; rows padded to 4, inputs to 16); vectors: 4 bytes | the largest tensor |
 *
 * fp32 loads view the downloaded files, which sit in WebAssembly memory in
 * full. q8 and fp16 loads convert every tensor, so their files stay outside
 * it (on disk in Node: the local file, the cache entry or the download
 * streamed to disk; in JavaScript memory in browsers) and the core reads one
 * tensor at a time into wasm memory (js/src/repo.js), a weight stored
 * (out, in) even a band of rows at a time (src/ops/weight_rows.h): the peak
 * there is the converted weights plus at most the largest tensor as stored,
 * the bound this estimate takes (GPT-2's Conv1D [in, out] weights are read
 * whole, and headers do not say which layout a matrix has).
 * On top come the runtime's own needs (RUNTIME_BYTES: code, tokenizer,
 * activations of a forward pass) and, for a decoder (config.json with
 * num_hidden_layers / n_layer and no encoder head), a float32 KV cache for
 * one sequence of min(max_position_embeddings, KV_CACHE_TOKENS) tokens.
 */

/** WebAssembly memory a wasm32 module can address (the build's MAXIMUM_MEMORY). */
export const WASM32_MEMORY_LIMIT = 4 * 2 ** 30;
/** Headroom for the runtime: the module's code and data, tokenizer, activations. */
export const RUNTIME_BYTES = 256 * 2 ** 20;
/** Tokens the KV cache estimate allows for (one sequence). */
export const KV_CACHE_TOKENS = 4096;
/** Input features per float32 scale in q8 (DecoderOptions::q8_block). */
export const Q8_BLOCK = 16;

/** dtype names -> the storage the estimate assumes ('fp32', 'fp16' or 'q8'). */
export const STORAGE = { fp32: 'fp32', float32: 'fp32', auto: 'fp32', fp16: 'fp16', float16: 'fp16', q8: 'q8', int8: 'q8' };
export const DTYPES = ['fp32', 'fp16', 'q8'];

const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FLOATS = new Set(['F32', 'F16', 'BF16']);

/** Bytes one tensor takes once loaded with `storage`, and whether it stays a view of the file. */
function heldBytes({ dtype, shape }, storage) {
  const numel = shape.reduce((a, b) => a * b, 1);
  if (!FLOATS.has(dtype)) return { bytes: numel * (DTYPE_BYTES[dtype] ?? 1), view: storage === 'fp32' };
  if (storage === 'q8' && shape.length === 2) {
    // Rows padded to groups of 4 and inputs to whole blocks (kernels::Q8Weights); a Conv1D matrix
    // ([in, out]) pads the other way round, so take the larger of the two.
    const padded = ([rows, cols]) => Math.ceil(rows / 4) * 4 * Math.ceil(cols / Q8_BLOCK) * (Q8_BLOCK + 4);
    return { bytes: Math.max(padded(shape), padded([shape[1], shape[0]])), view: false };
  }
  const target = storage === 'fp16' && shape.length === 2 ? 'F16' : 'F32';
  return { bytes: numel * DTYPE_BYTES[target], view: storage === 'fp32' && dtype === target };
}

/** The float32 KV cache of one sequence, for a decoder config; 0 for encoders. */
export function kvCacheBytes(config = {}) {
  const layers = config.num_hidden_layers ?? config.n_layer;
  const heads = config.num_attention_heads ?? config.n_head;
  const hidden = config.hidden_size ?? config.n_embd;
  const decoder = (config.architectures ?? []).some((a) => /CausalLM|LMHeadModel/.test(a)) || config.n_layer !== undefined;
  if (!decoder || !layers || !heads || !hidden) return 0;
  const headDim = config.head_dim ?? hidden / heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  const tokens = Math.min(config.max_position_embeddings ?? config.n_positions ?? KV_CACHE_TOKENS, KV_CACHE_TOKENS);
  return 2 * layers * kvHeads * headDim * tokens * 4;
}

/**
 * Bytes of WebAssembly memory needed to load and run a model whose
 * safetensors files hold `tensors` (header entries `{dtype, shape}`) in
 * `fileBytes` bytes in all, with `dtype`. Returns
 * `{ total, files, weights, kvCache, runtime, parameters }`; `files` is the
 * file bytes in wasm memory at once (all of them for fp32, the largest
 * tensor for q8 / fp16).
 */
export function estimateMemory({ tensors, fileBytes, config = {}, dtype = 'fp32' }) {
  const storage = STORAGE[dtype];
  if (!storage) throw new RangeError(`unknown dtype ${dtype}`);
  let weights = 0;  // converted weights, besides the files
  let parameters = 0;
  let largest = 0;  // bytes of the largest tensor as stored
  for (const t of tensors) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const held = heldBytes(t, storage);
    if (!held.view) weights += held.bytes;
    largest = Math.max(largest, numel * (DTYPE_BYTES[t.dtype] ?? 1));
    if (FLOATS.has(t.dtype)) parameters += numel;
  }
  // fp32 views the files in wasm memory; q8 and fp16 read one tensor at a time from outside it.
  const files = storage === 'fp32' ? fileBytes : largest;
  const kvCache = kvCacheBytes(config);
  return { total: files + weights + kvCache + RUNTIME_BYTES, files, weights, kvCache, runtime: RUNTIME_BYTES, parameters };
}

/**
 * The largest parameter count whose weights, stored as `stored` ('F32',
 * 'F16' or 'BF16', all matrices), fit in `limit` bytes with `dtype` (KV cache
 * and, for q8 / fp16, the one tensor being read while loading not counted):
 * the README's table.
 */
export function largestParameters(dtype, stored, limit = WASM32_MEMORY_LIMIT) {
  // One square matrix of 1024 x 1024 gives the per-parameter cost.
  const n = 1024 * 1024;
  const { files, weights } = estimateMemory({ tensors: [{ dtype: stored, shape: [1024, 1024] }], fileBytes: n * DTYPE_BYTES[stored], dtype });
  const perParameter = (STORAGE[dtype] === 'fp32' ? files + weights : weights) / n;
  return Math.floor((limit - RUNTIME_BYTES) / perParameter);
}

export const formatBytes = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);
