// Encoder heads and pipelines in WebAssembly. Model outputs are checked against ONNX Runtime on the ONNX export
// of the same weights and against the torch outputs written with each fixture (tests/fixtures/
// make_encoder_fixtures.py -> build/fixtures, `make fixtures`), within 1e-4. Pipeline results are checked
// against expectations computed here from the raw logits, following transformers.js's documented behaviour
// (and transformers' Python pipeline for what transformers.js lacks: start/end offsets, the first/average/max
// aggregations, QA chunking), and against transformers.js itself where it runs the same weights.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  AutoModel, AutoModelForMaskedLM, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
  AutoModelForTokenClassification, AutoTokenizer, Tensor, pipeline, wasmMemoryInUse,
} from 'hubwasm';
import { linkedHubRoot, useLocalHub } from './local_hub.mjs';
import { loadTorchRef, maxAbsDiff, modelsRoot, runOnnx, transformersJs } from './reference.mjs';

const TOLERANCE = 1e-4;
const fixturesRoot = process.env.HUBWASM_FIXTURES ??
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../build/fixtures');
const fixtureDir = (name) => path.join(fixturesRoot, `hubwasm-fixtures--${name}`);
const id = (name) => `hubwasm-fixtures/${name}`;

// One server root: the shared models, the generated fixtures, and repos made here for edge cases.
const root = linkedHubRoot('hubwasm-encoders-', [modelsRoot, fixturesRoot]);
// A tokenizer without a mask token: micro-bert-mlm with [MASK] renamed.
const nomask = path.join(root, 'hubwasm-fixtures--micro-bert-mlm-nomask');
fs.cpSync(fixtureDir('micro-bert-mlm'), nomask, { recursive: true });
const nomaskTokenizer = fs.readFileSync(path.join(nomask, 'tokenizer.json'), 'utf8').replaceAll('[MASK]', '[MASQ]');
fs.writeFileSync(path.join(nomask, 'tokenizer.json'), nomaskTokenizer);
for (const f of ['special_tokens_map.json', 'tokenizer_config.json']) {
  const j = JSON.parse(fs.readFileSync(path.join(nomask, f), 'utf8'));
  delete j.mask_token;
  fs.writeFileSync(path.join(nomask, f), JSON.stringify(j));
}
fs.rmSync(path.join(nomask, 'vocab.txt'));
useLocalHub({ root, removeRoot: true });

// --- independent helpers ------------------------------------------------------------------------------------

