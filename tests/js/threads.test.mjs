// Threads in Node: env.backends.wasm.numThreads 2 runs the threaded build and
// must give the same outputs as 1 (the single-threaded build) and 3.
// The kernels split work only where the single-threaded code computes the
// same values the same way, so the expected tolerance is 0 (bit-identical);
// the outputs are also checked against independent references: transformers.js
// for the embeddings (1e-4) and the torch greedy ids of botchan-llama.
// The runtime loads once per process, so each thread count runs in a child.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHubServer } from './hub_server.mjs';
import { generatedRoot, maxAbsDiff, modelDir, transformersJs } from './reference.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOLERANCE = 1e-4;
// 32 sentences of about 64 tokens: every GEMM and attention call is big enough to split.
const TEXTS = Array.from({ length: 32 }, (_, i) =>
  `sentence ${i} talks about threads, pools and kernels `.repeat(6).trim());
const greedy = JSON.parse(fs.readFileSync(path.join(modelDir('hubwasm-fixtures--botchan-llama'), 'reference/greedy.json'), 'utf8'));
let hub, benchHub;

before(async () => {
  hub = await startHubServer();
  benchHub = await startHubServer({ root: generatedRoot });
});
after(async () => {
  await hub.close();
  await benchHub.close();
});

// Embeddings of TEXTS (MiniLM-L6 shape) and greedy generation with a left-padded
// batch of two botchan-llama prompts (fp32 and q8), in a fresh process.
const CHILD = `
import { AutoModelForCausalLM, Tensor, env, pipeline, runtimeInfo } from 'hubwasm';
const { THREADS, HUB, BENCH_HUB, TEXTS, PROMPTS } = process.env;
env.useFSCache = false;
if (THREADS !== 'default') env.backends.wasm.numThreads = Number(THREADS);
env.remoteHost = BENCH_HUB;
const extractor = await pipeline('feature-extraction', 'hubwasm-bench/minilm-l6');
const embeddings = await extractor(JSON.parse(TEXTS), { pooling: 'mean', normalize: true });
await extractor.dispose();
env.remoteHost = HUB;
const prompts = JSON.parse(PROMPTS);
const width = Math.max(...prompts.map((p) => p.length));
const pad = (row, fill) => [...Array(width - row.length).fill(fill), ...row];
const input_ids = new Tensor('int64', prompts.flatMap((p) => pad(p, 0)).map(BigInt), [prompts.length, width]);
const attention_mask = new Tensor('int64', prompts.flatMap((p) => pad(p.map(() => 1), 0)).map(BigInt), [prompts.length, width]);
const generated = {};
for (const dtype of ['fp32', 'q8']) {
  const model = await AutoModelForCausalLM.from_pretrained('hubwasm-fixtures/botchan-llama', { dtype });
  const out = await model.generate({ input_ids, attention_mask, max_new_tokens: 32, eos_token_id: [] });
  generated[dtype] = out.tolist().map((row) => row.slice(width).map(Number));
  await model.dispose();
}
console.log(JSON.stringify({ info: runtimeInfo(), embeddings: Array.from(embeddings.data), generated }));
`;

async function runChild(threads) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: repoRoot,
    env: {
      ...process.env, THREADS: String(threads), HUB: hub.url, BENCH_HUB: benchHub.url,
      TEXTS: JSON.stringify(TEXTS), PROMPTS: JSON.stringify(greedy.cases.slice(0, 2).map((c) => c.prompt_ids)),
    },
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

test('numThreads 1, 2 and 3: the same outputs, matching the references', async () => {
  const one = await runChild(1);
  const two = await runChild(2);
  const three = await runChild(3);
  assert.deepEqual(one.info, { variant: 'simd', numThreads: 1 });
  assert.deepEqual(two.info, { variant: 'simd-threads', numThreads: 2 });
  assert.deepEqual(three.info, { variant: 'simd-threads', numThreads: 3 });

  for (const [label, run] of [['2 threads', two], ['3 threads', three]]) {
    const diff = maxAbsDiff(Float32Array.from(run.embeddings), Float32Array.from(one.embeddings));
    console.log(`MiniLM-L6 32 x 64 embeddings, ${label} vs 1: max abs diff ${diff}`);
    assert.equal(diff, 0);
    assert.deepEqual(run.generated, one.generated, label);
  }

  const tf = await transformersJs();
  const reference = await tf.pipeline('feature-extraction', path.join(generatedRoot, 'hubwasm-bench--minilm-l6'), { dtype: 'fp32', device: 'cpu' });
  const expected = await reference(TEXTS, { pooling: 'mean', normalize: true });
  await reference.dispose();
  const err = maxAbsDiff(Float32Array.from(two.embeddings), expected.data);
  console.log(`2 threads vs transformers.js: max abs error ${err.toExponential(2)}`);
  assert.ok(err < TOLERANCE);
  // The torch greedy ids hold for fp32 (each prompt alone in the reference; here a left-padded batch).
  greedy.cases.slice(0, 2).forEach((c, row) => assert.deepEqual(two.generated.fp32[row], c.new_ids, c.prompt));
});

test('the default thread count is onnxruntime-web\'s min(4, ceil(cpus / 2)), and bad counts are refused', async () => {
  const os = await import('node:os');
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const { info } = await runChild('default');
  const threads = Math.min(4, Math.ceil(cpus / 2));
  assert.deepEqual(info, { variant: threads > 1 ? 'simd-threads' : 'simd', numThreads: threads });
  await assert.rejects(runChild(1.5), (e) => /numThreads must be a positive integer/.test(e.stderr) && /INVALID_ARGUMENT/.test(e.stderr));
});
