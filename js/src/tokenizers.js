import { Callable } from './callable.js';
import { HubwasmError, checkNative } from './errors.js';
import { fillNativeRepo, withNativeRepo } from './repo.js';
import { Tensor } from './tensor.js';

const CONFIG_FILES = ['tokenizer_config.json', 'special_tokens_map.json'];
// Tried in order when a repo has no tokenizer.json.
const FALLBACK_FILES = ['vocab.txt'];

function toIdTensor(data, dims) {
  return new Tensor('int64', BigInt64Array.from(data, BigInt), dims);
}

/**
 * A tokenizer running in WebAssembly with Hugging Face tokenizers' semantics.
 * `tokenizer(texts, options)` returns `{ input_ids, attention_mask,
 * token_type_ids }` as int64 Tensors, as transformers.js does.
 */
export class PreTrainedTokenizer extends Callable {
  constructor(native, tokenizer, model_id) {
    super();
    this._native = native;
    this._tokenizer = tokenizer;
    this.model_id = model_id;
  }

  /** @internal the native tokenizer, for pipelines */
  get native() {
    if (!this._tokenizer) throw new HubwasmError('INVALID_ARGUMENT', 'the tokenizer was disposed');
    return this._tokenizer;
  }

  /**
   * @param {string|string[]} text
   * @param {{text_pair?: string|string[], padding?: boolean|'longest'|'max_length', truncation?: boolean,
   *          max_length?: number, add_special_tokens?: boolean}} [options]
   */
  _call(text, { text_pair = null, padding = false, truncation = null, max_length = null, add_special_tokens = true } = {}) {
    const batched = Array.isArray(text);
    const texts = batched ? text : [text];
    let pairs = null;
    if (text_pair !== null && text_pair !== undefined) {
      pairs = Array.isArray(text_pair) ? text_pair : [text_pair];
      if (pairs.length !== texts.length) {
        throw new HubwasmError('INVALID_ARGUMENT', 'text and text_pair must have the same number of entries');
      }
    }
    for (const t of [...texts, ...(pairs ?? [])]) {
      if (typeof t !== 'string') throw new HubwasmError('INVALID_ARGUMENT', 'text must be a string or an array of strings');
    }
    const paddingMode = padding === true ? 'longest' : padding === false ? 'do_not_pad' : padding;
    const out = checkNative(this._native, this.native.encodeBatch(texts, pairs, {
      add_special_tokens, padding: paddingMode, truncation: truncation ?? null, max_length: max_length ?? null,
    }));
    if (out.ragged) {
      throw new HubwasmError('INVALID_ARGUMENT',
        'the sequences have different lengths: pass padding: true (and truncation: true) to make a batch');
    }
    const dims = [texts.length, out.seq];
    return {
      input_ids: toIdTensor(out.input_ids, dims),
      attention_mask: toIdTensor(out.attention_mask, dims),
      token_type_ids: toIdTensor(out.token_type_ids, dims),
    };
  }

  /** Token ids of one text (with special tokens unless told otherwise). */
  encode(text, { text_pair = null, add_special_tokens = true } = {}) {
    const { input_ids } = this._call(text, { text_pair, add_special_tokens });
    return Array.from(input_ids.data, Number);
  }

  decode(token_ids, { skip_special_tokens = false, clean_up_tokenization_spaces = null } = {}) {
    const ids = Int32Array.from(token_ids instanceof Tensor ? token_ids.data : token_ids, Number);
    return checkNative(this._native, this.native.decode(ids, skip_special_tokens, clean_up_tokenization_spaces ?? null));
  }

  batch_decode(batch, options = {}) {
    const rows = batch instanceof Tensor ? batch.tolist() : batch;
    return rows.map((ids) => this.decode(ids, options));
  }

  /** Largest input the tokenizer truncates to by default, from tokenizer_config.json. */
  get model_max_length() {
    return this.native.modelMaxLength() ?? undefined;
  }

  /** Frees the tokenizer's WebAssembly memory. */
  dispose() {
    this._tokenizer?.delete();
    this._tokenizer = null;
  }

  static async from_pretrained(model_id, options = {}) {
    return withNativeRepo(async (native, repo) => {
      const present = await fillNativeRepo(native, repo, model_id, {
        ...options, optionalFiles: ['tokenizer.json', ...CONFIG_FILES],
      });
      if (!present.has('tokenizer.json')) {
        await fillNativeRepo(native, repo, model_id, { ...options, optionalFiles: FALLBACK_FILES });
      }
      const tokenizer = checkNative(native, native.Tokenizer.load(repo), model_id);
      return new PreTrainedTokenizer(native, tokenizer, model_id);
    });
  }
}

/** Loads the tokenizer of a Hub repo, as transformers.js's AutoTokenizer. */
export class AutoTokenizer {
  static from_pretrained(model_id, options = {}) {
    return PreTrainedTokenizer.from_pretrained(model_id, options);
  }
}