function softmax(xs) {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
const argmaxOf = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
const close = (a, b, tol = 1e-5) => Math.abs(a - b) <= tol;
const asTensor = (ref) => new Tensor(ref.data instanceof BigInt64Array ? 'int64' : 'float32', ref.data, ref.dims);
const rows = (t) => t.tolist();

// --- heads vs ONNX Runtime and torch -------------------------------------------------------------------------

const HEADS = [
  ['bert-mlm', AutoModelForMaskedLM], ['bert-ner', AutoModelForTokenClassification],
  ['bert-qa', AutoModelForQuestionAnswering], ['bert-nli', AutoModelForSequenceClassification],
  ['distilbert-mlm', AutoModelForMaskedLM], ['distilbert-ner', AutoModelForTokenClassification],
  ['distilbert-qa', AutoModelForQuestionAnswering],
  ['roberta-mlm', AutoModelForMaskedLM], ['roberta-cls', AutoModelForSequenceClassification],
  ['xlm-roberta-ner', AutoModelForTokenClassification], ['xlm-roberta-qa', AutoModelForQuestionAnswering],
  ['electra-mlm', AutoModelForMaskedLM], ['electra-cls', AutoModelForSequenceClassification],
  ['electra-ner', AutoModelForTokenClassification], ['electra-qa', AutoModelForQuestionAnswering],
  ['albert-mlm', AutoModelForMaskedLM], ['albert-cls', AutoModelForSequenceClassification],
  ['albert-ner', AutoModelForTokenClassification], ['albert-qa', AutoModelForQuestionAnswering],
  ['mpnet-mlm', AutoModelForMaskedLM], ['mpnet-cls', AutoModelForSequenceClassification],
  ['mpnet-ner', AutoModelForTokenClassification], ['mpnet-qa', AutoModelForQuestionAnswering],
  ['deberta-v3-mlm', AutoModelForMaskedLM], ['deberta-v3-nli', AutoModelForSequenceClassification],
  ['deberta-v3-ner', AutoModelForTokenClassification], ['deberta-v3-qa', AutoModelForQuestionAnswering],
  ['deberta-v2-mlm', AutoModelForMaskedLM],
];

describe('heads match ONNX Runtime and torch on the same weights', () => {
  for (const [name, Auto] of HEADS) {
    test(`micro-${name} (${Auto.name})`, async () => {
      const dir = fixtureDir(`micro-${name}`);
      const ref = loadTorchRef(dir, 'encoder');
      const inputs = { input_ids: asTensor(ref.input_ids), attention_mask: asTensor(ref.attention_mask) };
      if (ref.token_type_ids) inputs.token_type_ids = asTensor(ref.token_type_ids);
      const model = await Auto.from_pretrained(id(`micro-${name}`));
      const out = await model(inputs);
      const onnx = await runOnnx(dir, ref);
      const mask = ref.attention_mask.data;
      const outputs = out.start_logits ? ['start_logits', 'end_logits'] : ['logits'];
      let vsOnnx = 0;
      let vsTorch = 0;
      for (const o of outputs) {
        assert.deepEqual(out[o].dims, onnx[o].dims);
        const perToken = out[o].dims.length >= 2 && out[o].dims[1] === ref.input_ids.dims[1] && !name.endsWith('cls') && !name.endsWith('nli');
        const width = perToken ? out[o].data.length / mask.length : 0;
        const keep = perToken ? (i) => mask[Math.floor(i / width)] === 1n : () => true;
        vsOnnx = Math.max(vsOnnx, maxAbsDiff(out[o].data, onnx[o].data, keep));
        vsTorch = Math.max(vsTorch, maxAbsDiff(out[o].data, ref[o].data, keep));
      }
      console.log(`micro-${name} max abs error: vs ONNX Runtime ${vsOnnx.toExponential(2)}, vs torch ${vsTorch.toExponential(2)}`);
      assert.ok(vsOnnx < TOLERANCE && vsTorch < TOLERANCE);
      await model.dispose();
    });
  }

  test('a head missing from the weights is a clear error naming the tensor', async () => {
    await assert.rejects(pipeline('fill-mask', id('micro-bert')),
      (e) => e.code === 'MISSING_TENSOR' && e.message.includes('cls.predictions.transform.dense.weight'));
    await assert.rejects(AutoModelForQuestionAnswering.from_pretrained(id('micro-bert-ner')),
      (e) => e.code === 'MISSING_TENSOR' && e.message.includes('qa_outputs.weight'));
  });
});

// --- text-classification ------------------------------------------------------------------------------------

describe('text-classification', () => {
  test('tiny-sentiment-bert: logits match the torch reference and every sentence gets its label', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(modelsRoot, 'hubwasm-fixtures--tiny-sentiment-bert/reference/logits.json'), 'utf8'));
    const classifier = await pipeline('sentiment-analysis', id('tiny-sentiment-bert'));
    const texts = ref.cases.map((c) => c.text);
    const out = await classifier(texts);
    const all = await classifier(texts, { top_k: null });
    let err = 0;
    ref.cases.forEach((c, i) => {
      const probs = softmax(c.logits);
      const best = argmaxOf(probs);
      assert.equal(out[i].label, ref.id2label[best]);
      assert.equal(out[i].label, c.expected_label);
      err = Math.max(err, Math.abs(out[i].score - probs[best]));
      // top_k null: every label, best first.
      assert.deepEqual(all[i].map((x) => x.label), probs.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]).map(([, k]) => ref.id2label[k]));
    });
    console.log(`tiny-sentiment-bert: ${ref.cases.length}/${ref.cases.length} labels right, max score error vs softmax(torch logits) ${err.toExponential(2)}`);
    assert.ok(err < 1e-5);
    // One string, top_k 1: a list of one; top_k 2: that text's list.
    const one = await classifier(texts[0]);
    assert.equal(one.length, 1);
    assert.deepEqual(Object.keys(one[0]), ['label', 'score']);
    const two = await classifier(texts[0], { top_k: 2 });
    assert.equal(two.length, 2);
    assert.ok(close(two[0].score + two[1].score, 1));
    // A batch equals one by one.
    for (let i = 0; i < texts.length; i++) {
      const [single] = await classifier(texts[i]);
      assert.equal(single.label, out[i].label);
      assert.ok(close(single.score, out[i].score, 1e-6));
    }
    await classifier.dispose();
  });

  for (const name of ['bert-cls', 'roberta-cls', 'electra-cls', 'albert-cls', 'mpnet-cls']) test(`micro-${name} equals transformers.js on the ONNX export of the same weights`, async () => {
    const texts = ['hello world', 'the quick brown fox jumps over the lazy dog', ''];
    const ours = await pipeline('text-classification', id(`micro-${name}`));
    const tf = await transformersJs();
    const dir = name === 'bert-cls' ? path.join(modelsRoot, 'hubwasm-fixtures--micro-bert-cls') : fixtureDir(`micro-${name}`);
    const theirs = await tf.pipeline('text-classification', dir, { dtype: 'fp32', device: 'cpu' });
    for (const options of [{}, { top_k: 3 }]) {
      const a = await ours(texts, options);
      const b = await theirs(texts, options);
      const flat = (x) => x.flat();
      assert.deepEqual(flat(a).map((x) => x.label), flat(b).map((x) => x.label));
      assert.ok(maxAbsDiff(flat(a).map((x) => x.score), flat(b).map((x) => x.score)) < 1e-5);
    }
    await ours.dispose();
    await theirs.dispose();
  });

  test('multi-label (sigmoid), a label map with gaps, and input longer than max_position_embeddings', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(modelsRoot, 'hubwasm-fixtures--micro-bert-cls/config.json'), 'utf8'));
    const tokenizer = await AutoTokenizer.from_pretrained(id('micro-bert-cls'));
    const model = await AutoModelForSequenceClassification.from_pretrained(id('micro-bert-cls'));
    const text = 'a sentence to classify';
    const logits = rows((await model(tokenizer(text))).logits)[0];

    const multi = await pipeline('text-classification', id('micro-bert-cls'), { config: { ...config, problem_type: 'multi_label_classification' } });
    const got = await multi(text, { top_k: null });
    const expected = logits.map((l, i) => ({ label: config.id2label[i], score: 1 / (1 + Math.exp(-l)) })).sort((a, b) => b.score - a.score);
    assert.deepEqual(got.map((x) => x.label), expected.map((x) => x.label));
    got.forEach((x, i) => assert.ok(close(x.score, expected[i].score)));
    await multi.dispose();

    // id2label {0, 1, 3}: three labels as transformers counts them; index 2 has no name.
    const gaps = { ...config, id2label: { 0: 'negative', 1: 'neutral', 3: 'positive' }, label2id: { negative: 0, neutral: 1, positive: 3 } };
    const gapped = await pipeline('text-classification', id('micro-bert-cls'), { config: gaps });
    const labels = (await gapped(text, { top_k: null })).map((x) => x.label).sort();
    assert.deepEqual(labels, ['LABEL_2', 'negative', 'neutral']);

    // 600 words: truncated to 512 tokens (max_position_embeddings), as transformers.js does.
    const long = Array.from({ length: 600 }, (_, i) => `word${i % 50}`).join(' ');
    const [res] = await gapped(long);
    assert.ok(res.score > 0 && res.score <= 1);
    await gapped.dispose();
    await model.dispose();
    tokenizer.dispose();
  });
});

