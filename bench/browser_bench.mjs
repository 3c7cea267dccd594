// hubwasm vs transformers.js in headless Chromium, on the same weights and with
// the same protocol as ../shared/bench/browser_bench.mjs (the peer's page),
// cold load from a Hub server on 127.0.0.1 in a fresh browser profile, peak
// renderer memory (VmHWM). Encoders: pipeline('feature-extraction') with mean
// pooling + normalize, one 16-token sentence (median of 20 after 5 warm-ups),
// 32 sentences of exactly 64 tokens (median of 2 after 1 warm-up). Decoders
// (per dtype): AutoTokenizer + AutoModelForCausalLM, greedy generate() of
// exactly 64 new tokens from an 8-token prompt, time to first token and decode
// tokens/s through a streamer (median of 3 after 2 warm-ups). Texts come from
// the kit's makeSentences over each runtime's own tokenizer (same texts: the
// tokenizers agree). Each repeat runs both in fresh browsers; figures are
// medians over repeats, printed as JSON lines {name, unit, hubwasm, peer,
// ratio, threads, where: 'chromium'}, then a table.
// With --browser-cache hubwasm keeps its default Cache API on, so its load
// also writes the download to the cache (the peer's page keeps its own off).
// With --worker hubwasm's decoders run as pipeline('text-generation', repo,
// { worker: true, dtype }) (a dedicated worker of the same renderer, where
// q8 / fp16 weights load from a temporary OPFS file): figures are the load
// and peak memory only, around one greedy 64-token generation (the worker's
// streamer sends words, not tokens, so decode timings are not comparable).
//   node bench/browser_bench.mjs [--models build/models] [--only minilm-l6,gpt2] [--dtypes fp32,q8]
//                                [--repeat 3] [--threads 1] [--browser-cache] [--worker] [--out r.jsonl]
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
const decoderDtypes = opt('--dtypes', 'fp32,q8').split(',');
const out = opt('--out', null);
const browserCache = args.includes('--browser-cache');
const inWorker = args.includes('--worker');
const kit = await import(path.join(shared, 'bench/lib.mjs'));
const lines = [];
const print = (o) => { const s = JSON.stringify(o); lines.push(s); console.log(s); if (out) fs.appendFileSync(out, s + '\n'); };

// The in-page measurements; the same steps and iteration counts as the peer's page.
const PAGE = (hubUrl, body) => `<!doctype html><meta charset="utf-8"><script type="module">
  import * as hubwasm from '/js/src/index.js';
  const BENCH_TEXT = ${JSON.stringify(kit.BENCH_TEXT)};
  ${kit.makeSentences.toString()}
  ${kit.median.toString()}
  const now = () => performance.now();
  const metrics = {};
  try {
    hubwasm.env.remoteHost = ${JSON.stringify(hubUrl)};
    hubwasm.env.useBrowserCache = ${browserCache};
    hubwasm.env.allowLocalModels = false;
    if (hubwasm.env.backends?.wasm) hubwasm.env.backends.wasm.numThreads = ${threads};
    ${body}
    metrics.isolated = self.crossOriginIsolated;
    window.__result = metrics;
  } catch (e) {
    window.__result = { error: String(e.stack ?? e) };
  }
</script>`;

const ENCODER = (repo) => `
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
    await ex.dispose();`;

const DECODER = (repo, dtype) => `
    let t = now();
    const tok = await hubwasm.AutoTokenizer.from_pretrained(${JSON.stringify(repo)});
    const lm = await hubwasm.AutoModelForCausalLM.from_pretrained(${JSON.stringify(repo)}, { dtype: ${JSON.stringify(dtype)} });
    metrics.load_ms = now() - t;
    const enc = tok(makeSentences(tok, 1, 8)[0]);
    const gen = async () => {
      const times = [];
      let first = true;
      const streamer = { put() { if (first) first = false; else times.push(now()); }, end() {} };
      const t1 = now();
      await lm.generate({ ...enc, max_new_tokens: 64, min_new_tokens: 64, do_sample: false, streamer });
      return { ttft: times[0] - t1, decode: (times.length - 1) / ((times.at(-1) - times[0]) / 1000) };
    };
    for (let i = 0; i < 2; i++) await gen();
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await gen());
    metrics.ttft_ms = median(rs.map((r) => r.ttft));
    metrics.decode_tok_per_s = median(rs.map((r) => r.decode));
    await lm.dispose();`;

