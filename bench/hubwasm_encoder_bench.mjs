// One hubwasm encoder measurement in a fresh Node process, with the same
// protocol and the same texts as ../shared/bench/peer_bench.mjs (its
// --dump-inputs file): pipeline('feature-extraction') + mean pooling +
// normalize; cold load; one 16-token sentence (median of 20 after 5
// warm-ups); a 32 x 64-token batch (median of 2 after 1 warm-up). Prints one
// JSON line per metric. The cold load reads
// the files from a local folder, as the peer does (bench/local_models.mjs);
// a second load, from the stand-in Hub server with the runtime already up,
// gives hub_load_ms (download and checksums included).
// --threads N sets env.backends.wasm.numThreads (Node runs the threaded build).
//   node bench/hubwasm_encoder_bench.mjs --models build/models --model hubwasm-bench--minilm-l6 --inputs ids.json [--threads 2]
import fs from 'node:fs';
import path from 'node:path';
import { env, pipeline, runtimeInfo } from 'hubwasm';
import { startHubServer } from '../tests/js/hub_server.mjs';
import { localModelFolder } from './local_models.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', 'build/models'));
const folder = opt('--model', 'hubwasm-bench--minilm-l6');
const inputs = JSON.parse(fs.readFileSync(opt('--inputs'), 'utf8'));
const LAT_WARMUP = 5, LAT_ITERS = +opt('--lat-iters', 20), BATCH_ITERS = +opt('--batch-iters', 2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const now = () => performance.now();
const emit = (o) => process.stdout.write(JSON.stringify({ runtime: 'hubwasm', model: folder, ...o }) + '\n');

const local = localModelFolder(modelsDir, folder);
env.allowRemoteModels = false;
env.localModelPath = local.root;
env.useFSCache = false;
env.backends.wasm.numThreads = +opt('--threads', 1);
let t = now();
const ex = await pipeline('feature-extraction', local.id);
emit({ metric: 'load_ms', value: +(now() - t).toFixed(1), unit: 'ms', note: 'pipeline() from local files, incl. wasm instantiation', ...runtimeInfo() });
const run = (x) => ex(x, { pooling: 'mean', normalize: true });
const short = inputs.short.text, batch = inputs.batch.texts;
t = now();
await run(short);
emit({ metric: 'first_run_ms', value: +(now() - t).toFixed(2), unit: 'ms' });
for (let i = 1; i < LAT_WARMUP; i++) await run(short);
const lat = [];
for (let i = 0; i < LAT_ITERS; i++) { t = now(); await run(short); lat.push(now() - t); }
emit({ metric: 'latency_16tok_ms', value: +median(lat).toFixed(2), unit: 'ms', min: +Math.min(...lat).toFixed(2) });
const out = await run(batch);
if (out.dims[0] !== batch.length) throw new Error(`batch output ${out.dims}`);
const bts = [];
for (let i = 0; i < BATCH_ITERS; i++) { t = now(); await run(batch); bts.push(now() - t); }
const bm = median(bts);
emit({ metric: 'batch32x64_ms', value: +bm.toFixed(1), unit: 'ms', runs: bts.map((x) => +x.toFixed(1)) });
emit({ metric: 'batch32x64_sent_per_s', value: +(batch.length / (bm / 1000)).toFixed(2), unit: 'sentences/s' });
emit({ metric: 'peak_rss_mb', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' });
await ex.dispose?.();

const hub = await startHubServer({ root: modelsDir });
await hub.prehash(folder);  // the stand-in Hub hashes in this process; the real one has them stored
Object.assign(env, { allowRemoteModels: true, allowLocalModels: false, remoteHost: hub.url });
t = now();
const again = await pipeline('feature-extraction', folder.replace('--', '/'));
emit({ metric: 'hub_load_ms', value: +(now() - t).toFixed(1), unit: 'ms', note: 'pipeline() from a 127.0.0.1 Hub server, runtime already up' });
await again.dispose?.();
hub.close();
process.exit(0);