// --- fill-mask ------------------------------------------------------------------------------------------------

describe('fill-mask', () => {
  for (const name of ['bert-mlm', 'distilbert-mlm', 'roberta-mlm', 'electra-mlm', 'albert-mlm', 'mpnet-mlm', 'deberta-v3-mlm', 'deberta-v2-mlm']) {
    test(`micro-${name}: top_k from the raw logits, and equal to transformers.js`, async () => {
      const texts = ['the [MASK] of the license.', 'you may [MASK] it'];
      const unmasker = await pipeline('fill-mask', id(`micro-${name}`));
      const out = await unmasker(texts, { top_k: 4 });
      // Expectations from the raw logits.
      const tokenizer = await AutoTokenizer.from_pretrained(id(`micro-${name}`));
      const model = await AutoModelForMaskedLM.from_pretrained(id(`micro-${name}`));
      for (let t = 0; t < texts.length; t++) {
        const enc = tokenizer(texts[t]);
        const ids = Array.from(enc.input_ids.data, Number);
        const at = ids.indexOf(103);
        const probs = softmax(rows((await model(enc)).logits)[0][at]);
        const top = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 4);
        assert.equal(out[t].length, 4);
        top.forEach(([p, tokenId], k) => {
          assert.equal(out[t][k].token, tokenId);
          assert.ok(close(out[t][k].score, p));
          assert.equal(out[t][k].token_str, tokenizer.decode([tokenId]));
          const filled = ids.slice();
          filled[at] = tokenId;
          assert.equal(out[t][k].sequence, tokenizer.decode(filled, { skip_special_tokens: true }));
        });
        // One by one equals the batch.
        const single = await unmasker(texts[t], { top_k: 4 });
        assert.deepEqual(single.map((x) => x.token), out[t].map((x) => x.token));
      }
      const tf = await transformersJs();
      const theirs = await tf.pipeline('fill-mask', fixtureDir(`micro-${name}`), { dtype: 'fp32', device: 'cpu' });
      const ref = await theirs(texts, { top_k: 4 });
      assert.deepEqual(out.flat().map((x) => x.token), ref.flat().map((x) => x.token));
      assert.ok(maxAbsDiff(out.flat().map((x) => x.score), ref.flat().map((x) => x.score)) < 1e-5);
      await theirs.dispose();
      await unmasker.dispose();
      await model.dispose();
      tokenizer.dispose();
    });
  }

  test('errors: no mask in the text, no mask token in the tokenizer', async () => {
    const unmasker = await pipeline('fill-mask', id('micro-bert-mlm'));
    await assert.rejects(unmasker('no mask here'), /Mask token \(\[MASK\]\) not found in text/);
    await assert.rejects(unmasker(''), /not found in text/);
    await unmasker.dispose();
    const nomask = await pipeline('fill-mask', id('micro-bert-mlm-nomask'));
    await assert.rejects(nomask('the [MASK] is here'), (e) => e.code === 'UNSUPPORTED_FEATURE' && /no mask token/.test(e.message));
    await nomask.dispose();
  });
});

