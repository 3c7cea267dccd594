// `make bench`: tokenizer throughput, hubwasm's AutoTokenizer (WebAssembly)
// vs @huggingface/tokenizers (pure JS, the tokenizers inside transformers.js),
// in one Node process on the same texts: WordPiece (bert-base-uncased),
// byte-level BPE (gpt2) and Unigram (t5-small). The text is a few hundred KB
// of mixed text (this repo's docs and C++ sources, and the multilingual
// differential-test corpus) cut into paragraphs, each encoded on its own
// without special tokens, as an application tokenizes documents. Before
// timing, both must give the same ids on every paragraph. Each figure is the
// median of --repeat runs (default 3), runs interleaved between the two.
// Prints one JSON line per figure {name, unit, hubwasm, peer, ratio, where}
// (ratio = hubwasm / peer tokens per second).
//   node bench/tokenizers_bench.mjs [--repeat 3] [--kb 300]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as PeerTokenizer } from '@huggingface/tokenizers';
import { AutoTokenizer, env } from 'hubwasm';
import { startHubServer } from '../tests/js/hub_server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const repeat = +opt('--repeat', 3);
const targetBytes = +opt('--kb', 300) * 1024;
const modelsRoot = path.join(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'), 'models');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

// Paragraphs of mixed text: English docs, C++ code, and the corpus's scripts and emoji.
function benchTexts() {
  const files = [
    ...['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md')),
    ...fs.readdirSync(path.join(ROOT, 'src/tokenizers')).filter((f) => f.endsWith('.cpp')).map((f) => `src/tokenizers/${f}`),
  ];
  const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/js/data/tokenizer_corpus.json'), 'utf8'))
    .map((c) => c.text.toWellFormed()).filter((t) => t.length > 0);
  const pieces = files.flatMap((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').split(/\n\s*\n/)).filter((p) => p.trim());
  const texts = [];
  let bytes = 0;
  for (let i = 0; bytes < targetBytes; i++) {
    const text = i % 4 === 3 ? corpus[i % corpus.length] : pieces[i % pieces.length];
    texts.push(text);
    bytes += Buffer.byteLength(text);
  }
  return { texts, bytes };
}

// The tokenizer.json transformers writes (BertTokenizerFast) for a
// bert-base-uncased vocab.txt, for the peer; hubwasm reads the vocab.txt.
function bertTokenizerJson(vocabTxt) {
  const vocab = Object.fromEntries(vocabTxt.split('\n').filter((l, i, a) => i < a.length - 1 || l).map((t, i) => [t, i]));
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  return {
    added_tokens: special.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', vocab['[SEP]']], cls: ['[CLS]', vocab['[CLS]']] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  };
}

const readJson = (folder, file) => JSON.parse(fs.readFileSync(path.join(modelsRoot, folder, file), 'utf8'));
const CASES = [
  { name: 'WordPiece (bert-base-uncased)', folder: 'google-bert--bert-base-uncased',
    peer: () => new PeerTokenizer(bertTokenizerJson(fs.readFileSync(path.join(modelsRoot, 'google-bert--bert-base-uncased/vocab.txt'), 'utf8')), {}) },
  { name: 'byte-level BPE (gpt2)', folder: 'openai-community--gpt2',
    peer: () => new PeerTokenizer(readJson('openai-community--gpt2', 'tokenizer.json'), readJson('openai-community--gpt2', 'tokenizer_config.json')) },
  { name: 'Unigram (t5-small)', folder: 'google-t5--t5-small',
    peer: () => new PeerTokenizer(readJson('google-t5--t5-small', 'tokenizer.json'), readJson('google-t5--t5-small', 'tokenizer_config.json')) },
];

const hub = await startHubServer({ root: modelsRoot });
env.remoteHost = hub.url;
env.useFSCache = false;
env.allowLocalModels = false;
const { texts, bytes } = benchTexts();
console.error(`${texts.length} paragraphs, ${(bytes / 1024).toFixed(0)} KB`);

for (const c of CASES) {
  const ours = await AutoTokenizer.from_pretrained(c.folder.replace('--', '/'));
  const peer = c.peer();
  const encoders = {
    hubwasm: (t) => ours.encode(t, { add_special_tokens: false }),
    peer: (t) => peer.encode(t, { add_special_tokens: false }).ids,
  };
  let tokens = 0;
  for (const t of texts) {
    const a = encoders.hubwasm(t), b = encoders.peer(t);
    if (a.length !== b.length || a.some((id, i) => id !== b[i])) {
      throw new Error(`${c.name}: the ids differ on ${JSON.stringify(t.slice(0, 80))}`);
    }
    tokens += a.length;
  }
  const rates = { hubwasm: [], peer: [] };
  for (let r = 0; r < repeat; r++) {
    for (const who of ['peer', 'hubwasm']) {
      const t0 = performance.now();
      for (const t of texts) encoders[who](t);
      rates[who].push(tokens / ((performance.now() - t0) / 1000));
    }
  }
  const h = median(rates.hubwasm), p = median(rates.peer);
  console.log(JSON.stringify({
    name: `tokenizer ${c.name}`, unit: 'tokens/s', hubwasm: Math.round(h), peer: Math.round(p), ratio: +(h / p).toFixed(2),
    where: 'node', tokens, kb: Math.round(bytes / 1024), runs: repeat,
  }));
  ours.dispose();
}
await hub.close();
