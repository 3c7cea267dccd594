import { HubwasmError, checkNative } from './errors.js';
import { loadConfig, PreTrainedModel } from './models.js';
import { fillNativeRepo, fillWeights, withNativeRepo } from './repo.js';
import { Tensor } from './tensor.js';

// dtype names of transformers.js the core can load; checked before any download.
const DTYPES = new Set(['fp32', 'float32', 'auto', 'fp16', 'float16', 'q8', 'int8']);

/** Rows of token ids from a Tensor [batch, seq] (or nested arrays) as one Int32Array. */
function idsOf(value, name) {
  if (value instanceof Tensor) {
    if (value.dims.length !== 2) throw new HubwasmError('INVALID_ARGUMENT', `${name} must be a 2-D Tensor [batch, sequence]`);
    const data = value.data instanceof Int32Array ? value.data : Int32Array.from(value.data, Number);
    return { data, batch: value.dims[0], seq: value.dims[1] };
  }
  if (Array.isArray(value) && value.every(Array.isArray)) {
    const seq = value[0]?.length ?? 0;
    if (value.some((row) => row.length !== seq)) throw new HubwasmError('INVALID_ARGUMENT', `the rows of ${name} differ in length`);
    return { data: Int32Array.from(value.flat(), Number), batch: value.length, seq };
  }
  throw new HubwasmError('INVALID_ARGUMENT', `${name} must be a Tensor [batch, sequence]`);
}

function sameShape(ids, other, name) {
  if (other && (other.batch !== ids.batch || other.seq !== ids.seq)) {
    throw new HubwasmError('INVALID_ARGUMENT', `${name} must have the shape of input_ids [${ids.batch}, ${ids.seq}]`);
  }
  return other;
}

const abortReason = (signal) => signal.reason ?? new DOMException('generation was aborted', 'AbortError');

// generate() runs one wasm step at a time and returns to the event loop at
// least this often, so timers (an AbortSignal's, a UI's) fire mid-run.
const YIELD_EVERY_MS = 25;

// A macrotask: setImmediate in Node (expired timers run before it), a
// MessageChannel message in browsers (setTimeout(0) is clamped to 4 ms there).
function nextMacrotask() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * A decoder (causal LM) in WebAssembly memory. `await model({ input_ids,
 * attention_mask })` returns `{ logits }` [batch, seq, vocab];
 * `await model.generate({ input_ids, attention_mask, max_new_tokens, ... })`
 * returns the sequences (prompt + new tokens) as an int64 Tensor, as
 * transformers.js.
 */
export class PreTrainedModelForCausalLM extends PreTrainedModel {
  constructor(config, native, decoder, info) {
    super(config, native, null);
    this._decoder = decoder;
    this._info = info;
    this._runs = 0;          // generate() calls in progress (each awaits between steps)
    this._disposed = null;   // the decoder dispose() left to the last of them
    /** generation_config.json's settings the core applies by default (eos_token_id, ...). */
    this.generation_config = info.generation;
  }

  /** @internal the native decoder */
  get native() {
    if (!this._decoder) throw new HubwasmError('INVALID_ARGUMENT', 'the model was disposed');
    return this._decoder;
  }

  /** Bytes the weights take in WebAssembly memory (after quantizing, for q8). */
  get weight_bytes() { return this._info.weight_bytes; }

  /** Logits [batch, seq, vocab] of a batch run from an empty cache; positions follow the attention mask. */
  async _call({ input_ids, attention_mask = null, position_ids = null }) {
    const ids = idsOf(input_ids, 'input_ids');
    const mask = sameShape(ids, attention_mask && idsOf(attention_mask, 'attention_mask'), 'attention_mask');
    const positions = sameShape(ids, position_ids && idsOf(position_ids, 'position_ids'), 'position_ids');
    const out = checkNative(this._native, this.native.forward(ids.data, mask?.data ?? null, positions?.data ?? null, ids.batch, ids.seq));
    return { logits: new Tensor('float32', out.data, out.dims) };
  }