// --- token-classification -----------------------------------------------------------------------------------

// transformers' Python pipeline, written here from its documentation: per-token entities, words from
// WordPiece "##" continuation tokens, first/average/max word aggregation, B-/I- grouping, then ignore_labels.
function expectedEntities(tokens, probs, id2label, strategy, ignore = ['O']) {
  const pre = [];
  tokens.forEach((tok, j) => { if (!['[CLS]', '[SEP]', '[PAD]'].includes(tok)) pre.push({ tok, index: j, p: probs[j] }); });
  const label = (p) => id2label[argmaxOf(p)];
  let ents;
  if (strategy === 'none' || strategy === 'simple') {
    ents = pre.map((x) => ({ entity: label(x.p), score: Math.max(...x.p), index: x.index, toks: [x.tok] }));
  } else {
    const words = [];
    for (const x of pre) (x.tok.startsWith('##') && words.length ? words.at(-1).push(x) : words.push([x]));
    ents = words.map((w) => {
      let p;
      if (strategy === 'first') p = w[0].p;
      if (strategy === 'max') p = w.reduce((b, x) => (Math.max(...x.p) > Math.max(...b.p) ? x : b)).p;
      if (strategy === 'average') p = w[0].p.map((_, k) => w.reduce((s, x) => s + x.p[k], 0) / w.length);
      return { entity: label(p), score: Math.max(...p), toks: w.map((x) => x.tok) };
    });
  }
  if (strategy !== 'none') {
    const tag = (e) => (/^[BI]-/.test(e) ? [e[0], e.slice(2)] : ['I', e]);
    const groups = [];
    for (const e of ents) {
      const last = groups.at(-1);
      if (last && tag(e.entity)[1] === tag(last.at(-1).entity)[1] && tag(e.entity)[0] !== 'B') last.push(e);
      else groups.push([e]);
    }
    ents = groups.map((g) => ({ entity_group: tag(g[0].entity)[1], score: g.reduce((s, e) => s + e.score, 0) / g.length, toks: g.flatMap((e) => e.toks) }));
  }
  return ents.filter((e) => !ignore.includes(e.entity ?? e.entity_group));
}
const joinWordPieces = (toks) => toks.map((t, i) => (t.startsWith('##') ? t.slice(2) : (i ? ' ' : '') + t)).join('');
const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

