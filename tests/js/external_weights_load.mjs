// Child of external_weights.test.mjs: loads hubwasm-test/random-llama with
// one dtype from one source and prints, as JSON, what the load held:
//   growth           bytes WebAssembly memory grew by during the load
//   peakArrayBuffers JavaScript's ArrayBuffers (not wasm memory) at their
//                    largest during the load, sampled every millisecond
//   maxRss           the process's peak RSS, right after the load
//   weightBytes, maxLogitDiff (from an fp32 load of the local folder made afterwards, not for fp32)
//   openWeightFiles  weight files (or download temporaries) still open after the load
//   node tests/js/external_weights_load.mjs <hub url> <hub root> <dtype> <hub|local> <threads> [cache dir]
// hub: from the Hub server at <hub url>, through the folder cache when a cache dir is given (a second
// load then downloads nothing); local: from env.localModelPath (<hub root>/local/).
import path from 'node:path';
import { AutoModelForCausalLM, env } from 'hubwasm';
import { getRuntime } from '../../js/src/runtime.js';
import { openWeightFiles } from './open_files.mjs';

const [hubUrl, root, dtype, source, threads, cacheDir] = process.argv.slice(2);
env.remoteHost = hubUrl;
env.useFSCache = Boolean(cacheDir);
env.cacheDir = cacheDir ?? null;
env.allowLocalModels = source === 'local';
env.localModelPath = path.join(root, 'local');
env.backends.wasm.numThreads = Number(threads);  // 2: the threaded build, whose wasm memory is a SharedArrayBuffer

const native = await getRuntime();
const before = native.HEAPU8.length;
let peakArrayBuffers = 0;
const sample = () => { peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers); };
const sampler = setInterval(sample, 1);
const model = await AutoModelForCausalLM.from_pretrained('hubwasm-test/random-llama', { dtype });
sample();
clearInterval(sampler);
const growth = native.HEAPU8.length - before;
const maxRss = process.resourceUsage().maxRSS * 1024;
const openAfter = openWeightFiles();
const input = { input_ids: [[1, 17, 300, 4000, 7999, 42]] };
const logits = (await model(input)).logits.data;
const weightBytes = model.weight_bytes;
await model.dispose();
let maxLogitDiff = 0;
if (dtype !== 'fp32') {
  env.allowLocalModels = true;
  const reference = await AutoModelForCausalLM.from_pretrained('hubwasm-test/random-llama', { dtype: 'fp32' });
  const want = (await reference(input)).logits.data;
  for (let i = 0; i < want.length; i++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(want[i] - logits[i]));
  await reference.dispose();
}
console.log(JSON.stringify({ dtype, source, growth, peakArrayBuffers, maxRss, weightBytes, maxLogitDiff, openWeightFiles: openAfter }));
process.exit(0);
