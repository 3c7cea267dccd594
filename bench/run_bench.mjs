// `make bench`: hubwasm vs transformers.js (onnxruntime-web wasm backend, in
// Node, same thread count) on the same weights (../shared/bench/make_models.py
// writes model.safetensors and onnx/model.onnx from one torch module), with
// transformers.js on onnxruntime-node (native CPU code, same thread count) as
// the native reference point. Every configuration runs in a fresh process,
// `--repeat` times (default 3); figures are medians over repeats. Prints one
// JSON line per figure
//   {name, unit, hubwasm, peer, ratio, threads, where, peer_native, ratio_native}
// (ratio > 1 means hubwasm is better: peer/hubwasm for times and sizes,
// hubwasm/peer for throughput; ratio_native the same against the native
// reference), then a markdown table.
//   node bench/run_bench.mjs [--models build/models] [--only minilm-l6,bert-base] [--repeat 3] [--out r.jsonl]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', path.join(ROOT, 'build/models')));
const shared = path.resolve(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'));
const models = opt('--only', 'minilm-l6,bert-base').split(',');
const repeat = +opt('--repeat', 3);
const threads = +opt('--threads', 1);  // both runtimes on the same thread count
const out = opt('--out', null);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const lines = [];
const print = (o) => { const s = JSON.stringify(o); lines.push(s); console.log(s); if (out) fs.appendFileSync(out, s + '\n'); };

function runJsonLines(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
const metric = (rows, m) => rows.find((r) => r.metric === m)?.value;
const byMetric = (rows) => Object.fromEntries(rows.filter((x) => x.metric).map((x) => [x.metric, x.value]));

print({ type: 'meta', cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), node: process.version,
        date: new Date().toISOString(), note: 'shared machine: other jobs were running; medians of repeats' });

const figures = [];
for (const name of models) {
  const folder = `hubwasm-bench--${name}`;
  if (!fs.existsSync(path.join(modelsDir, folder, 'onnx/model.onnx'))) {
    print({ type: 'skip', model: name, reason: `${folder} missing: /usr/bin/python3 ${shared}/bench/make_models.py --out ${modelsDir} --only ${name} --no-quant --prefix hubwasm-bench--` });
    continue;
  }
  const acc = { peer: {}, native: {}, hubwasm: {} };
  const add = (who, m, v) => { (acc[who][m] ??= []).push(v); };
  for (let r = 0; r < repeat; r++) {
    const inputs = path.join(os.tmpdir(), `hubwasm-bench-inputs-${name}-${process.pid}.json`);
    const peer = runJsonLines('node', [path.join(shared, 'bench/peer_bench.mjs'), '--models', modelsDir, '--model', folder,
      '--backend', 'wasm', '--threads', String(threads), '--dtype', 'fp32', '--dump-inputs', inputs], { PEER_DIR: ROOT, MODELS_DIR: modelsDir });
    const native = runJsonLines('node', [path.join(shared, 'bench/peer_bench.mjs'), '--models', modelsDir, '--model', folder,
      '--backend', 'node', '--threads', String(threads), '--dtype', 'fp32'], { PEER_DIR: ROOT, MODELS_DIR: modelsDir });
    const ours = runJsonLines('node', [path.join(ROOT, 'bench/hubwasm_encoder_bench.mjs'), '--models', modelsDir, '--model', folder, '--inputs', inputs, '--threads', String(threads)]);
    for (const m of ['load_ms', 'latency_16tok_ms', 'batch32x64_sent_per_s', 'peak_rss_mb']) {
      add('peer', m, metric(peer, m));
      add('native', m, metric(native, m));
      add('hubwasm', m, metric(ours, m));
    }
    add('hubwasm', 'hub_load_ms', metric(ours, 'hub_load_ms'));
    print({ type: 'run', model: name, repeat: r, peer: byMetric(peer), native: byMetric(native), hubwasm: byMetric(ours) });
  }
  const fig = (metricName, unit, label, higherBetter) => {
    const h = median(acc.hubwasm[metricName]), p = median(acc.peer[metricName]), nat = median(acc.native[metricName]);
    const ratio = (other) => +(higherBetter ? h / other : other / h).toFixed(2);
    const f = { name: `${name} ${label}`, unit, hubwasm: h, peer: p, ratio: ratio(p), threads, where: 'node',
                peer_native: nat, ratio_native: ratio(nat), n: acc.hubwasm[metricName].length };
    figures.push(f);
    print(f);
  };
  fig('latency_16tok_ms', 'ms', 'one 16-token sentence latency', false);
  fig('batch32x64_sent_per_s', 'sentences/s', '32x64-token batch throughput', true);
  fig('load_ms', 'ms', 'cold load from local files (pipeline creation)', false);
  fig('peak_rss_mb', 'MiB', 'peak memory (process max RSS)', false);
  // The peer's kit has no Hub-server load: hubwasm's own figure, no ratio.
  const hubLoad = { name: `${name} load from a 127.0.0.1 Hub server (download, checksums; runtime already up)`, unit: 'ms',
                    hubwasm: median(acc.hubwasm.hub_load_ms), peer: null, ratio: null, threads, where: 'node', n: acc.hubwasm.hub_load_ms.length };
  figures.push(hubLoad);
  print(hubLoad);
}

// Download size: what a page fetches for the CPU backend (wasm + glue).
const gz = (f) => zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
const size = (files) => ({ raw: files.reduce((s, f) => s + fs.statSync(f).size, 0), gzip: files.reduce((s, f) => s + gz(f), 0) });
// A page downloads one variant: threaded (cross-origin isolated) or single-threaded;
// and sha256.wasm for the checksum worker if it downloads a file of 128 MiB or more
// (counted: the figure is the most a page downloads).
const ours = size([...(threads > 1 ? ['hubwasm-mt.wasm', 'hubwasm-mt.mjs', 'hubwasm-mt.worker.js'] : ['hubwasm.wasm', 'hubwasm.mjs']), 'sha256.wasm']
  .map((f) => path.join(ROOT, 'js/dist', f)));
const ortDir = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
const theirs = size(['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'].map((f) => path.join(ortDir, f)));
for (const k of ['raw', 'gzip']) {
  const f = { name: `wasm download size (${k}; .wasm + glue)`, unit: 'bytes', hubwasm: ours[k], peer: theirs[k], ratio: +(theirs[k] / ours[k]).toFixed(2), threads, where: 'node' };
  figures.push(f);
  print(f);
}

console.log('\n| figure | unit | hubwasm | transformers.js (ort-web wasm) | ratio (>1: hubwasm better) | transformers.js (ort-node, native) | ratio vs native | threads | where |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  console.log(`| ${f.name} | ${f.unit} | ${f.hubwasm} | ${f.peer ?? '-'} | ${f.ratio ?? '-'} | ${f.peer_native ?? '-'} | ${f.ratio_native ?? '-'} | ${f.threads} | ${f.where} |`);
}