describe('token-classification', () => {
  const texts = ['Zoë visited Kraków with Jean-Pierre 😀 yesterday unbelievably', 'apache license version two', ''];

  for (const name of ['bert-ner', 'distilbert-ner', 'xlm-roberta-ner', 'electra-ner', 'albert-ner', 'mpnet-ner', 'deberta-v3-ner']) {
    test(`micro-${name}: every aggregation strategy, with character offsets`, async () => {
      const ner = await pipeline('ner', id(`micro-${name}`));
      const tokenizer = await AutoTokenizer.from_pretrained(id(`micro-${name}`));
      const model = await AutoModelForTokenClassification.from_pretrained(id(`micro-${name}`));
      const { id2label } = model.config;
      const vocab = fs.readFileSync(path.join(fixtureDir(`micro-${name}`), 'vocab.txt'), 'utf8').split('\n');
      let checked = 0;
      for (const strategy of ['none', 'simple', 'first', 'average', 'max']) {
        for (const ignore of [['O'], []]) {
          const batch = await ner(texts, { aggregation_strategy: strategy, ignore_labels: ignore });
          for (let t = 0; t < texts.length; t++) {
            const enc = tokenizer(texts[t]);
            const ids = Array.from(enc.input_ids.data, Number);
            const probs = rows((await model(enc)).logits)[0].map(softmax);
            const want = expectedEntities(ids.map((i) => vocab[i]), probs, id2label, strategy, ignore);
            const got = batch[t];
            assert.equal(got.length, want.length, `${strategy} ${texts[t]}`);
            got.forEach((g, k) => {
              const w = want[k];
              assert.equal(g.entity ?? g.entity_group, w.entity ?? w.entity_group);
              assert.ok(close(g.score, w.score));
              if (strategy === 'none') {
                assert.equal(g.index, w.index);
                assert.equal(g.word, w.toks[0]);
              }
              // Offsets are JS string indices: the input's slice is the (uncased, accent-stripped) word.
              const slice = texts[t].slice(g.start, g.end);
              if (w.toks.includes('[UNK]')) assert.ok(slice.includes('😀'));
              else assert.equal(fold(slice).replace(/\s+/g, ' '), joinWordPieces(w.toks).replace(/ ?- ?/g, '-'));
              checked++;
            });
            if (strategy === 'none' && ignore.length === 0) {
              // One by one equals the batch (scores to float rounding: padding changes the matrix shapes).
              const single = await ner(texts[t], { aggregation_strategy: strategy, ignore_labels: ignore });
              assert.deepEqual(single.map(({ score, ...rest }) => rest), got.map(({ score, ...rest }) => rest));
              assert.ok(maxAbsDiff(single.map((x) => x.score), got.map((x) => x.score)) < 1e-6);
            }
          }
          assert.deepEqual(batch[2], []);  // the empty string
        }
      }
      assert.ok(checked > 50);
      await assert.rejects(ner('x', { aggregation_strategy: 'longest' }), /Invalid aggregation_strategy/);
      await ner.dispose();
      await model.dispose();
      tokenizer.dispose();
    });
  }

  test('micro-bert-ner "none" equals transformers.js (entity, score, index, word)', async () => {
    const ours = await pipeline('token-classification', id('micro-bert-ner'));
    const tf = await transformersJs();
    const theirs = await tf.pipeline('token-classification', fixtureDir('micro-bert-ner'), { dtype: 'fp32', device: 'cpu' });
    // transformers.js drops tokens that decode to '' with skip_special_tokens ([UNK] too): texts without unknown characters.
    const known = ['Zoe visited Krakow with Jean-Pierre yesterday unbelievably', 'apache license version two'];
    const a = await ours(known);
    const b = await theirs(known);
    const strip = (x) => x.map((r) => r.map(({ entity, index, word }) => ({ entity, index, word })));
    assert.deepEqual(strip(a), strip(b));
    assert.ok(maxAbsDiff(a.flat().map((x) => x.score), b.flat().map((x) => x.score)) < 1e-5);
    await ours.dispose();
    await theirs.dispose();
  });

  test('input longer than max_position_embeddings is truncated', async () => {
    const ner = await pipeline('ner', id('micro-bert-ner'));
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const out = await ner(long, { ignore_labels: [] });
    assert.ok(out.length > 0 && out.length <= 62);  // 64 positions minus [CLS] and [SEP]
    assert.ok(out.every((e) => e.end <= long.length));
    await ner.dispose();
  });
});

