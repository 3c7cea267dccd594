// One hubwasm decoder measurement in a fresh Node process, with the protocol
// of ../shared/bench/peer_bench.mjs for decoders and its prompt (its
// --dump-inputs file): greedy generate() of exactly 64 new tokens; cold load
// (AutoModelForCausalLM); time to first token and decode tokens/s through a
// streamer, median of 3 after 2 warm-up runs; peak RSS. Prints one JSON line
// per metric. With --source local (the default) the cold load reads the files
// from a local folder, as the peer does (bench/local_models.mjs), and a second
// load, from the stand-in Hub server with the runtime already up, gives
// hub_load_ms (download and checksums included); with --source hub the cold
// load is from that server. A third load, from the same server with Node's
// default download cache on (an empty folder), gives hub_load_cache_on_ms.
// A model the package refuses as too
// large for wasm32 (HubwasmError MODEL_TOO_LARGE, raised before any weight
// is downloaded) gives one line {metric: 'refused', message, weight_gets}
// instead, weight_gets counting whole-file safetensors GETs the server saw.
//   node bench/hubwasm_decoder_bench.mjs --models build/models --model hubwasm-bench--gpt2 --dtype q8 --inputs ids.json [--threads 1] [--source local|hub]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, HubwasmError, Tensor, env } from 'hubwasm';
import { startHubServer } from '../tests/js/hub_server.mjs';
import { localModelFolder } from './local_models.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', 'build/models'));
const folder = opt('--model', 'hubwasm-bench--gpt2');
const dtype = opt('--dtype', 'fp32');
const prompt = JSON.parse(fs.readFileSync(opt('--inputs'), 'utf8')).prompt.input_ids;
const NEW_TOKENS = 64, WARMUP = 2, ITERS = +opt('--gen-iters', 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const now = () => performance.now();
const emit = (o) => process.stdout.write(JSON.stringify({ runtime: 'hubwasm', model: folder, dtype, ...o }) + '\n');

env.useFSCache = false;
env.backends.wasm.numThreads = +opt('--threads', 1);
// The stand-in Hub runs in this process and hashes every file it serves, so with
// --source local it starts only after the peak RSS is taken (its buffers are not ours).
let hub = null;
const fromHub = async () => {
  hub = await startHubServer({ root: modelsDir });
  await hub.prehash(folder);  // the real Hub has the hashes stored
  Object.assign(env, { allowRemoteModels: true, allowLocalModels: false, remoteHost: hub.url });
  return folder.replace('--', '/');
};
const fromLocalFiles = () => {
  const local = localModelFolder(modelsDir, folder);
  Object.assign(env, { allowRemoteModels: false, allowLocalModels: true, localModelPath: local.root });
  return local.id;
};
const source = opt('--source', 'local');
// As the peer: the tokenizer, then the model.
const load = async (id) => {
  (await AutoTokenizer.from_pretrained(id)).dispose();  // the prompt ids come from the peer's dump
  return AutoModelForCausalLM.from_pretrained(id, { dtype });
};
const id = source === 'hub' ? await fromHub() : fromLocalFiles();
let t = now();
let lm;
try {
  lm = await load(id);
} catch (error) {
  if (!(error instanceof HubwasmError && error.code === 'MODEL_TOO_LARGE')) throw error;
  const weightGets = hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors') && !r.range).length;
  emit({ metric: 'refused', value: null, code: error.code, message: error.message, weight_gets: weightGets,
         peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) });
  hub.close();
  process.exit(0);
}
emit({ metric: 'load_ms', value: +(now() - t).toFixed(1), unit: 'ms', source });
const input_ids = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
const gen = async () => {
  const times = [];
  let first = true;
  const streamer = { put() { if (first) first = false; else times.push(now()); }, end() {} };
  const t1 = now();
  await lm.generate({ input_ids, max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false, streamer });
  return { ttft: times[0] - t1, decode: (times.length - 1) / ((times.at(-1) - times[0]) / 1000) };
};
for (let i = 0; i < WARMUP; i++) await gen();
const rs = [];
for (let i = 0; i < ITERS; i++) rs.push(await gen());
emit({ metric: 'ttft_ms', value: +median(rs.map((r) => r.ttft)).toFixed(2), unit: 'ms', prompt_tokens: prompt.length });
emit({ metric: 'decode_tok_per_s', value: +median(rs.map((r) => r.decode)).toFixed(2), unit: 'tokens/s', runs: rs.map((r) => +r.decode.toFixed(2)) });
emit({ metric: 'weight_bytes', value: lm.weight_bytes, unit: 'bytes' });
emit({ metric: 'peak_rss_mb', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' });
await lm.dispose();
if (source === 'local') {
  const hubId = await fromHub();
  t = now();
  const again = await load(hubId);
  emit({ metric: 'hub_load_ms', value: +(now() - t).toFixed(1), unit: 'ms', note: 'from a 127.0.0.1 Hub server, runtime already up' });
  await again.dispose();
  // Once more with Node's default download cache on, into an empty folder: the download is also written to disk.
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bench-cache-'));
  Object.assign(env, { useFSCache: true, cacheDir });
  try {
    t = now();
    const cached = await load(hubId);
    emit({ metric: 'hub_load_cache_on_ms', value: +(now() - t).toFixed(1), unit: 'ms', note: 'as hub_load_ms, writing the download cache' });
    await cached.dispose();
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}
hub?.close();
process.exit(0);
