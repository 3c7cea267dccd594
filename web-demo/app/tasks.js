// The tasks the demo knows: which model heads each needs, its input form, examples, and how its output
// is drawn. Everything a model returns is put in the page as text (see dom.js).
import { h, scoreBar, set } from './dom.js';

/** model_type values hubwasm loads (from src/models/registry.cpp; the package exports no list yet). */
export const ENCODER_TYPES = ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'electra'];
export const DECODER_TYPES = ['gpt2', 'llama', 'mistral', 'qwen2'];

export const TASK_ORDER = [
  'text-generation', 'text-classification', 'token-classification', 'fill-mask', 'question-answering',
  'zero-shot-classification', 'feature-extraction',
];

export const TASK_TITLES = {
  'text-generation': 'Text generation',
  'text-classification': 'Text classification',
  'token-classification': 'Token classification',
  'fill-mask': 'Fill-mask',
  'question-answering': 'Question answering',
  'zero-shot-classification': 'Zero-shot classification',
  'feature-extraction': 'Sentence similarity',
};

const isNli = (config) => Object.keys(config.label2id ?? {}).some((k) => k.toLowerCase() === 'entailment');

/**
 * What a config.json allows: { unsupported: reason | null, tasks: { task: { ok, reason } }, preferred }.
 * `available` maps tasks to whether the package has their pipeline.
 */
export function tasksFor(config, available) {
  const type = typeof config?.model_type === 'string' ? config.model_type : null;
  const archs = Array.isArray(config?.architectures) ? config.architectures.filter((a) => typeof a === 'string') : [];
  const arch = archs.join(', ');
  const encoder = ENCODER_TYPES.includes(type);
  const decoder = DECODER_TYPES.includes(type);
  let unsupported = null;
  if (!type) {
    unsupported = 'its config.json has no model_type, so hubwasm cannot tell which architecture it is.';
  } else if (!encoder && !decoder) {
    unsupported = `its architecture, model_type "${type}"${arch ? ` (${arch})` : ''}, is not supported by hubwasm. ` +
      `Supported: encoders ${ENCODER_TYPES.join(', ')}; decoders ${DECODER_TYPES.join(', ')}.`;
  }
  const head = (re) => archs.some((a) => re.test(a));
  const needs = {
    'text-generation': [decoder, `text generation needs a decoder (${DECODER_TYPES.join(', ')})`],
    'text-classification': [encoder && head(/ForSequenceClassification$/), 'needs a sequence-classification head (…ForSequenceClassification)'],
    'token-classification': [encoder && head(/ForTokenClassification$/), 'needs a token-classification head (…ForTokenClassification)'],
    'fill-mask': [encoder && head(/ForMaskedLM$/), 'needs a masked-LM head (…ForMaskedLM)'],
    'question-answering': [encoder && head(/ForQuestionAnswering$/), 'needs a question-answering head (…ForQuestionAnswering)'],
    'zero-shot-classification': [encoder && head(/ForSequenceClassification$/) && isNli(config), 'needs an NLI classifier (a label named "entailment")'],
    'feature-extraction': [encoder, 'needs an encoder'],
  };
  const tasks = {};
  for (const task of TASK_ORDER) {
    const [fits, why] = needs[task];
    if (!available[task]) tasks[task] = { ok: false, kind: 'missing', reason: `Not available yet: this build of the hubwasm package has no ${task} pipeline.` };
    else if (unsupported) tasks[task] = { ok: false, kind: 'model', reason: `Not for this model: ${unsupported}` };
    else if (!fits) tasks[task] = { ok: false, kind: 'model', reason: `Not for this model (${arch || type}): ${why}.` };
    else tasks[task] = { ok: true, kind: 'ok', reason: '' };
  }
  // The model's own head first; feature extraction (any encoder) last.
  const byHead = [
    [head(/ForCausalLM$|LMHeadModel$/) || decoder, 'text-generation'],
    [isNli(config), 'zero-shot-classification'],
    [head(/ForSequenceClassification$/), 'text-classification'],
    [head(/ForTokenClassification$/), 'token-classification'],
    [head(/ForMaskedLM$/), 'fill-mask'],
    [head(/ForQuestionAnswering$/), 'question-answering'],
    [true, 'feature-extraction'],
  ];
  const preferred = byHead.find(([fits, task]) => fits && tasks[task].ok)?.[1] ?? TASK_ORDER.find((t) => tasks[t].ok) ?? null;
  return { unsupported, tasks, preferred };
}

// --- inputs --------------------------------------------------------------------------------------------