// --- question-answering ---------------------------------------------------------------------------------------

// transformers.js's span score for one chunk of token logits: softmax over [CLS] + context tokens, [CLS] zeroed,
// best start <= end.
function bestSpan(start, end, contextIdx) {
  const masked = (l) => softmax(l.map((x, i) => (i === 0 || contextIdx.includes(i) ? x : -Infinity)));
  const ps = masked(start);
  const pe = masked(end);
  let best = { score: -1 };
  for (const s of contextIdx) for (const e of contextIdx) if (e >= s && ps[s] * pe[e] > best.score) best = { score: ps[s] * pe[e], s, e };
  return best;
}

describe('question-answering', () => {
  const question = 'what does the license grant?';
  const context = 'The license grants you the right to copy and distribute the software, subject to the conditions.';

  for (const name of ['bert-qa', 'distilbert-qa', 'xlm-roberta-qa', 'electra-qa', 'albert-qa', 'mpnet-qa', 'deberta-v3-qa']) {
    test(`micro-${name}: best span and score from the raw logits, short and chunked contexts`, async () => {
      const qa = await pipeline('question-answering', id(`micro-${name}`));
      const tokenizer = await AutoTokenizer.from_pretrained(id(`micro-${name}`));
      const model = await AutoModelForQuestionAnswering.from_pretrained(id(`micro-${name}`));
      const roberta = name.startsWith('xlm') || name.startsWith('mpnet');  // <s> q </s></s> context </s>, types 0
      const q = tokenizer.encode(question, { add_special_tokens: false });
      const c = tokenizer.encode(context, { add_special_tokens: false });
      // Chunks built here: [CLS] q [SEP] window [SEP] (RoBERTa: [CLS] q [SEP][SEP] window [SEP], types 0).
      const run = async (window) => {
        const ids = [101, ...q, 102, ...(roberta ? [102] : []), ...window, 102];
        const types = ids.map((_, i) => (!roberta && i > q.length + 1 ? 1 : 0));
        const out = await model({
          input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
          attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
          token_type_ids: new Tensor('int64', BigInt64Array.from(types, BigInt), [1, ids.length]),
        });
        const first = q.length + (roberta ? 3 : 2);
        const best = bestSpan(rows(out.start_logits)[0], rows(out.end_logits)[0], window.map((_, i) => first + i));
        return { ...best, tokens: ids.slice(best.s, best.e + 1) };
      };
      const check = (got, want) => {
        assert.ok(close(got.score, want.score, 1e-6), `${got.score} vs ${want.score}`);
        assert.equal(got.answer, context.slice(got.start, got.end));
        // A span may start inside a word (random weights): the slice then lacks the piece's "##".
        assert.equal(fold(got.answer), tokenizer.decode(want.tokens).replace(/^##/, ''));
      };
      // Short context: one chunk.
      const one = await qa(question, context);
      assert.deepEqual(Object.keys(one), ['answer', 'score', 'start', 'end']);
      check(one, await run(c));
      // max_seq_len 24, doc_stride 4: windows of 24 - |q| - 3 tokens stepping by window - 4; best over chunks.
      const fixed = q.length + (roberta ? 4 : 3);
      const window = 24 - fixed;
      let best = { score: -1 };
      for (let s = 0; ; s += window - 4) {
        const r = await run(c.slice(s, s + window));
        if (r.score > best.score) best = r;
        if (s + window >= c.length) break;
      }
      check(await qa(question, context, { max_seq_len: 24, doc_stride: 4 }), best);
      // top_k: sorted, distinct spans; batch of pairs = one by one.
      const top = await qa(question, context, { top_k: 3 });
      assert.equal(top.length, 3);
      assert.ok(top[0].score >= top[1].score && top[1].score >= top[2].score);
      assert.deepEqual(top[0], one);
      const batch = await qa([question, 'who?'], [context, 'Nobody knows.']);
      assert.deepEqual(batch[0], one);
      assert.deepEqual(batch[1], await qa('who?', 'Nobody knows.'));
      await qa.dispose();
      await model.dispose();
      tokenizer.dispose();
    });
  }

  test('micro-bert-qa scores equal transformers.js; long contexts are chunked; empty context', async () => {
    const qa = await pipeline('question-answering', id('micro-bert-qa'));
    const tf = await transformersJs();
    const theirs = await tf.pipeline('question-answering', fixtureDir('micro-bert-qa'), { dtype: 'fp32', device: 'cpu' });
    const ours = await qa(question, context, { top_k: 2 });
    const ref = await theirs(question, context, { top_k: 2 });
    assert.ok(maxAbsDiff(ours.map((x) => x.score), ref.map((x) => x.score)) < 1e-5);
    assert.deepEqual(ours.map((x) => fold(x.answer)), ref.map((x) => x.answer));
    // 400 words, beyond max_position_embeddings (64): answered from chunks, offsets into the whole context.
    const long = Array.from({ length: 40 }, () => context).join(' ');
    const answer = await qa(question, long);
    assert.equal(answer.answer, long.slice(answer.start, answer.end));
    assert.ok(answer.score > 0);
    assert.deepEqual(await qa(question, ''), { answer: '', score: 0, start: 0, end: 0 });
    // A question that leaves no room for the context is a clear error.
    const longQuestion = Array.from({ length: 80 }, () => 'what').join(' ');
    await assert.rejects(qa(longQuestion, context), (e) => e.code === 'INVALID_ARGUMENT' && /leaves no room for the context/.test(e.message));
    await qa.dispose();
    await theirs.dispose();
  });
});

// --- zero-shot-classification -------------------------------------------------------------------------------

describe('zero-shot-classification', () => {
  for (const name of ['bert-nli', 'roberta-cls', 'mpnet-cls', 'deberta-v3-nli']) test(`micro-${name}: entailment from label2id, single and multi-label, equal to transformers.js`, async () => {
    const classifier = await pipeline('zero-shot-classification', id(`micro-${name}`));
    const tokenizer = await AutoTokenizer.from_pretrained(id(`micro-${name}`));
    const model = await AutoModelForSequenceClassification.from_pretrained(id(`micro-${name}`));
    const texts = ['the software is provided as is', 'copy the license'];
    const labels = ['legal', 'travel', 'cooking'];
    const tf = await transformersJs();
    const theirs = await tf.pipeline('zero-shot-classification', fixtureDir(`micro-${name}`), { dtype: 'fp32', device: 'cpu' });
    for (const options of [{}, { multi_label: true }, { hypothesis_template: 'It is about {}.' }]) {
      const out = await classifier(texts, labels, options);
      const ref = await theirs(texts, labels, options);
      for (let t = 0; t < texts.length; t++) {
        // From the raw logits: entailment = 2, contradiction = 0 (label2id of the fixture).
        const template = options.hypothesis_template ?? 'This example is {}.';
        const logits = [];
        for (const l of labels) logits.push(rows((await model(tokenizer(texts[t], { text_pair: template.replace('{}', l) }))).logits)[0]);
        const scores = options.multi_label ? logits.map((l) => softmax([l[0], l[2]])[1]) : softmax(logits.map((l) => l[2]));
        const order = scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]);
        assert.equal(out[t].sequence, texts[t]);
        assert.deepEqual(out[t].labels, order.map(([, i]) => labels[i]));
        out[t].scores.forEach((s, i) => assert.ok(close(s, order[i][0])));
        assert.deepEqual(out[t].labels, ref[t].labels);
        assert.ok(maxAbsDiff(out[t].scores, ref[t].scores) < 1e-5);
      }
      // One text gives one object, equal to its batch entry (to float rounding).
      const single = await classifier(texts[1], labels, options);
      assert.deepEqual(single.labels, out[1].labels);
      assert.ok(maxAbsDiff(single.scores, out[1].scores) < 1e-6);
    }
    await theirs.dispose();
    await classifier.dispose();
    await model.dispose();
    tokenizer.dispose();
  });
});

