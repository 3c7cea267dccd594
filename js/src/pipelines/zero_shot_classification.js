import { HubwasmError } from '../errors.js';
import { EncoderPipeline, softmax, textList } from './encoder_common.js';

/**
 * zero-shot-classification with an NLI model, as transformers.js: each
 * candidate label becomes the hypothesis `hypothesis_template` ("This example
 * is {}.") with the text as premise. Single-label: the softmax of the
 * entailment logits over the labels; `multi_label` (or a single label): per
 * label, the softmax of [contradiction, entailment]. Entailment and
 * contradiction ids come from config.label2id (case-insensitive; "entailment",
 * "contradiction" or "not_entailment"; 2 and 0 when absent). Returns
 * `{ sequence, labels, scores }` sorted by score (one per text for a list).
 */
export class ZeroShotClassificationPipeline extends EncoderPipeline {
  constructor(options) {
    super(options);
    const label2id = Object.fromEntries(Object.entries(this.model.config.label2id ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.entailment_id = label2id.entailment ?? 2;
    this.contradiction_id = label2id.contradiction ?? label2id.not_entailment ?? 0;
  }

  async _call(texts, candidate_labels, { hypothesis_template = 'This example is {}.', multi_label = false } = {}) {
    const list = textList(texts, 'zero-shot-classification: texts');
    const labels = textList(candidate_labels, 'zero-shot-classification: candidate_labels');
    if (!labels.length) throw new HubwasmError('INVALID_ARGUMENT', 'zero-shot-classification: candidate_labels must not be empty');
    const hypotheses = labels.map((x) => hypothesis_template.replace('{}', x));
    const softmaxEach = multi_label || labels.length === 1;
    // Every (premise, hypothesis) pair in padded batches.
    const premises = list.flatMap((t) => hypotheses.map(() => t));
    const rows = this._run(premises, list.flatMap(() => hypotheses));
    const toReturn = list.map((premise, p) => {
      const logits = rows.slice(p * labels.length, (p + 1) * labels.length).map((r) => r.logits.data);
      const scores = softmaxEach
        ? logits.map((l) => softmax([l[this.contradiction_id], l[this.entailment_id]])[1])
        : softmax(logits.map((l) => l[this.entailment_id]));
      const order = scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      return { sequence: premise, labels: order.map(([, i]) => labels[i]), scores: order.map(([s]) => s) };
    });
    return Array.isArray(texts) ? toReturn : toReturn[0];
  }
}
