// Child of external_weights.test.mjs: loads hubwasm-test/random-llama from a
// local Hub folder with one dtype and prints the growth of WebAssembly memory
// during the load, the weights' size and the largest logit difference from
// an fp32 load made afterwards.
//   node tests/js/external_weights_load.mjs <hub root> <dtype>
import { AutoModelForCausalLM, env } from 'hubwasm';
import { getRuntime } from '../../js/src/runtime.js';
import { startHubServer } from './hub_server.mjs';

const [root, dtype] = process.argv.slice(2);
const hub = await startHubServer({ root });
env.remoteHost = hub.url;
env.useFSCache = false;
env.allowLocalModels = false;
env.backends.wasm.numThreads = 1;
const native = await getRuntime();
const before = native.HEAPU8.length;
const model = await AutoModelForCausalLM.from_pretrained('hubwasm-test/random-llama', { dtype });
const growth = native.HEAPU8.length - before;
const input = { input_ids: [[1, 17, 300, 4000, 7999, 42]] };
const logits = (await model(input)).logits.data;
const weightBytes = model.weight_bytes;
await model.dispose();
let maxLogitDiff = 0;
if (dtype !== 'fp32') {
  const reference = await AutoModelForCausalLM.from_pretrained('hubwasm-test/random-llama', { dtype: 'fp32' });
  const want = (await reference(input)).logits.data;
  for (let i = 0; i < want.length; i++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(want[i] - logits[i]));
  await reference.dispose();
}
console.log(JSON.stringify({ dtype, growth, weightBytes, maxLogitDiff }));
hub.close();
process.exit(0);
