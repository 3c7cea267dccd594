// What the encoder pipelines (text/token classification, fill-mask, question
// answering, zero-shot) share: running padded batches through the native
// encoder with the tokenizer's per-token information, and small numerics.
import { Callable } from '../callable.js';
import { HubwasmError, checkNative } from '../errors.js';

/** Inputs per forward pass: a list runs as padded batches of this many rows. */
export const BATCH_SIZE = 32;

/** Softmax of an array-like, as a plain Array (max-subtracted, as transformers.js). */
export function softmax(values) {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export const sigmoid = (x) => 1 / (1 + Math.exp(-x));

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** id2label[i] from config.json, else `LABEL_${i}` (a label map may have gaps). */
export function labelOf(config, i) {
  return config?.id2label?.[i] ?? config?.id2label?.[String(i)] ?? `LABEL_${i}`;
}

/** A string or an array of strings, as a list; `what` names the argument in the error. */
export function textList(texts, what) {
  const list = Array.isArray(texts) ? texts : [texts];
  if (list.some((t) => typeof t !== 'string')) {
    throw new HubwasmError('INVALID_ARGUMENT', `${what} must be a string or an array of strings`);
  }
  return list;
}

// One row of a native run: per-token arrays (length seq) and the row's outputs.
function splitRows(out) {
  const { batch, seq } = out;
  const rows = [];
  const slice = (t, r) => {
    if (!t) return undefined;
    const width = t.data.length / batch;
    return { dims: t.dims.slice(1), data: t.data.subarray(r * width, (r + 1) * width) };
  };
  for (let r = 0; r < batch; r++) {
    const tokens = (a) => a.subarray(r * seq, (r + 1) * seq);
    rows.push({
      input_ids: tokens(out.input_ids),
      attention_mask: tokens(out.attention_mask),
      special_tokens_mask: tokens(out.special_tokens_mask),
      sequence_ids: tokens(out.sequence_ids),
      word_ids: tokens(out.word_ids),
      offsets: out.offsets.subarray(2 * r * seq, 2 * (r + 1) * seq),
      logits: slice(out.logits, r),
      start_logits: slice(out.start_logits, r),
      end_logits: slice(out.end_logits, r),
    });
  }
  return rows;
}

/** Base class: `{ task, model, tokenizer }` as transformers.js's Pipeline. */
export class EncoderPipeline extends Callable {
  constructor({ task, model, tokenizer }) {
    super();
    this.task = task;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** texts (and pairs) through the model in padded batches, truncated to the model's length; one entry per text. */
  _run(texts, pairs = null) {
    const native = this.model._native;
    const rows = [];
    for (let i = 0; i < texts.length; i += BATCH_SIZE) {
      const out = checkNative(native, native.encoderRun(this.tokenizer.native, this.model.native,
        texts.slice(i, i + BATCH_SIZE), pairs ? pairs.slice(i, i + BATCH_SIZE) : null));
      rows.push(...splitRows(out));
    }
    return rows;
  }

  /** One question over a context of any length, as chunks (see question-answering). */
  _runChunks(question, context, max_seq_len, doc_stride) {
    const native = this.model._native;
    return splitRows(checkNative(native, native.questionAnsweringRun(this.tokenizer.native, this.model.native,
      question, context, max_seq_len ?? null, doc_stride ?? null)));
  }

  /** {token, id} of a special-token role of the tokenizer ('mask_token', ...), or null. */
  _specialToken(role) {
    return checkNative(this.model._native, this.model._native.specialToken(this.tokenizer.native, role), this.tokenizer.model_id);
  }

  async dispose() {
    await this.model.dispose();
    this.tokenizer.dispose();
  }
}
