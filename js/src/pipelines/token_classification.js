import { HubwasmError } from '../errors.js';
import { EncoderPipeline, argmax, labelOf, softmax, textList } from './encoder_common.js';

const STRATEGIES = ['none', 'simple', 'first', 'average', 'max'];

// "B-PER" -> ['B', 'PER']; "I-PER" -> ['I', 'PER']; anything else is an inside tag of itself.
function getTag(entity) {
  if (entity.startsWith('B-')) return ['B', entity.slice(2)];
  if (entity.startsWith('I-')) return ['I', entity.slice(2)];
  return ['I', entity];
}

/**
 * token-classification / ner. Per token (aggregation_strategy 'none'):
 * `{ entity, score, index, word, start, end }`; grouped ('simple', 'first',
 * 'average', 'max'): `{ entity_group, score, word, start, end }`, where start
 * and end are character offsets (JavaScript string indices) into the input.
 * Special and padding tokens are skipped. 'first', 'average' and 'max' first
 * merge the sub-tokens of each word (the label of its first token, of the
 * average of its tokens' scores, or of its most confident token), as
 * transformers' Python pipeline; entities are then grouped by B-/I- tags and
 * entities whose label is in `ignore_labels` (default ['O']) are dropped.
 * A string gives a list of entities; a list of texts one list per text.
 */
export class TokenClassificationPipeline extends EncoderPipeline {
  async _call(texts, { ignore_labels = ['O'], aggregation_strategy = 'none' } = {}) {
    if (!STRATEGIES.includes(aggregation_strategy)) {
      throw new HubwasmError('INVALID_ARGUMENT',
        `Invalid aggregation_strategy: "${aggregation_strategy}". Must be one of ${STRATEGIES.map((s) => `"${s}"`).join(', ')}.`);
    }
    const list = textList(texts, `${this.task}: texts`);
    if (list.length === 0) return [];
    const ignore = new Set(ignore_labels ?? []);
    const toReturn = [];
    for (const row of this._run(list)) {
      const seq = row.input_ids.length;
      const width = row.logits.data.length / seq;
      const pre = [];
      for (let j = 0; j < seq; j++) {
        if (!row.attention_mask[j] || row.special_tokens_mask[j]) continue;
        pre.push({
          index: j,
          id: row.input_ids[j],
          scores: softmax(row.logits.data.subarray(j * width, (j + 1) * width)),
          start: row.offsets[2 * j],
          end: row.offsets[2 * j + 1],
          word_id: row.word_ids[j],
        });
      }
      let entities;
      if (aggregation_strategy === 'none' || aggregation_strategy === 'simple') {
        entities = pre.map((p) => {
          const best = argmax(p.scores);
          return { entity: labelOf(this.model.config, best), score: p.scores[best], index: p.index,
            word: this.tokenizer.decode([p.id]), start: p.start, end: p.end, ids: [p.id] };
        });
      } else {
        entities = this._words(pre).map((word) => this._aggregateWord(word, aggregation_strategy));
      }
      if (aggregation_strategy !== 'none') entities = this._groupEntities(entities);
      toReturn.push(entities
        .filter((e) => !ignore.has(e.entity ?? e.entity_group))
        .map(({ ids, ...rest }) => rest));
    }
    return Array.isArray(texts) ? toReturn : toReturn[0];
  }

  // Consecutive tokens of one pre-tokenized word (a word's sub-tokens share its word id).
  _words(pre) {
    const words = [];
    for (const p of pre) {
      const last = words.at(-1)?.at(-1);
      if (last && p.word_id >= 0 && p.word_id === last.word_id) words.at(-1).push(p);
      else words.push([p]);
    }
    return words;
  }

  _aggregateWord(tokens, strategy) {
    let scores;
    if (strategy === 'first') {
      scores = tokens[0].scores;
    } else if (strategy === 'max') {
      let best = tokens[0];
      for (const t of tokens) if (Math.max(...t.scores) > Math.max(...best.scores)) best = t;
      scores = best.scores;
    } else {  // average
      scores = tokens[0].scores.map((_, k) => tokens.reduce((s, t) => s + t.scores[k], 0) / tokens.length);
    }
    const best = argmax(scores);
    const ids = tokens.map((t) => t.id);
    return { entity: labelOf(this.model.config, best), score: scores[best],
      word: this.tokenizer.decode(ids, { skip_special_tokens: true }),
      start: tokens[0].start, end: tokens.at(-1).end, ids };
  }

  _groupEntities(entities) {
    const groups = [];
    let current = [];
    const close = () => {
      if (!current.length) return;
      const ids = current.flatMap((e) => e.ids);
      groups.push({
        entity_group: getTag(current[0].entity)[1],
        score: current.reduce((s, e) => s + e.score, 0) / current.length,
        word: this.tokenizer.decode(ids, { skip_special_tokens: true }),
        start: current[0].start,
        end: current.at(-1).end,
        ids,
      });
    };
    for (const e of entities) {
      if (current.length) {
        const [bi, tag] = getTag(e.entity);
        const [, lastTag] = getTag(current.at(-1).entity);
        if (tag === lastTag && bi !== 'B') {
          current.push(e);
          continue;
        }
        close();
      }
      current = [e];
    }
    close();
    return groups;
  }
}
