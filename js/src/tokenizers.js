import { Callable } from './callable.js';
import { getFile, memorySink } from './download.js';
import { HubwasmError, checkNative } from './errors.js';
import { fillNativeRepo, withNativeRepo } from './repo.js';
import { Tensor } from './tensor.js';

const CONFIG_FILES = ['special_tokens_map.json'];
// Fetched when a repo has no tokenizer.json (the native loader picks, in order:
// vocab.txt, tokenizer.model, spiece.model, vocab.json + merges.txt).
const FALLBACK_FILES = ['vocab.txt', 'tokenizer.model', 'spiece.model', 'vocab.json', 'merges.txt'];
// Special-token roles a chat template sees, as transformers.js passes them.
const SPECIAL_TOKEN_ROLES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

// @huggingface/jinja renders chat templates. It is imported when a tokenizer
// loads (apply_chat_template is synchronous, as in transformers.js), and a
// failure is kept for apply_chat_template to report: a page that imports
// js/src unbundled needs an import map entry for it.
let jinja = null;
let jinjaError = null;
let jinjaLoading = null;
function loadJinja() {
  jinjaLoading ??= import('@huggingface/jinja').then((module) => { jinja = module; }, (error) => { jinjaError = error; });
  return jinjaLoading;
}

// A token in tokenizer_config.json is a string or an AddedToken object.
const tokenContent = (value) => (typeof value === 'string' ? value : value?.content ?? null);

// Moves each row's padding (right, as the core pads) to its left end.
function padLeft(out, rows, seq) {
  const shift = (array) => {
    const result = new array.constructor(array.length);
    for (let r = 0; r < rows; r++) {
      let real = 0;
      for (let s = 0; s < seq; s++) real += out.attention_mask[r * seq + s] ? 1 : 0;
      const row = array.subarray(r * seq, (r + 1) * seq);
      result.set(row.subarray(real), r * seq);  // the padding first
      result.set(row.subarray(0, real), r * seq + (seq - real));
    }
    return result;
  };
  return { ...out, input_ids: shift(out.input_ids), attention_mask: shift(out.attention_mask), token_type_ids: shift(out.token_type_ids) };
}

function toIdTensor(data, dims) {
  return new Tensor('int64', BigInt64Array.from(data, BigInt), dims);
}

// The core reads UTF-8, and a JS string can hold lone surrogates that UTF-8
// cannot: they become U+FFFD, as TextEncoder (and so @huggingface/tokenizers'
// byte-level code) makes them. One UTF-16 unit each, so offsets still index
// the caller's string.
const wellFormed = (text) => text.toWellFormed();
// Writes U+FFFD for a lone surrogate, as wellFormed() then UTF-8 does.
const utf8Encoder = new TextEncoder();

/**
 * A tokenizer running in WebAssembly with Hugging Face tokenizers' semantics.
 * `tokenizer(texts, options)` returns `{ input_ids, attention_mask,
 * token_type_ids }` as int64 Tensors, as transformers.js does.
 */
export class PreTrainedTokenizer extends Callable {
  constructor(native, tokenizer, model_id, config = {}) {
    super();
    this._native = native;
    this._tokenizer = tokenizer;
    this.model_id = model_id;
    /** tokenizer_config.json, as a plain object ({} when the repo has none). */
    this.config = config ?? {};
    /** 'right' (default) or 'left': where padding goes; text generation pads on the left. */
    this.padding_side = this.config.padding_side ?? 'right';
    /** The Jinja chat template(s) of tokenizer_config.json, if any. */
    this.chat_template = this.config.chat_template ?? null;
    this._compiled_templates = new Map();
  }

  get add_bos_token() { return this.config.add_bos_token; }
  /** Id of the padding token, or null when the tokenizer has none. */
  get pad_token_id() {
    return checkNative(this._native, this._native.specialToken(this.native, 'pad_token'))?.id ?? null;
  }
  get add_eos_token() { return this.config.add_eos_token; }
  /** Id of the unknown token, or null when the tokenizer has none. */
  get unk_token_id() {
    return checkNative(this._native, this._native.specialToken(this.native, 'unk_token'))?.id ?? null;
  }

  /** @internal the native tokenizer, for pipelines */
  get native() {
    if (!this._tokenizer) throw new HubwasmError('INVALID_ARGUMENT', 'the tokenizer was disposed');
    return this._tokenizer;
  }

