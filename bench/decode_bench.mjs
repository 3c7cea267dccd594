// `make bench` (decoders): hubwasm vs transformers.js (onnxruntime-web wasm
// backend, in Node, same thread count: --threads, default 1) on the same weights and prompt: time to first
// token, decode tokens/s and peak RSS of greedy generate() with 64 new tokens,
// for fp32, fp16 and q8. The peer has no fp16 ONNX file, so fp16 lines have
// peer null. Every configuration runs in a fresh process, `--repeat` times;
// figures are medians over repeats. transformers.js on onnxruntime-node (native
// CPU code, same thread count and ONNX files) runs as the native reference
// point. One JSON line per figure
//   {name, unit, hubwasm, peer, ratio, threads, where, peer_native, ratio_native}
// (ratio > 1: hubwasm better), then a markdown table.
//
// Models in NO_PEER (llama-1b, made by bench/make_llama_1b.py) have no ONNX
// file: only hubwasm runs, figures have peer and ratio null and a `note`. Their
// prompt is built with the peer's own protocol, without the peer: the kit's
// makeSentences (../shared/bench/lib.mjs) picks the 8-token prompt, counted
// with @huggingface/tokenizers on the repo's tokenizer.json (BOS included;
// "The quick brown fox jumps" for the Llama-2 vocabulary). A dtype the package
// refuses as too large for wasm32 (MODEL_TOO_LARGE, before download) is one
// figure {name, unit: 'refused', message} instead of numbers.
//   node bench/decode_bench.mjs [--models build/models] [--only gpt2,tiny-llama,llama-1b] [--dtypes fp32,fp16,q8] [--repeat 3] [--gen-iters 3] [--threads 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', path.join(ROOT, 'build/models')));
const shared = path.resolve(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'));
const models = opt('--only', 'gpt2,tiny-llama,llama-1b').split(',');
const dtypes = opt('--dtypes', 'fp32,fp16,q8').split(',');
const repeat = +opt('--repeat', 3);
const genIters = opt('--gen-iters', '3');
const threads = +opt('--threads', 1);
const PROMPT_TOKENS = 8;
// Models without a transformers.js peer, and why.
const NO_PEER = {
  'llama-1b': 'no ONNX peer: the f32 ONNX export of 1.1B parameters is 4.4 GB, beyond the 2 GB protobuf limit ' +
    'of a single .onnx file and beyond wasm32 memory, and the kit quantizes q8 from that export',
};
const median = (xs) => { const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b); const n = s.length; return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const figures = [];
const print = (o) => console.log(JSON.stringify(o));

function runJsonLines(argv, env = {}) {
  const r = spawnSync('node', argv, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
const metric = (rows, m) => rows.find((r) => r.metric === m)?.value;
const byMetric = (rows) => Object.fromEntries(rows.filter((x) => x.metric).map((x) => [x.metric, x.value]));

// The prompt of a model without a peer, in the peer's --dump-inputs format.
async function writePrompt(folder, file) {
  const { makeSentences } = await import(pathToFileURL(path.join(shared, 'bench/lib.mjs')).href);
  const read = (f) => JSON.parse(fs.readFileSync(path.join(modelsDir, folder, f), 'utf8'));
  const tok = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const countTokens = (text) => ({ input_ids: { dims: [1, tok.encode(text).ids.length] } });
  const text = makeSentences(countTokens, 1, PROMPT_TOKENS)[0];
  fs.writeFileSync(file, JSON.stringify({ prompt: { text, input_ids: tok.encode(text).ids } }));
}

print({ type: 'meta', cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), node: process.version,
        date: new Date().toISOString(), note: 'shared machine: other jobs were running; medians of repeats' });

for (const name of models) {
  const folder = `hubwasm-bench--${name}`;
  const note = NO_PEER[name];
  const needed = note ? 'config.json' : 'onnx/model_quantized.onnx';  // make_llama_1b.py writes config.json last
  if (!fs.existsSync(path.join(modelsDir, folder, needed))) {
    print({ type: 'skip', model: name, reason: `${folder} missing: make bench-models` });
    continue;
  }
  const inputs = path.join(os.tmpdir(), `hubwasm-decode-inputs-${name}-${process.pid}.json`);
  if (note) await writePrompt(folder, inputs);
  for (const dtype of dtypes) {
    const acc = { peer: {}, native: {}, hubwasm: {} };
    const add = (who, m, v) => { (acc[who][m] ??= []).push(v); };
    let refused = null;
    for (let r = 0; r < repeat && !refused; r++) {
      // The peer also writes the prompt ids both runtimes use; for fp16 it runs fp32 only for them.
      const peer = note ? [] : runJsonLines([path.join(shared, 'bench/peer_bench.mjs'), '--models', modelsDir, '--model', folder, '--backend', 'wasm',
        '--threads', String(threads), '--dtype', dtype === 'fp16' ? 'fp32' : dtype, '--gen-iters', genIters, '--dump-inputs', inputs],
        { PEER_DIR: ROOT, MODELS_DIR: modelsDir });
      const native = note || dtype === 'fp16' ? [] : runJsonLines([path.join(shared, 'bench/peer_bench.mjs'), '--models', modelsDir, '--model', folder,
        '--backend', 'node', '--threads', String(threads), '--dtype', dtype, '--gen-iters', genIters], { PEER_DIR: ROOT, MODELS_DIR: modelsDir });
      // Cold loads from local files as the peer's, or, without a peer, from the Hub server (where a too-large model is refused).
      const ours = runJsonLines([path.join(ROOT, 'bench/hubwasm_decoder_bench.mjs'), '--models', modelsDir, '--model', folder,
        '--dtype', dtype, '--inputs', inputs, '--gen-iters', genIters, '--threads', String(threads), '--source', note ? 'hub' : 'local']);
      refused = ours.find((x) => x.metric === 'refused') ?? null;
      for (const m of ['ttft_ms', 'decode_tok_per_s', 'peak_rss_mb', 'load_ms', 'hub_load_ms', 'hub_load_cache_on_ms']) {
        if (dtype !== 'fp16' && !note) {
          add('peer', m, metric(peer, m));
          add('native', m, metric(native, m));
        }
        if (!refused) add('hubwasm', m, metric(ours, m));
      }
      print({ type: 'run', model: name, dtype, repeat: r, peer: note ? null : byMetric(peer), native: note ? null : byMetric(native),
              hubwasm: Object.fromEntries(ours.map((x) => [x.metric, x.value ?? x.message])) });
    }
    if (refused) {
      // The refusal does not depend on the run: one process is enough.
      const f = { name: `${name} ${dtype}`, unit: 'refused', hubwasm: null, peer: null, ratio: null, message: refused.message,
                  weight_gets: refused.weight_gets, peak_rss_mb: refused.peak_rss_mb, threads, where: 'node', ...(note && { note }) };
      figures.push(f);
      print(f);
      continue;
    }
    const fig = (m, unit, label, higherBetter) => {
      const h = median(acc.hubwasm[m] ?? []), p = median(acc.peer[m] ?? []), nat = median(acc.native[m] ?? []);
      const ratio = (other) => (other === null || h === null ? null : +(higherBetter ? h / other : other / h).toFixed(2));
      const f = { name: `${name} ${dtype} ${label}`, unit, hubwasm: h, peer: p, ratio: ratio(p), threads, where: 'node',
                  peer_native: nat, ratio_native: ratio(nat), n: acc.hubwasm[m].length, ...(note && { note }) };
      figures.push(f);
      print(f);
    };
    fig('ttft_ms', 'ms', `time to first token (${PROMPT_TOKENS}-token prompt)`, false);
    fig('decode_tok_per_s', 'tokens/s', 'decode speed (64 new tokens)', true);
    fig('peak_rss_mb', 'MiB', 'peak RSS', false);
    fig('load_ms', 'ms', note ? 'cold load from a 127.0.0.1 Hub server' : 'cold load from local files', false);
    if (!note) fig('hub_load_ms', 'ms', 'load from a 127.0.0.1 Hub server (download, checksums; runtime already up)', false);
    if (!note) fig('hub_load_cache_on_ms', 'ms', 'the same with the download cache on (Node\'s default)', false);
  }
  fs.rmSync(inputs, { force: true });
}

console.log('\n| figure | unit | hubwasm | transformers.js (ort-web wasm) | ratio (>1: hubwasm better) | transformers.js (ort-node, native) | ratio vs native | threads | where |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  console.log(`| ${f.name} | ${f.unit} | ${f.unit === 'refused' ? f.message : f.hubwasm} | ${f.peer ?? '-'} | ${f.ratio ?? '-'} | ${f.peer_native ?? '-'} | ${f.ratio_native ?? '-'} | ${f.threads} | ${f.where} |`);
}
const notes = [...new Set(figures.map((f) => f.note).filter(Boolean))];
if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