  /**
   * Generates from `input_ids` [batch, seq] (left-padded for batches).
   * Options have transformers' names (max_new_tokens, max_length,
   * min_new_tokens, do_sample, temperature, top_k, top_p, min_p,
   * repetition_penalty, no_repeat_ngram_size, eos_token_id, pad_token_id,
   * seed, use_cache) over generation_config.json's; an unknown name is an
   * INVALID_ARGUMENT error. Also: `streamer` (put()/end(), e.g. a
   * TextStreamer), `stop_strings` (a string or strings; needs `tokenizer`),
   * `signal` (an AbortSignal: checked after every step, and the run returns
   * to the event loop every 25 ms so that timers can fire; an aborted run
   * rejects with signal.reason, as fetch() does, and the model stays usable;
   * transformers.js has no AbortSignal, its InterruptableStoppingCriteria
   * returns the tokens so far instead), `generation_config`
   * (an object of options). token_type_ids (from a tokenizer's output) are ignored.
   * @returns {Promise<Tensor>} int64 [batch, prompt + new tokens]
   */
  async generate({
    inputs = null, input_ids = inputs, attention_mask = null, token_type_ids, streamer = null, signal = null,
    stop_strings = null, tokenizer = null, generation_config = null, ...options
  } = {}) {
    if (input_ids === null || input_ids === undefined) throw new HubwasmError('INVALID_ARGUMENT', 'generate: input_ids is required');
    const ids = idsOf(input_ids, 'input_ids');
    const mask = sameShape(ids, attention_mask && idsOf(attention_mask, 'attention_mask'), 'attention_mask');
    const settings = { ...(generation_config ?? {}), ...options };
    const stops = stop_strings === null || stop_strings === undefined ? [] : [stop_strings].flat();
    if (stops.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw new HubwasmError('INVALID_ARGUMENT', 'stop_strings must be a non-empty string or an array of them');
    }
    if (stops.length && !tokenizer) {
      throw new HubwasmError('INVALID_ARGUMENT', 'stop_strings needs the tokenizer: pass generate({ ..., tokenizer })');
    }
    if (signal?.aborted) throw abortReason(signal);
    const decoder = this.native;

    const { batch, seq } = ids;
    const eos = [settings.eos_token_id ?? this.generation_config.eos_token_id ?? this._info.eos_token_id ?? []].flat().map(Number);
    const newTokens = Array.from({ length: batch }, () => []);
    const finished = new Array(batch).fill(false);  // by EOS or a stop string
    const stoppedAt = new Array(batch).fill(-1);    // step at which a stop string completed
    const prevText = new Array(batch).fill('');
    let failure = null;
    let aborted = false;

    const onStep = (tokens) => {
      try {
        const step = newTokens[0].length;
        if (step === 0 && streamer) {
          // The prompt first, as transformers.js (here, once the options have been accepted).
          streamer.put(Array.from({ length: batch }, (_, r) => Array.from(ids.data.subarray(r * seq, (r + 1) * seq), BigInt)));
        }
        for (let r = 0; r < batch; r++) {
          const token = tokens[r];
          newTokens[r].push(token);
          if (finished[r]) continue;
          if (eos.includes(token)) {
            finished[r] = true;
          } else if (stops.length) {
            const text = tokenizer.decode(newTokens[r], { skip_special_tokens: false });
            const from = prevText[r].length;
            if (stops.some((s) => text.indexOf(s, Math.max(0, from - s.length + 1)) !== -1)) {
              finished[r] = true;
              stoppedAt[r] = step;
            }
            prevText[r] = text;
          }
        }
        streamer?.put(Array.from(tokens, (t) => [BigInt(t)]));
        if (signal?.aborted) {
          aborted = true;
          return false;
        }
        return !finished.every(Boolean);
      } catch (error) {
        failure = error;
        return false;
      }
    };

    const run = checkNative(this._native, decoder.start(ids.data, mask?.data ?? null, batch, seq, settings));
    this._runs++;
    let out;
    try {
      let lastYield = Date.now();
      while (!run.done()) {
        const tokens = checkNative(this._native, run.step());
        if (!onStep(tokens)) run.stop();
        if (!run.done() && Date.now() - lastYield >= YIELD_EVERY_MS) {
          await nextMacrotask();
          lastYield = Date.now();
          if (!this._decoder) throw new HubwasmError('INVALID_ARGUMENT', 'the model was disposed during generate()');
          if (signal?.aborted) {
            aborted = true;
            run.stop();
          }
        }
      }
      out = run.result();
    } finally {
      run.delete();
      if (--this._runs === 0 && this._disposed) {
        this._disposed.delete();
        this._disposed = null;
      }
    }
    if (failure) throw failure;
    if (aborted) {
      streamer?.end();
      throw abortReason(signal);
    }
    streamer?.end();
    const sequences = out.sequences;
    if (stoppedAt.some((s) => s >= 0)) {
      // Rows stopped by a stop string while others went on are padded, as finished rows are.
      const pad = settings.pad_token_id ?? this.generation_config.pad_token_id ?? this._info.pad_token_id ?? eos[0] ?? 0;
      for (let r = 0; r < batch; r++) {
        if (stoppedAt[r] < 0) continue;
        for (let c = seq + stoppedAt[r] + 1; c < out.length; c++) sequences[r * out.length + c] = pad;
      }
    }
    return new Tensor('int64', BigInt64Array.from(sequences, BigInt), [out.batch, out.length]);
  }

  /** Frees the model's WebAssembly memory. */
  async dispose() {
    // A generate() still running reads the weights: it frees them when it ends.
    if (this._runs === 0) this._decoder?.delete();
    else this._disposed = this._decoder;
    this._decoder = null;
  }
}

/**
 * Loads a decoder (gpt2, llama, mistral, qwen2, gemma, phi3) from its config.json and
 * safetensors, as transformers.js's AutoModelForCausalLM. `dtype`: 'fp32'
 * (default; f16/bf16 weights are widened), 'fp16' (linear layers and
 * embeddings kept or rounded to 16-bit halves while loading) or 'q8' (linear
 * layers and embeddings quantized to int8 blocks while loading).
 */
export class AutoModelForCausalLM {
  static async from_pretrained(model_id, options = {}) {
    const { dtype = 'fp32' } = options;
    if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
      throw new HubwasmError('INVALID_ARGUMENT', `dtype ${JSON.stringify(dtype)} is not supported (supported: fp32, fp16, q8)`);
    }
    const config = options.config ?? (await loadConfig(model_id, options));
    return withNativeRepo(async (native, repo) => {
      await fillNativeRepo(native, repo, model_id, {
        ...options, optionalFiles: ['generation_config.json'], extra: { 'config.json': JSON.stringify(config) },
      });
      await fillWeights(native, repo, model_id, { ...options, config });
      const decoder = checkNative(native, native.Decoder.load(repo, dtype), model_id);
      // The safetensors bytes go now, before anything else is loaded (fp16
      // and q8 models keep no view of them; fp32 ones view them in place).
      repo.releaseWeights();
      const info = checkNative(native, decoder.info(), model_id);
      return new PreTrainedModelForCausalLM(config, native, decoder, info);
    });
  }
}