  /**
   * @param {string|string[]} text
   * With `return_offsets_mapping`, also `offset_mapping`: an int64 Tensor
   * [batch, seq, 2] of each token's [start, end) in UTF-16 code units of its
   * JS string (of `text_pair` for the pair's tokens; [0, 0] for special and
   * padding tokens), as transformers' `offset_mapping`.
   * @param {{text_pair?: string|string[], padding?: boolean|'longest'|'max_length', truncation?: boolean,
   *          max_length?: number, add_special_tokens?: boolean, return_offsets_mapping?: boolean}} [options]
   */
  _call(text, {
    text_pair = null, padding = false, truncation = null, max_length = null, add_special_tokens = true,
    return_offsets_mapping = false,
  } = {}) {
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
    if (this.padding_side !== 'left' && this.padding_side !== 'right') {
      throw new HubwasmError('INVALID_ARGUMENT', `padding_side must be 'left' or 'right', not ${JSON.stringify(this.padding_side)}`);
    }
    let out = this._encodeBatch(texts, pairs, {
      add_special_tokens, padding: paddingMode, truncation: truncation ?? null, max_length: max_length ?? null,
      return_offsets: Boolean(return_offsets_mapping),
    });
    if (this.padding_side === 'left' && !out.ragged) out = padLeft(out, texts.length, out.seq);
    if (out.ragged) {
      throw new HubwasmError('INVALID_ARGUMENT',
        'the sequences have different lengths: pass padding: true (and truncation: true) to make a batch');
    }
    const dims = [texts.length, out.seq];
    const result = {
      input_ids: toIdTensor(out.input_ids, dims),
      attention_mask: toIdTensor(out.attention_mask, dims),
      token_type_ids: toIdTensor(out.token_type_ids, dims),
    };
    if (return_offsets_mapping) result.offset_mapping = toIdTensor(out.offsets, [...dims, 2]);
    return result;
  }

  _encodeBatch(texts, pairs, options) {
    return checkNative(this._native, this.native.encodeBatch(texts.map(wellFormed), pairs?.map(wellFormed) ?? null, options));
  }

  /** Token ids of one text (with special tokens unless told otherwise). */
  encode(text, { text_pair = null, add_special_tokens = true } = {}) {
    if (typeof text !== 'string' || (text_pair !== null && typeof text_pair !== 'string')) {
      throw new HubwasmError('INVALID_ARGUMENT', 'encode: text and text_pair must be strings');
    }
    // The UTF-8 bytes go straight into the wasm memory (at most 3 per UTF-16 code unit).
    const native = this.native;
    const capacity = 3 * (text.length + (text_pair?.length ?? 0));
    const address = native.textBuffer(capacity);
    const heap = this._native.HEAPU8;  // after textBuffer: growing the memory replaces HEAPU8
    const textBytes = utf8Encoder.encodeInto(text, heap.subarray(address, address + capacity)).written;
    const pairBytes = text_pair === null ? -1
      : utf8Encoder.encodeInto(text_pair, heap.subarray(address + textBytes, address + capacity)).written;
    const ids = native.encodeIdsInBuffer(textBytes, pairBytes, add_special_tokens);
    return Array.from(ids ?? checkNative(this._native, ids));  // null only on failure
  }

  /**
   * Token strings of ids (a single id gives a single token), as transformers'
   * `convert_ids_to_tokens`: null for an id outside the vocabulary.
   * @param {number|number[]|bigint[]|Tensor} ids
   */
  convert_ids_to_tokens(ids) {
    const single = typeof ids === 'number' || typeof ids === 'bigint';
    const list = single ? [ids] : ids instanceof Tensor ? ids.data : ids;
    const tokens = checkNative(this._native, this.native.idsToTokens(Int32Array.from(list, Number)));
    return single ? tokens[0] : tokens;
  }

