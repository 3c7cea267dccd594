import { IS_NODE } from './env.js';
import { HubwasmError } from './errors.js';

/**
 * What `generate({ streamer })` calls: `put(tokens)` with the prompt first,
 * then once per step with the new token of each row (bigint[][], as
 * transformers.js), and `end()` when generation stops.
 */
export class BaseStreamer {
  put(value) { throw new Error('BaseStreamer.put is not implemented'); }
  end() { throw new Error('BaseStreamer.end is not implemented'); }
}

const stdoutWrite = IS_NODE ? (text) => process.stdout.write(text) : (text) => console.log(text);

// CJK ideographs: each is a word of its own, so it can be shown at once.
const isCjk = (cp) =>
  (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);

/**
 * How much of `text` (the decode of every token so far) later tokens will
 * not change: nothing from a trailing U+FFFD run on (the bytes of a UTF-8
 * character still arriving); and of the rest, all of it when it ends a line
 * or with a CJK character (a word of its own), else up to the last space
 * that has a character after it (the last word may still grow a word piece,
 * and a lone trailing space may still be cleaned up before punctuation).
 */
function stableLength(text) {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end--;
  if (end === text.length && end > 0) {
    if (text[end - 1] === '\n') return end;
    const low = end >= 2 && (text.charCodeAt(end - 1) & 0xfc00) === 0xdc00;
    if (isCjk(text.codePointAt(low ? end - 2 : end - 1))) return end;
  }
  if (end < 2) return 0;
  return Math.max(text.lastIndexOf(' ', end - 2), text.lastIndexOf('\n', end - 2)) + 1;
}

/**
 * Streams generated text as it becomes final, as transformers.js's
 * TextStreamer: `callback_function(text)` receives pieces whose
 * concatenation is exactly the decode of the streamed tokens (the new ones
 * only with `skip_prompt`). Every step decodes the whole running sequence
 * (prompt included, so that a leading space or a merge across the prompt's
 * end comes out as in the full decode) and emits only the part that can no
 * longer change: never half a UTF-8 character, never a word piece before the
 * word is complete. Batch size 1, as in transformers.js.
 */
export class TextStreamer extends BaseStreamer {
  /**
   * @param {import('./tokenizers.js').PreTrainedTokenizer} tokenizer
   * @param {{ skip_prompt?: boolean, skip_special_tokens?: boolean, callback_function?: (text: string) => void,
   *           token_callback_function?: (tokens: bigint[]) => void, decode_kwargs?: object }} [options]
   */
  constructor(tokenizer, {
    skip_prompt = false, callback_function = null, token_callback_function = null, skip_special_tokens = true,
    decode_kwargs = {}, ...kwargs
  } = {}) {
    super();
    this.tokenizer = tokenizer;
    this.skip_prompt = skip_prompt;
    this.callback_function = callback_function ?? stdoutWrite;
    this.token_callback_function = token_callback_function;
    this.decode_kwargs = { skip_special_tokens, ...decode_kwargs, ...kwargs };
    this._reset();
  }

  _reset() {
    this.token_cache = [];  // every token of the run so far, prompt included
    this.print_len = 0;     // UTF-16 units of the decode already emitted (or skipped)
    this.next_tokens_are_prompt = true;
  }

  _decode() {
    return this.tokenizer.decode(this.token_cache, this.decode_kwargs);
  }

  /** @param {Array<Array<bigint|number>>} value one row of new tokens (the whole prompt first) */
  put(value) {
    if (value.length > 1) throw new HubwasmError('INVALID_ARGUMENT', 'TextStreamer only supports a batch size of 1');
    const tokens = Array.from(value[0] ?? [], Number);
    const isPrompt = this.next_tokens_are_prompt;
    this.next_tokens_are_prompt = false;
    if (!isPrompt) this.token_callback_function?.(tokens.map(BigInt));
    this.token_cache.push(...tokens);
    const text = this._decode();
    if (isPrompt) {
      if (this.skip_prompt) {
        this.print_len = text.length;
        return;
      }
      this._emit(text.slice(this.print_len), false);  // the prompt is final as it is
      this.print_len = text.length;
      return;
    }
    const stable = stableLength(text);
    if (stable > this.print_len) {
      this._emit(text.slice(this.print_len, stable), false);
      this.print_len = stable;
    }
  }

  /** Emits whatever is left and gets ready for the next run. */
  end() {
    const text = this.token_cache.length ? this._decode() : '';
    const rest = text.length > this.print_len ? text.slice(this.print_len) : '';
    this._reset();
    this._emit(rest, true);
  }

  /** Hands `text` to callback_function (a newline ends the run on stdout). */
  on_finalized_text(text, stream_end) {
    if (text.length > 0) this.callback_function?.(text);
    if (stream_end && this.callback_function === stdoutWrite && IS_NODE) this.callback_function('\n');
  }

  _emit(text, end) {
    this.on_finalized_text(text, end);
  }
}
