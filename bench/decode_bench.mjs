// `make bench` (decoders): hubwasm vs transformers.js (onnxruntime-web wasm
// backend, in Node, same thread count: --threads, default 1) on the same weights and prompt: time to first
// token, decode tokens/s and peak RSS of greedy generate() with 64 new tokens,
// for fp32, fp16 and q8. The peer has no fp16 ONNX file, so fp16 lines have
// peer null. Every configuration runs in a fresh process, `--repeat` times;
// figures are medians over repeats. One JSON line per figure
//   {name, unit, hubwasm, peer, ratio, threads, where}
// (ratio > 1: hubwasm better), then a markdown table.
//   node bench/decode_bench.mjs [--models build/models] [--only gpt2,tiny-llama] [--dtypes fp32,fp16,q8] [--repeat 3] [--gen-iters 3] [--threads 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', path.join(ROOT, 'build/models')));
const shared = path.resolve(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'));
const models = opt('--only', 'gpt2,tiny-llama').split(',');
const dtypes = opt('--dtypes', 'fp32,fp16,q8').split(',');
const repeat = +opt('--repeat', 3);
const genIters = opt('--gen-iters', '3');
const threads = +opt('--threads', 1);
const median = (xs) => { const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b); const n = s.length; return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const figures = [];
const print = (o) => console.log(JSON.stringify(o));

function runJsonLines(argv, env = {}) {
  const r = spawnSync('node', argv, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
const metric = (rows, m) => rows.find((r) => r.metric === m)?.value;

print({ type: 'meta', cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), node: process.version,
        date: new Date().toISOString(), note: 'shared machine: other jobs were running; medians of repeats' });

for (const name of models) {
  const folder = `hubwasm-bench--${name}`;
  if (!fs.existsSync(path.join(modelsDir, folder, 'onnx/model_quantized.onnx'))) {
    print({ type: 'skip', model: name, reason: `${folder} missing: make bench-models` });
    continue;
  }
  for (const dtype of dtypes) {
    const acc = { peer: {}, hubwasm: {} };
    const add = (who, m, v) => { (acc[who][m] ??= []).push(v); };
    for (let r = 0; r < repeat; r++) {
      const inputs = path.join(os.tmpdir(), `hubwasm-decode-inputs-${name}-${process.pid}.json`);
      // The peer also writes the prompt ids both runtimes use; for fp16 it runs fp32 only for them.
      const peer = runJsonLines([path.join(shared, 'bench/peer_bench.mjs'), '--models', modelsDir, '--model', folder, '--backend', 'wasm',
        '--threads', String(threads), '--dtype', dtype === 'fp16' ? 'fp32' : dtype, '--gen-iters', genIters, '--dump-inputs', inputs],
        { PEER_DIR: ROOT, MODELS_DIR: modelsDir });
      const ours = runJsonLines([path.join(ROOT, 'bench/hubwasm_decoder_bench.mjs'), '--models', modelsDir, '--model', folder,
        '--dtype', dtype, '--inputs', inputs, '--gen-iters', genIters, '--threads', String(threads)]);
      for (const m of ['ttft_ms', 'decode_tok_per_s', 'peak_rss_mb', 'load_ms']) {
        if (dtype !== 'fp16') add('peer', m, metric(peer, m));
        add('hubwasm', m, metric(ours, m));
      }
      print({ type: 'run', model: name, dtype, repeat: r, peer: Object.fromEntries(peer.filter((x) => x.metric).map((x) => [x.metric, x.value])),
              hubwasm: Object.fromEntries(ours.map((x) => [x.metric, x.value])) });
    }
    const fig = (m, unit, label, higherBetter) => {
      const h = median(acc.hubwasm[m] ?? []), p = median(acc.peer[m] ?? []);
      const ratio = p === null ? null : +(higherBetter ? h / p : p / h).toFixed(2);
      const f = { name: `${name} ${dtype} ${label}`, unit, hubwasm: h, peer: p, ratio, threads, where: 'node', n: acc.hubwasm[m].length };
      figures.push(f);
      print(f);
    };
    fig('ttft_ms', 'ms', 'time to first token (8-token prompt)', false);
    fig('decode_tok_per_s', 'tokens/s', 'decode speed (64 new tokens)', true);
    fig('peak_rss_mb', 'MiB', 'peak RSS', false);
    fig('load_ms', 'ms', 'load', false);
  }
}

console.log('\n| figure | unit | hubwasm | transformers.js (ort-web wasm) | ratio (>1: hubwasm better) | threads | where |');
console.log('|---|---|---|---|---|---|---|');
for (const f of figures) console.log(`| ${f.name} | ${f.unit} | ${f.hubwasm} | ${f.peer ?? '-'} | ${f.ratio ?? '-'} | ${f.threads} | ${f.where} |`);