  /**
   * Ids of token strings (a single token gives a single id), as transformers'
   * `convert_tokens_to_ids`: a token outside the vocabulary gives the unknown
   * token's id, or null when the tokenizer has none.
   * @param {string|string[]} tokens
   */
  convert_tokens_to_ids(tokens) {
    const single = typeof tokens === 'string';
    const list = single ? [tokens] : tokens;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) {
      throw new HubwasmError('INVALID_ARGUMENT', 'convert_tokens_to_ids: tokens must be a string or an array of strings');
    }
    const found = checkNative(this._native, this.native.tokensToIds(list.map(wellFormed)));
    const unk = found.includes(null) ? this.unk_token_id : null;
    const ids = found.map((id) => id ?? unk);
    return single ? ids[0] : ids;
  }

  decode(token_ids, { skip_special_tokens = false, clean_up_tokenization_spaces = null } = {}) {
    const ids = Int32Array.from(token_ids instanceof Tensor ? token_ids.data : token_ids, Number);
    return checkNative(this._native, this.native.decode(ids, skip_special_tokens, clean_up_tokenization_spaces ?? null));
  }

  batch_decode(batch, options = {}) {
    const rows = batch instanceof Tensor ? batch.tolist() : batch;
    return rows.map((ids) => this.decode(ids, options));
  }

  /**
   * Renders a conversation ([{ role, content }, ...]) with the repo's Jinja
   * chat template (tokenizer_config.json `chat_template`), as transformers.js:
   * the text when `tokenize` is false; otherwise its tokens (no special tokens
   * added: the template writes them), as `{ input_ids, attention_mask }`
   * Tensors (`return_dict`, the default), the input_ids Tensor alone
   * (`return_dict: false`), or plain arrays (`return_tensor: false`).
   */
  apply_chat_template(conversation, {
    chat_template = null, tools = null, documents = null, add_generation_prompt = false, tokenize = true,
    padding = false, truncation = false, max_length = null, return_tensor = true, return_dict = true,
    tokenizer_kwargs = {}, ...kwargs
  } = {}) {
    if (!Array.isArray(conversation)) {
      throw new HubwasmError('INVALID_ARGUMENT', 'apply_chat_template: conversation must be an array of { role, content } messages');
    }
    const source = this.get_chat_template({ chat_template, tools });
    let template = this._compiled_templates.get(source);
    if (!template) {
      if (!jinja) {
        throw new HubwasmError('UNSUPPORTED_FEATURE',
          `apply_chat_template needs @huggingface/jinja, which could not be loaded (${jinjaError?.message ?? 'not loaded yet'}); ` +
          'a page importing hubwasm without a bundler needs an import map entry for "@huggingface/jinja"');
      }
      try {
        template = new jinja.Template(source);
      } catch (error) {
        throw new HubwasmError('INVALID_FILE', `chat_template of ${this.model_id} does not parse: ${error.message}`);
      }
      this._compiled_templates.set(source, template);
    }
    const special = {};
    for (const role of SPECIAL_TOKEN_ROLES) {
      const token = tokenContent(this.config[role]);
      if (token) special[role] = token;
    }
    let rendered;
    try {
      rendered = template.render({ messages: conversation, add_generation_prompt, tools, documents, ...special, ...kwargs });
    } catch (error) {
      throw new HubwasmError('INVALID_ARGUMENT', `chat_template of ${this.model_id}: ${error.message}`);
    }
    if (!tokenize) return rendered;
    const out = this._call(rendered, { add_special_tokens: false, padding, truncation, max_length, ...tokenizer_kwargs });
    delete out.token_type_ids;
    if (!return_tensor) {
      const ids = Array.from(out.input_ids.data, Number);
      return return_dict ? { input_ids: ids, attention_mask: Array.from(out.attention_mask.data, Number) } : ids;
    }
    return return_dict ? out : out.input_ids;
  }

  /** The chat template to use: `chat_template` (a template or a template name), else the repo's. */
  get_chat_template({ chat_template = null, tools = null } = {}) {
    let templates = this.chat_template;
    if (Array.isArray(templates)) templates = Object.fromEntries(templates.map((t) => [t.name, t.template]));
    if (templates && typeof templates === 'object') {
      if (chat_template !== null && Object.hasOwn(templates, chat_template)) return templates[chat_template];
      if (chat_template !== null) return chat_template;
      if (tools !== null && 'tool_use' in templates) return templates.tool_use;
      if ('default' in templates) return templates.default;
      throw new HubwasmError('INVALID_ARGUMENT',
        `${this.model_id} has several chat templates and no default: pass chat_template, one of ${Object.keys(templates).sort().join(', ')}`);
    }
    const template = chat_template ?? templates;
    if (typeof template !== 'string') {
      throw new HubwasmError('INVALID_ARGUMENT',
        `${this.model_id} has no chat_template in tokenizer_config.json; pass one with the chat_template option`);
    }
    return template;
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
    // tokenizer_config.json is read here too (chat template, padding side); the
    // core gets the original text (JSON.stringify would rewrite big integers).
    const jinjaReady = loadJinja();
    const sink = memorySink();
    const configText = (await getFile(model_id, 'tokenizer_config.json', sink, { ...options, optional: true }))
      ? new TextDecoder().decode(sink.view()) : null;
    let config = null;
    if (configText !== null) {
      try {
        config = JSON.parse(configText);
      } catch {
        throw new HubwasmError('INVALID_FILE', `tokenizer_config.json of ${model_id}: not valid JSON`);
      }
    }
    return withNativeRepo(async (native, repo) => {
      const present = await fillNativeRepo(native, repo, model_id, {
        ...options, optionalFiles: ['tokenizer.json', ...CONFIG_FILES],
        extra: configText !== null ? { 'tokenizer_config.json': configText } : {},
      });
      if (!present.has('tokenizer.json')) {
        await fillNativeRepo(native, repo, model_id, { ...options, optionalFiles: FALLBACK_FILES });
      }
      const tokenizer = checkNative(native, native.Tokenizer.load(repo), model_id);
      await jinjaReady;
      return new PreTrainedTokenizer(native, tokenizer, model_id, config ?? {});
    });
  }
}

/** Loads the tokenizer of a Hub repo, as transformers.js's AutoTokenizer. */
export class AutoTokenizer {
  static from_pretrained(model_id, options = {}) {
    return PreTrainedTokenizer.from_pretrained(model_id, options);
  }
}
