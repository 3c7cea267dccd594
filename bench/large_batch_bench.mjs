// Memory of one large feature-extraction call: pipeline('feature-extraction')
// with mean pooling + normalize over --sentences different sentences (83
// tokens each with MiniLM's tokenizer) in one call, after one small warm-up call. Prints one JSON line:
// the process's peak RSS before and after the call (MiB), and the call's time.
// The core pools each 512-token slice as it finishes (src/tasks/feature_extraction.cpp),
// so the rise should not grow with the number of sentences.
//   node bench/large_batch_bench.mjs [--models build/models] [--model hubwasm-bench--minilm-l6] [--sentences 1000]
import fs from 'node:fs';
import path from 'node:path';
import { env, pipeline } from 'hubwasm';
import { localModelFolder } from './local_models.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const folder = opt('--model', 'hubwasm-bench--minilm-l6');
const count = +opt('--sentences', 1000);
const peakMb = () => +(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

const local = localModelFolder(path.resolve(opt('--models', 'build/models')), folder);
Object.assign(env, { allowRemoteModels: false, allowLocalModels: true, localModelPath: local.root, useFSCache: false });
env.backends.wasm.numThreads = 1;
const extractor = await pipeline('feature-extraction', local.id);
const words = 'the quick brown fox jumps over a lazy dog while seven wizards quietly hex jolly vexing bunnies'.split(' ');
const sentence = (i) => Array.from({ length: 56 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
await extractor([sentence(0)], { pooling: 'mean', normalize: true });
const before = peakMb();
const t = performance.now();
const out = await extractor(Array.from({ length: count }, (_, i) => sentence(i)), { pooling: 'mean', normalize: true });
const seconds = (performance.now() - t) / 1000;
const tokens = extractor.tokenizer([sentence(0)]).input_ids.dims[1];
console.log(JSON.stringify({ name: `${folder} feature-extraction, ${count} sentences of ${tokens} tokens in one call`,
  dims: out.dims, peak_rss_before_mb: Math.round(before), peak_rss_after_mb: Math.round(peakMb()), seconds: +seconds.toFixed(1) }));
await extractor.dispose();
