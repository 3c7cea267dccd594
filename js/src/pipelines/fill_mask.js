import { HubwasmError } from '../errors.js';
import { EncoderPipeline, softmax, textList } from './encoder_common.js';

/**
 * fill-mask, as transformers.js: for the first mask token of each text, the
 * `top_k` (default 5) most likely tokens as `{ score, token, token_str,
 * sequence }` (sequence: the text with the token in place, decoded without
 * special tokens). A string gives one list; a list of texts one list per text.
 */
export class FillMaskPipeline extends EncoderPipeline {
  async _call(texts, { top_k = 5 } = {}) {
    const list = textList(texts, 'fill-mask: texts');
    if (!(Number.isInteger(top_k) && top_k >= 1)) throw new HubwasmError('INVALID_ARGUMENT', 'fill-mask: top_k must be a positive integer');
    const mask = this._specialToken('mask_token');
    if (!mask) {
      throw new HubwasmError('UNSUPPORTED_FEATURE',
        `fill-mask: the tokenizer of ${this.tokenizer.model_id} has no mask token (mask_token in tokenizer_config.json / special_tokens_map.json)`);
    }
    if (list.length === 0) return [];
    const toReturn = [];
    for (const row of this._run(list)) {
      const seq = row.input_ids.length;
      const index = row.input_ids.indexOf(mask.id);
      if (index === -1) throw new HubwasmError('INVALID_ARGUMENT', `Mask token (${mask.token}) not found in text.`);
      const vocab = row.logits.data.length / seq;
      const scores = softmax(row.logits.data.subarray(index * vocab, (index + 1) * vocab));
      const order = scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, Math.min(top_k, vocab));
      const ids = Array.from(row.input_ids).filter((_, i) => row.attention_mask[i] === 1);
      toReturn.push(order.map(([score, token]) => {
        const sequence = ids.slice();
        sequence[index] = token;
        return {
          score,
          token,
          token_str: this.tokenizer.decode([token]),
          sequence: this.tokenizer.decode(sequence, { skip_special_tokens: true }),
        };
      }));
    }
    return Array.isArray(texts) ? toReturn : toReturn[0];
  }
}
