import { HubwasmError } from '../errors.js';
import { EncoderPipeline, softmax, textList } from './encoder_common.js';

/**
 * question-answering: `await qa(question, context, options)` gives the best
 * answer span `{ answer, score, start, end }` (a list of the `top_k` best
 * when top_k > 1; one result per pair when question/context are lists).
 * `start`/`end` are character offsets (JavaScript string indices) into the
 * context and `answer` is `context.slice(start, end)`.
 *
 * Scores as transformers.js: per chunk, the softmax of the start and end
 * logits over the context tokens and the first token ([CLS]), whose own
 * score is zeroed; a span's score is p_start * p_end, with start <= end
 * (and at most `max_answer_len` tokens when given). Contexts longer than the
 * model (or `max_seq_len`, default min(384, model length)) are split into
 * chunks that overlap by `doc_stride` tokens (default min(128, max_seq_len / 2)),
 * as transformers' Python pipeline does, and the best spans over all chunks win.
 */
export class QuestionAnsweringPipeline extends EncoderPipeline {
  async _call(question, context, { top_k = 1, max_seq_len = null, doc_stride = null, max_answer_len = null } = {}) {
    const batched = Array.isArray(question) || Array.isArray(context);
    let questions = textList(question, 'question-answering: question');
    let contexts = textList(context, 'question-answering: context');
    if (questions.length === 1 && contexts.length > 1) questions = contexts.map(() => questions[0]);
    if (contexts.length === 1 && questions.length > 1) contexts = questions.map(() => contexts[0]);
    if (questions.length !== contexts.length) {
      throw new HubwasmError('INVALID_ARGUMENT', 'question-answering: question and context lists must have the same length');
    }
    if (!(Number.isInteger(top_k) && top_k >= 1)) throw new HubwasmError('INVALID_ARGUMENT', 'question-answering: top_k must be a positive integer');
    const results = questions.map((q, i) => this._answer(q, contexts[i], { top_k, max_seq_len, doc_stride, max_answer_len }));
    const shaped = results.map((r) => (top_k === 1 ? r[0] : r));
    return batched ? shaped : shaped[0];
  }

  _answer(question, context, { top_k, max_seq_len, doc_stride, max_answer_len }) {
    const best = new Map();  // "start,end" -> best score over chunks
    for (const row of this._runChunks(question, context, max_seq_len, doc_stride)) {
      const seq = row.input_ids.length;
      const valid = [];
      for (let i = 1; i < seq; i++) if (row.attention_mask[i] && row.sequence_ids[i] === 1) valid.push(i);
      if (!valid.length) continue;
      const masked = (logits) => {
        const out = new Array(seq).fill(-Infinity);
        out[0] = logits[0];
        for (const i of valid) out[i] = logits[i];
        return softmax(out);
      };
      const ps = masked(row.start_logits.data);
      const pe = masked(row.end_logits.data);
      // This chunk's top_k spans (enough: a span among the best top_k overall is among the top_k of the
      // chunk where it scores best), kept sorted, best first.
      const top = [];
      for (const s of valid) {
        for (const e of valid) {
          if (e < s || (max_answer_len && e - s + 1 > max_answer_len)) continue;
          const score = ps[s] * pe[e];
          if (top.length === top_k && score <= top[top_k - 1].score) continue;
          let at = top.length;
          while (at > 0 && top[at - 1].score < score) at--;
          top.splice(at, 0, { score, s, e });
          if (top.length > top_k) top.pop();
        }
      }
      for (const { score, s, e } of top) {
        const key = `${row.offsets[2 * s]},${row.offsets[2 * e + 1]}`;
        if (!(best.get(key) >= score)) best.set(key, score);
      }
    }
    const spans = [...best].map(([key, score]) => {
      const [start, end] = key.split(',').map(Number);
      return { answer: context.slice(start, end), score, start, end };
    }).sort((a, b) => b.score - a.score || a.start - b.start || a.end - b.end);
    if (!spans.length) return [{ answer: '', score: 0, start: 0, end: 0 }];
    return spans.slice(0, top_k);
  }
}
