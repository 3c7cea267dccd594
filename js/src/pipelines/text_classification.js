import { HubwasmError } from '../errors.js';
import { EncoderPipeline, labelOf, sigmoid, softmax, textList } from './encoder_common.js';

/**
 * text-classification / sentiment-analysis, as transformers.js: scores are the
 * softmax of the logits (a sigmoid per label when config.problem_type is
 * "multi_label_classification", or when the model has a single label), the
 * best `top_k` (default 1; null or 0 = all labels) as `{ label, score }`.
 * A string with top_k 1 gives `[{ label, score }]`; a list with top_k 1 one
 * entry per text; otherwise one list per text (or the text's list for a string).
 */
export class TextClassificationPipeline extends EncoderPipeline {
  async _call(texts, { top_k = 1 } = {}) {
    const list = textList(texts, `${this.task}: texts`);
    if (top_k !== null && top_k !== undefined && !(Number.isInteger(top_k) && top_k >= 0)) {
      throw new HubwasmError('INVALID_ARGUMENT', `${this.task}: top_k must be a non-negative integer or null`);
    }
    if (list.length === 0) return [];
    const { config } = this.model;
    const toReturn = [];
    for (const row of this._run(list)) {
      const logits = row.logits.data;
      const multi = config.problem_type === 'multi_label_classification' || logits.length === 1;
      const scores = multi ? Array.from(logits, sigmoid) : softmax(logits);
      const k = top_k ? Math.min(top_k, scores.length) : scores.length;
      const best = scores.map((score, i) => ({ label: labelOf(config, i), score, i }))
        .sort((a, b) => b.score - a.score || a.i - b.i)
        .slice(0, k)
        .map(({ label, score }) => ({ label, score }));
      if (top_k === 1) toReturn.push(...best);
      else toReturn.push(best);
    }
    return Array.isArray(texts) || top_k === 1 ? toReturn : toReturn[0];
  }
}