let uid = 0;
function field(label, control, hint) {
  const id = control.id || `f${uid++}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}
const textarea = (id, rows = 4, placeholder = '') => h('textarea', { id, rows, placeholder, spellcheck: 'false', autocomplete: 'off' });
const input = (id, type = 'text', attrs = {}) => h('input', { id, type, autocomplete: 'off', ...attrs });

const MASK = '[MASK]';

/**
 * Each task: build(container, ctx) draws its inputs and returns { read(), fill(example) };
 * examples: [{ label, ... }]; render(output, value, input, ctx) draws a result.
 */
export const TASKS = {
  'text-classification': {
    examples: [
      { label: 'This movie was absolutely wonderful!', text: 'This movie was absolutely wonderful!' },
      { label: 'The service was terrible and the room was dirty.', text: 'The service was terrible and the room was dirty.' },
      { label: 'The hotel staff were not bad at all.', text: 'The hotel staff were not bad at all.' },
      { label: 'What a boring, pointless film.', text: 'What a boring, pointless film.' },
    ],
    build(box) {
      const text = textarea('in-text', 4, 'Type a sentence to classify');
      box.append(field('Text', text));
      return { read: () => (text.value.trim() ? { text: text.value } : { error: 'Type some text first.' }), fill: (e) => { text.value = e.text; } };
    },
    render(out, value) {
      const list = Array.isArray(value?.[0]) ? value[0] : value;
      set(out, h('h3', {}, 'Labels'), h('ul', { class: 'bars', id: 'result-labels' },
        list.map((r, i) => scoreBar(r.label, r.score, { highlight: i === 0 }))));
    },
  },

  'token-classification': {
    examples: [
      { label: 'My name is Sarah and I live in London.', text: 'My name is Sarah and I live in London.' },
      { label: 'Hugging Face is based in New York City.', text: 'Hugging Face is based in New York City.' },
    ],
    build(box) {
      const text = textarea('in-text', 4, 'Type a sentence with names, places, organisations');
      box.append(field('Text', text));
      return { read: () => (text.value.trim() ? { text: text.value } : { error: 'Type some text first.' }), fill: (e) => { text.value = e.text; } };
    },
    render(out, value, input) {
      const entities = (Array.isArray(value) ? value : []).filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end))
        .sort((a, b) => a.start - b.start);
      const palette = new Map();
      const colour = (label) => {
        if (!palette.has(label)) palette.set(label, palette.size % 8);
        return palette.get(label);
      };
      const text = input.text;
      const para = h('p', { class: 'entities', id: 'result-entities' });
      let at = 0;
      for (const e of entities) {
        if (e.start < at) continue;  // overlapping spans: keep the first
        para.append(text.slice(at, e.start));
        const label = String(e.entity_group ?? e.entity ?? '');
        para.append(h('mark', { class: `ent c${colour(label)}`, title: `${label} ${(e.score * 100).toFixed(1)}%` },
          text.slice(e.start, e.end), h('span', { class: 'ent-tag' }, label)));
        at = e.end;
      }
      para.append(text.slice(at));
      const table = h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Entity'), h('th', { scope: 'col' }, 'Text'), h('th', { scope: 'col' }, 'Score'))),
        h('tbody', {}, (Array.isArray(value) ? value : []).map((e) => h('tr', {},
          h('td', {}, String(e.entity_group ?? e.entity ?? '')), h('td', {}, String(e.word ?? '')), h('td', {}, `${(e.score * 100).toFixed(1)}%`)))));
      set(out, h('h3', {}, 'Entities in the text'), para,
        entities.length ? table : h('p', { class: 'muted' }, 'No entities found (every token was labelled O).'));
    },
  },

  'fill-mask': {
    examples: [
      { label: `The capital of France is ${MASK}.`, text: `The capital of France is ${MASK}.` },
      { label: `I went to the ${MASK} to buy some bread.`, text: `I went to the ${MASK} to buy some bread.` },
    ],
    build(box, ctx) {
      const mask = ctx.maskToken ?? MASK;
      const text = textarea('in-text', 3, `A sentence with ${mask} where a word is missing`);
      box.append(field('Text', text, `Write ${mask} where the model should fill in a word.`));
      return {
        read: () => {
          if (!text.value.trim()) return { error: 'Type some text first.' };
          if (!text.value.includes(mask)) return { error: `Put the mask token ${mask} in the text.` };
          return { text: text.value };
        },
        fill: (e) => { text.value = e.text.replaceAll(MASK, mask); },
      };
    },
    render(out, value) {
      const list = Array.isArray(value?.[0]) ? value[0] : value;
      set(out, h('h3', {}, 'Candidates'), h('ol', { class: 'candidates', id: 'result-candidates' }, list.map((c, i) =>
        h('li', { class: i === 0 ? 'best' : '' },
          h('div', { class: 'cand-head' }, h('code', { class: 'cand-token' }, String(c.token_str ?? c.token)), h('span', { class: 'bar-value' }, `${(c.score * 100).toFixed(1)}%`)),
          h('div', { class: 'bar-track', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill', style: { width: `${Math.min(100, c.score * 100)}%` } })),
          h('p', { class: 'cand-seq' }, String(c.sequence ?? ''))))));
    },
  },

  'question-answering': {
    examples: [
      {
        label: 'Where was the library started?',
        question: 'Where was the library started?',
        context: 'The library runs Hugging Face models in the browser with WebAssembly. It was started in Paris in 2026 by a small team.',
      },
      {
        label: 'What does the cat eat?',
        question: 'What does the cat eat?',
        context: 'The old cat sleeps on the sofa all day. In the evening it eats fish and drinks a little milk.',
      },
    ],
    build(box) {
      const context = textarea('in-context', 5, 'A paragraph that contains the answer');
      const question = input('in-question', 'text', { placeholder: 'Ask a question about the context' });
      box.append(field('Context', context), field('Question', question));
      return {
        read: () => (!context.value.trim() || !question.value.trim()
          ? { error: 'Give both a context and a question.' } : { context: context.value, question: question.value }),
        fill: (e) => { context.value = e.context; question.value = e.question; },
      };
    },
    render(out, value, input) {
      const best = Array.isArray(value) ? value[0] : value;
      const { start, end } = best;
      const ctx = input.context;
      const para = h('p', { class: 'qa-context', id: 'result-context' });
      if (Number.isInteger(start) && Number.isInteger(end) && end > start) {
        para.append(ctx.slice(0, start), h('mark', { class: 'answer' }, ctx.slice(start, end)), ctx.slice(end));
      } else {
        para.append(ctx);
      }
      set(out, h('h3', {}, 'Answer'),
        h('p', { class: 'answer-box', id: 'result-answer' }, h('strong', {}, String(best.answer || '(no answer found)')),
          h('span', { class: 'bar-value' }, ` ${(best.score * 100).toFixed(1)}%`)),
        h('h3', {}, 'In the context'), para);
    },
  },

  'zero-shot-classification': {
    examples: [
      { label: 'I have a problem with my iPhone that needs to be resolved asap!', text: 'I have a problem with my iPhone that needs to be resolved asap!', labels: 'urgent, not urgent, phone, computer, tablet' },
      { label: 'The team won the final in extra time.', text: 'The team won the final in extra time.', labels: 'sport, politics, cooking' },
    ],
    build(box) {
      const text = textarea('in-text', 3, 'The text to classify');
      const labels = input('in-labels', 'text', { placeholder: 'sport, politics, cooking' });
      const multi = input('in-multi', 'checkbox');
      box.append(field('Text', text), field('Candidate labels', labels, 'Separate the labels with commas.'),
        h('div', { class: 'field check' }, multi, h('label', { for: multi.id }, 'Several labels can be true at once')));
      return {
        read: () => {
          const list = labels.value.split(',').map((s) => s.trim()).filter(Boolean);
          if (!text.value.trim()) return { error: 'Type some text first.' };
          if (!list.length) return { error: 'Give at least one candidate label.' };
          return { text: text.value, labels: list, multi_label: multi.checked };
        },
        fill: (e) => { text.value = e.text; labels.value = e.labels; },
      };
    },
    render(out, value) {
      const r = Array.isArray(value) ? value[0] : value;
      set(out, h('h3', {}, 'Labels'), h('ul', { class: 'bars', id: 'result-labels' },
        r.labels.map((label, i) => scoreBar(label, r.scores[i], { highlight: i === 0 }))));
    },
  },

  'feature-extraction': {
    examples: [
      {
        label: 'That is a happy person',
        source: 'That is a happy person',
        sentences: 'That is a happy dog\nThat is a very happy person\nToday is a sunny day',
      },
      {
        label: 'The food was delicious.',
        source: 'The food was delicious.',
        sentences: 'The meal was really tasty.\nThe service was terrible.\nThe hotel room was clean.',
      },
    ],
    build(box) {
      const source = input('in-source', 'text', { placeholder: 'The sentence to compare' });
      const others = textarea('in-sentences', 4, 'One sentence per line');
      box.append(field('Source sentence', source), field('Sentences to compare', others, 'One sentence per line.'));
      return {
        read: () => {
          const sentences = others.value.split('\n').map((s) => s.trim()).filter(Boolean);
          if (!source.value.trim() || !sentences.length) return { error: 'Give a source sentence and at least one sentence to compare.' };
          return { source: source.value, sentences };
        },
        fill: (e) => { source.value = e.source; others.value = e.sentences; },
      };
    },
    render(out, value) {
      const rows = [...value.scores].sort((a, b) => b.score - a.score);
      set(out, h('h3', {}, 'Cosine similarity to the source'),
        h('ul', { class: 'bars', id: 'result-similarity' }, rows.map((r, i) =>
          h('li', { class: `bar-row${i === 0 ? ' best' : ''}` },
            h('div', { class: 'bar-label' }, h('span', { class: 'bar-name' }, r.sentence), h('span', { class: 'bar-value' }, r.score.toFixed(3))),
            h('div', { class: 'bar-track', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill', style: { width: `${Math.max(0, r.score) * 100}%` } }))))),
        h('p', { class: 'muted' }, `Mean-pooled, normalised embeddings of ${value.dims?.[1] ?? '?'} dimensions.`));
    },
  },

  'text-generation': {
    examples: [
      { label: 'I went to the school', prompt: 'I went to the school' },
      { label: 'He said that', prompt: 'He said that' },
      { label: 'Once upon a time', prompt: 'Once upon a time' },
    ],
    build(box, ctx) {
      const prompt = textarea('in-prompt', 4, ctx.chat ? 'Write a message' : 'Write the beginning of a text');
      const chat = input('in-chat', 'checkbox', { checked: Boolean(ctx.chatMode) });
      const num = (id, value, min, max, step) => input(id, 'number', { value: String(value), min: String(min), max: String(max), step: String(step) });
      const maxNew = num('in-max-new', 48, 1, 1024, 1);
      const sample = input('in-sample', 'checkbox');
      const temperature = num('in-temperature', 0.8, 0.05, 2, 0.05);
      const topK = num('in-top-k', 50, 0, 1000, 1);
      const topP = num('in-top-p', 0.95, 0.05, 1, 0.05);
      const rep = num('in-rep', 1, 1, 2, 0.05);
      const samplingFields = [temperature, topK, topP];
      const syncSampling = () => samplingFields.forEach((f) => { f.disabled = !sample.checked; });
      sample.addEventListener('change', syncSampling);
      syncSampling();
      box.append(field(ctx.chatMode ? 'Message' : 'Prompt', prompt));
      if (ctx.chatTemplate) {
        chat.addEventListener('change', () => ctx.setChatMode(chat.checked));
        box.append(h('div', { class: 'field check' }, chat, h('label', { for: chat.id }, 'Chat (uses the model\'s chat template)')));
      }
      box.append(h('details', { class: 'settings' }, h('summary', {}, 'Generation settings'),
        h('div', { class: 'grid2' },
          field('Max new tokens', maxNew),
          h('div', { class: 'field check' }, sample, h('label', { for: sample.id }, 'Sample (off: greedy)')),
          field('Temperature', temperature), field('Top-k', topK), field('Top-p', topP),
          field('Repetition penalty', rep))));
      const numberOf = (el, fallback) => (Number.isFinite(el.valueAsNumber) ? el.valueAsNumber : fallback);
      return {
        read: () => {
          if (!prompt.value.trim()) return { error: ctx.chatMode ? 'Write a message first.' : 'Write a prompt first.' };
          const settings = {
            max_new_tokens: Math.max(1, Math.min(1024, Math.round(numberOf(maxNew, 48)))),
            do_sample: sample.checked,
            repetition_penalty: numberOf(rep, 1),
            ...(sample.checked ? { temperature: numberOf(temperature, 0.8), top_k: Math.round(numberOf(topK, 50)), top_p: numberOf(topP, 0.95) } : {}),
          };
          return { prompt: prompt.value, settings };
        },
        fill: (e) => { prompt.value = e.prompt; },
        clearPrompt: () => { prompt.value = ''; },
      };
    },
    /** Starts a streamed output: returns { append(text), done(finalText) }. */
    stream(out, input, ctx) {
      const generated = h('span', { class: 'gen-new', id: 'result-generated' });
      const cursor = h('span', { class: 'cursor', 'aria-hidden': 'true' });
      if (ctx.chatMode) {
        const log = h('div', { class: 'chat', id: 'result-chat' });
        for (const m of ctx.history) log.append(h('div', { class: `msg ${m.role === 'user' ? 'user' : 'bot'}` }, h('span', { class: 'who' }, m.role), h('p', {}, m.content)));
        log.append(h('div', { class: 'msg bot' }, h('span', { class: 'who' }, 'assistant'), h('p', {}, generated, cursor)));
        set(out, log);
      } else {
        set(out, h('h3', {}, 'Generated text'), h('p', { class: 'generated' }, h('span', { class: 'gen-prompt' }, input.prompt), generated, cursor));
      }
      return {
        append(text) { generated.append(text); },
        done(finalText) {
          if (typeof finalText === 'string' && finalText !== generated.textContent) generated.textContent = finalText;
          cursor.remove();
        },
      };
    },
  },
};