// --- feature-extraction for every architecture -------------------------------------------------------------------

test('feature-extraction runs every architecture (mean pooling = manual pooling of AutoModel)', async () => {
  for (const name of ['distilbert-qa', 'roberta-cls', 'xlm-roberta-ner', 'electra-mlm', 'albert-cls', 'mpnet-ner', 'deberta-v3-qa']) {
    const extractor = await pipeline('feature-extraction', id(`micro-${name}`));
    const tokenizer = await AutoTokenizer.from_pretrained(id(`micro-${name}`));
    const model = await AutoModel.from_pretrained(id(`micro-${name}`));
    const texts = ['hello world', 'a longer sentence about the license'];
    const got = await extractor(texts, { pooling: 'mean' });
    const enc = tokenizer(texts, { padding: true });
    const hidden = rows((await model(enc)).last_hidden_state);
    const mask = rows(enc.attention_mask);
    const want = hidden.map((h, b) => {
      const n = mask[b].filter((m) => m === 1n).length;
      return h[0].map((_, d) => h.reduce((s, tok, j) => s + (mask[b][j] === 1n ? tok[d] : 0), 0) / n);
    });
    assert.deepEqual(got.dims, [2, 32]);
    assert.ok(maxAbsDiff(got.data, want.flat()) < 1e-5, name);
    await extractor.dispose();
    await model.dispose();
    tokenizer.dispose();
  }
});

// --- memory ------------------------------------------------------------------------------------------------------

test('encoder pipelines return their WebAssembly memory (load, run, dispose; errors inside calls)', async () => {
  const cycle = async () => {
    const qa = await pipeline('question-answering', id('micro-bert-qa'));
    await qa('what?', Array.from({ length: 50 }, () => 'the license grants rights').join(' '), { max_seq_len: 32 });
    await qa.dispose();
    const unmasker = await pipeline('fill-mask', id('micro-mpnet-mlm'));
    await unmasker(['the [MASK] here', 'a [MASK]']);
    await assert.rejects(unmasker('no mask'));
    await unmasker.dispose();
    const ner = await pipeline('ner', id('micro-deberta-v3-ner'));
    await ner(['Zoë visited Kraków', ''], { aggregation_strategy: 'average' });
    await ner.dispose();
  };
  await cycle();
  const start = await wasmMemoryInUse();
  for (let i = 0; i < 10; i++) await cycle();
  const end = await wasmMemoryInUse();
  console.log(`10 encoder pipeline cycles: ${start} -> ${end} bytes in use (${end - start >= 0 ? '+' : ''}${end - start})`);
  assert.ok(end - start < 64 * 1024);
});
