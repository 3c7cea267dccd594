// hubwasm vs transformers.js in headless Chromium, on the same weights and with
// the same protocol as ../shared/bench/browser_bench.mjs (the peer's page):
// pipeline('feature-extraction') with mean pooling + normalize, cold load from
// a Hub server on 127.0.0.1 in a fresh browser profile, one 16-token sentence
// (median of 20 after 5 warm-ups), 32 sentences of exactly 64 tokens (median
// of 2 after 1 warm-up), peak renderer memory (VmHWM). Sentences come from the
// kit's makeSentences over each runtime's own tokenizer (same texts: the
// tokenizers agree). Each repeat runs both in fresh browsers; figures are
// medians over repeats, printed as JSON lines {name, unit, hubwasm, peer,
// ratio, threads, where: 'chromium'}, then a table.
//   node bench/browser_bench.mjs [--models build/models] [--only minilm-l6] [--repeat 3] [--threads 1] [--out r.jsonl]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHubServer } from '../tests/js/hub_server.mjs';
import { startStaticServer } from '../tests/js/static_server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', path.join(ROOT, 'build/models')));
const shared = path.resolve(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'));
const models = opt('--only', 'minilm-l6').split(',');
const repeat = +opt('--repeat', 3);
const threads = +opt('--threads', 1);
const out = opt('--out', null);
const kit = await import(path.join(shared, 'bench/lib.mjs'));
const lines = [];
const print = (o) => { const s = JSON.stringify(o); lines.push(s); console.log(s); if (out) fs.appendFileSync(out, s + '\n'); };

// The in-page measurement; the same steps and iteration counts as the peer's page.
const PAGE = (repo, hubUrl) => `<!doctype html><meta charset="utf-8"><script type="module">
  import * as hubwasm from '/js/src/index.js';
  const BENCH_TEXT = ${JSON.stringify(kit.BENCH_TEXT)};
  ${kit.makeSentences.toString()}
  ${kit.median.toString()}
  const now = () => performance.now();
  const metrics = {};
  try {
    hubwasm.env.remoteHost = ${JSON.stringify(hubUrl)};
    hubwasm.env.useBrowserCache = false;
    hubwasm.env.allowLocalModels = false;
    if (hubwasm.env.backends?.wasm) hubwasm.env.backends.wasm.numThreads = ${threads};
    let t = now();
    const ex = await hubwasm.pipeline('feature-extraction', ${JSON.stringify(repo)});
    metrics.load_ms = now() - t;
    const short = makeSentences(ex.tokenizer, 1, 16)[0];
    const batch = makeSentences(ex.tokenizer, 32, 64);
    const run = (x) => ex(x, { pooling: 'mean', normalize: true });
    for (let i = 0; i < 5; i++) await run(short);
    const lat = [];
    for (let i = 0; i < 20; i++) { t = now(); await run(short); lat.push(now() - t); }
    metrics.latency_16tok_ms = median(lat);
    await run(batch);
    const bts = [];
    for (let i = 0; i < 2; i++) { t = now(); await run(batch); bts.push(now() - t); }
    metrics.batch32x64_sent_per_s = 32 / (median(bts) / 1000);
    metrics.isolated = self.crossOriginIsolated;
    await ex.dispose();
    window.__result = metrics;
  } catch (e) {
    window.__result = { error: String(e.stack ?? e) };
  }
</script>`;

/** VmHWM (MiB) of the renderer processes under the browser whose profile is `profile`. */
function rendererPeakMb(profile) {
  const procs = new Map();  // pid -> { ppid, cmd }
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1];
      procs.set(pid, { ppid, cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* the process ended while we looked */ }
  }
  const roots = [...procs].filter(([, p]) => p.cmd.includes(profile) && !p.cmd.includes('--type=')).map(([pid]) => pid);
  const under = (pid) => { for (let p = pid; p && p !== '0'; p = procs.get(p)?.ppid) if (roots.includes(p)) return true; return false; };
  let peak = 0;
  for (const [pid, p] of procs) {
    if (!p.cmd.includes('--type=renderer') || !under(pid)) continue;
    try {
      peak = Math.max(peak, +(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
    } catch { /* ended */ }
  }
  return peak;
}

async function runHubwasm(name) {
  const hub = await startHubServer({ root: modelsDir });
  const site = await startStaticServer({ root: ROOT, headers: threads > 1
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {} });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--js-flags=--max-old-space-size=4096`],
  });
  try {
    site.pages['/bench.html'] = PAGE(`hubwasm-bench/${name}`, hub.url);
    const tab = await browser.newPage();
    await tab.goto(`${site.url}bench.html`);
    await tab.waitForFunction(() => window.__result, null, { timeout: 600_000 });
    const result = await tab.evaluate(() => window.__result);
    if (result.error) throw new Error(result.error);
    return { ...result, peak_rss_mb: rendererPeakMb(profile) };
  } finally {
    await browser.close();
    await site.close();
    await hub.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function runPeer(name) {
  const r = spawnSync('node', [path.join(shared, 'bench/browser_bench.mjs'), '--models', modelsDir, '--model', name,
    '--threads', String(threads), '--dtypes', 'fp32', '--repeat', '1'],
  { cwd: ROOT, env: { ...process.env, PEER_DIR: ROOT, MODELS_DIR: modelsDir }, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`peer browser bench failed (${r.status}):\n${r.stderr}`);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((x) => x.metric && !x.type);
  return Object.fromEntries(rows.map((x) => [x.metric, x.value]));
}

print({ type: 'meta', where: 'chromium', cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(),
        date: new Date().toISOString(), threads });
const figures = [];
for (const name of models) {
  // The kit names bench models <prefix><name>; our Hub server serves them as hubwasm-bench/<name>.
  if (!fs.existsSync(path.join(modelsDir, `hubwasm-bench--${name}`, 'onnx/model.onnx'))) {
    print({ type: 'skip', model: name, reason: `build/models/hubwasm-bench--${name} missing (make bench-models)` });
    continue;
  }
  const acc = { peer: {}, hubwasm: {} };
  for (let r = 0; r < repeat; r++) {
    const peer = runPeer(`hubwasm-bench--${name}`);
    const ours = await runHubwasm(name);
    print({ type: 'run', model: name, repeat: r, peer, hubwasm: ours });
    for (const m of ['load_ms', 'latency_16tok_ms', 'batch32x64_sent_per_s', 'peak_rss_mb']) {
      (acc.peer[m] ??= []).push(peer[m]);
      (acc.hubwasm[m] ??= []).push(ours[m]);
    }
  }
  const higherIsBetter = { batch32x64_sent_per_s: true };
  const units = { load_ms: 'ms', latency_16tok_ms: 'ms', batch32x64_sent_per_s: 'sentences/s', peak_rss_mb: 'MiB' };
  for (const m of Object.keys(units)) {
    const h = kit.median(acc.hubwasm[m]), p = kit.median(acc.peer[m]);
    const fig = { name: `${name} ${m}`, unit: units[m], hubwasm: +h.toFixed(2), peer: +p.toFixed(2),
                  ratio: +(higherIsBetter[m] ? h / p : p / h).toFixed(2), threads, where: 'chromium' };
    figures.push(fig);
    print(fig);
  }
}
console.log('\n| figure (Chromium) | unit | hubwasm | transformers.js | ratio (>1: hubwasm better) |\n|---|---|---|---|---|');
for (const f of figures) console.log(`| ${f.name} | ${f.unit} | ${f.hubwasm} | ${f.peer} | ${f.ratio}x |`);