const DECODER_IN_WORKER = (repo, dtype) => `
    const t = now();
    const generator = await hubwasm.pipeline('text-generation', ${JSON.stringify(repo)}, { worker: true, dtype: ${JSON.stringify(dtype)} });
    metrics.load_ms = now() - t;
    await generator(BENCH_TEXT.split(' ').slice(0, 6).join(' '), { max_new_tokens: 64, min_new_tokens: 64, do_sample: false });
    await generator.dispose();`;

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

async function runHubwasm(folder, body) {
  // Cache-Control as the peer kit's server sends it: Chromium's HTTP cache writes no copy for either runtime.
  const hub = await startHubServer({ root: modelsDir, headers: { 'Cache-Control': 'no-store' } });
  await hub.prehash(folder);  // the stand-in Hub hashes in this process; the real one has them stored
  const site = await startStaticServer({ root: ROOT, headers: threads > 1
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {} });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--js-flags=--max-old-space-size=4096`],
  });
  try {
    site.pages['/bench.html'] = PAGE(hub.url, body);
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

function runPeer(name, dtype) {
  const r = spawnSync('node', [path.join(shared, 'bench/browser_bench.mjs'), '--models', modelsDir, '--model', name,
    '--threads', String(threads), '--dtypes', dtype, '--repeat', '1'],
  { cwd: ROOT, env: { ...process.env, PEER_DIR: ROOT, MODELS_DIR: modelsDir }, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`peer browser bench failed (${r.status}):\n${r.stderr}`);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((x) => x.metric && !x.type);
  return Object.fromEntries(rows.map((x) => [x.metric, x.value]));
}

print({ type: 'meta', where: 'chromium', cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(),
        date: new Date().toISOString(), threads, hubwasm_browser_cache: browserCache });
const figures = [];
const cacheTag = (browserCache ? ' (hubwasm Cache API on)' : '') + (inWorker ? ' (hubwasm in a worker)' : '');
for (const name of models) {
  // The kit names bench models <prefix><name>; our Hub server serves them as hubwasm-bench/<name>.
  if (!fs.existsSync(path.join(modelsDir, `hubwasm-bench--${name}`, 'onnx/model.onnx'))) {
    print({ type: 'skip', model: name, reason: `build/models/hubwasm-bench--${name} missing (make bench-models)` });
    continue;
  }
  const repo = `hubwasm-bench/${name}`;
  const { kind } = JSON.parse(fs.readFileSync(path.join(modelsDir, `hubwasm-bench--${name}`, 'kit_info.json'), 'utf8'));
  const configs = kind === 'decoder'
    ? decoderDtypes.map((dtype) => ({ dtype, tag: `${name} ${dtype}${cacheTag}`,
        body: inWorker ? DECODER_IN_WORKER(repo, dtype) : DECODER(repo, dtype),
        metrics: inWorker ? { load_ms: 'ms', peak_rss_mb: 'MiB' }
          : { load_ms: 'ms', ttft_ms: 'ms', decode_tok_per_s: 'tokens/s', peak_rss_mb: 'MiB' } }))
    : [{ dtype: 'fp32', tag: `${name}${cacheTag}`, body: ENCODER(repo),
        metrics: { load_ms: 'ms', latency_16tok_ms: 'ms', batch32x64_sent_per_s: 'sentences/s', peak_rss_mb: 'MiB' } }];
  const higherIsBetter = { batch32x64_sent_per_s: true, decode_tok_per_s: true };
  for (const c of configs) {
    const acc = { peer: {}, hubwasm: {} };
    for (let r = 0; r < repeat; r++) {
      const peer = runPeer(`hubwasm-bench--${name}`, c.dtype);
      const ours = await runHubwasm(`hubwasm-bench--${name}`, c.body);
      print({ type: 'run', model: name, dtype: c.dtype, repeat: r, peer, hubwasm: ours });
      for (const m of Object.keys(c.metrics)) {
        (acc.peer[m] ??= []).push(peer[m]);
        (acc.hubwasm[m] ??= []).push(ours[m]);
      }
    }
    for (const [m, unit] of Object.entries(c.metrics)) {
      const h = kit.median(acc.hubwasm[m]), p = kit.median(acc.peer[m]);
      const fig = { name: `${c.tag} ${m}`, unit, hubwasm: +h.toFixed(2), peer: +p.toFixed(2),
                    ratio: +(higherIsBetter[m] ? h / p : p / h).toFixed(2), threads, where: 'chromium' };
      figures.push(fig);
      print(fig);
    }
  }
}
console.log('\n| figure (Chromium) | unit | hubwasm | transformers.js | ratio (>1: hubwasm better) |\n|---|---|---|---|---|');
for (const f of figures) console.log(`| ${f.name} | ${f.unit} | ${f.hubwasm} | ${f.peer} | ${f.ratio}x |`);
