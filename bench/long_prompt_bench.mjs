// `make bench` (decoders, long prompts): time to first token and decode
// tokens/s of greedy generate() with 64 new tokens after a long prompt
// (--prompt-tokens, default 500), where attention over the KV cache weighs
// more than after the peer kit's 8-token prompt. hubwasm vs transformers.js
// (onnxruntime-web wasm backend, in Node, same thread count) on the same
// weights and the same prompt ids, built with the kit's makeSentences
// (../shared/bench/lib.mjs) from its text, counted with
// @huggingface/tokenizers. Each runtime runs in a fresh process per dtype,
// `--repeat` times; one generate() warms up, then the median of --gen-iters.
// One JSON line per figure {name, unit, hubwasm, peer, ratio, threads, where}
// (ratio > 1: hubwasm better), then a markdown table.
//   node bench/long_prompt_bench.mjs [--models build/models] [--only gpt2] [--dtypes fp32,q8] [--prompt-tokens 500] [--repeat 3] [--threads 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const modelsDir = path.resolve(opt('--models', path.join(ROOT, 'build/models')));
const shared = path.resolve(process.env.HUBWASM_SHARED ?? path.join(ROOT, '../shared'));
const threads = +opt('--threads', 1);
const genIters = +opt('--gen-iters', 3);
const NEW_TOKENS = 64;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const now = () => performance.now();

// One child process: load `folder` with one runtime, then time generate() on the prompt in `--inputs`.
async function child(runtime) {
  const folder = opt('--model');
  const dtype = opt('--dtype');
  const ids = JSON.parse(fs.readFileSync(opt('--inputs'), 'utf8')).input_ids;
  let generate;
  if (runtime === 'hubwasm') {
    const { AutoModelForCausalLM, Tensor, env, runtimeInfo } = await import('hubwasm');
    const { localModelFolder } = await import('./local_models.mjs');
    const local = localModelFolder(modelsDir, folder);
    Object.assign(env, { allowRemoteModels: false, allowLocalModels: true, localModelPath: local.root, useFSCache: false });
    env.backends.wasm.numThreads = threads;
    const lm = await AutoModelForCausalLM.from_pretrained(local.id, { dtype });
    if (runtimeInfo().numThreads !== threads) throw new Error(`hubwasm runs ${runtimeInfo().numThreads} threads, not ${threads}`);
    const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    generate = (streamer) => lm.generate({ input_ids, max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false, streamer });
  } else {
    process.env.MODELS_DIR = modelsDir;
    process.env.PEER_DIR = ROOT;
    const kit = await import(pathToFileURL(path.join(shared, 'bench/lib.mjs')).href);
    const { tf } = await kit.importTransformers('wasm', threads);
    const lm = await tf.AutoModelForCausalLM.from_pretrained(kit.tfModelId(modelsDir, folder), kit.modelOptions('wasm', threads, dtype));
    const input_ids = new tf.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const attention_mask = new tf.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    // Its generate() wants a BaseStreamer; the timing one's methods go on an instance.
    const timing = (streamer) => Object.assign(new (class extends tf.BaseStreamer {})(), streamer);
    generate = (streamer) => lm.generate({ input_ids, attention_mask, max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false, streamer: timing(streamer) });
  }
  const once = async () => {
    const times = [];
    let prompt = true;  // both runtimes' streamers get the prompt first
    const streamer = { put() { if (prompt) prompt = false; else times.push(now()); }, end() {} };
    const t0 = now();
    await generate(streamer);
    if (times.length !== NEW_TOKENS) throw new Error(`${runtime}: ${times.length} tokens streamed, expected ${NEW_TOKENS}`);
    return { ttft: times[0] - t0, decode: (times.length - 1) / ((times.at(-1) - times[0]) / 1000) };
  };
  await once();
  const rs = [];
  for (let i = 0; i < genIters; i++) rs.push(await once());
  console.log(JSON.stringify({ ttft_ms: median(rs.map((r) => r.ttft)), decode_tok_per_s: median(rs.map((r) => r.decode)) }));
}

// The kit's prompt protocol (makeSentences) at `tokens` tokens, as ids of the repo's own tokenizer.
async function writePrompt(folder, tokens, file) {
  const { makeSentences } = await import(pathToFileURL(path.join(shared, 'bench/lib.mjs')).href);
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const read = (f) => JSON.parse(fs.readFileSync(path.join(modelsDir, folder, f), 'utf8'));
  const tok = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const text = makeSentences((t) => ({ input_ids: { dims: [1, tok.encode(t).ids.length] } }), 1, tokens)[0];
  if (text === null) throw new Error(`${folder}: the kit's text makes no prompt of ${tokens} tokens (it stops at 400 words)`);
  const ids = tok.encode(text).ids;
  if (ids.length !== tokens) throw new Error(`${folder}: a prompt of ${ids.length} tokens, not ${tokens}`);
  fs.writeFileSync(file, JSON.stringify({ text, input_ids: ids }));
}

async function main() {
  const promptTokens = +opt('--prompt-tokens', 500);
  const repeat = +opt('--repeat', 3);
  const figures = [];
  const print = (o) => console.log(JSON.stringify(o));
  print({ type: 'meta', cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, date: new Date().toISOString() });
  for (const name of opt('--only', 'gpt2').split(',')) {
    const folder = `hubwasm-bench--${name}`;
    const inputs = path.join(os.tmpdir(), `hubwasm-long-prompt-${name}-${process.pid}.json`);
    try {
      await writePrompt(folder, promptTokens, inputs);
      for (const dtype of opt('--dtypes', 'fp32,q8').split(',')) {
        const acc = { hubwasm: [], peer: [] };
        for (let r = 0; r < repeat; r++) {
          for (const runtime of ['peer', 'hubwasm']) {
            const run = spawnSync('node', [fileURLToPath(import.meta.url), '--child', runtime, '--models', modelsDir, '--model', folder,
              '--dtype', dtype, '--inputs', inputs, '--threads', String(threads), '--gen-iters', String(genIters)],
            { cwd: ROOT, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
            if (run.status !== 0) throw new Error(`${runtime} ${name} ${dtype} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
            const line = run.stdout.split('\n').filter((l) => l.startsWith('{')).at(-1);
            if (!line) throw new Error(`${runtime} ${name} ${dtype} printed no result:\n${run.stdout}`);
            const result = JSON.parse(line);
            acc[runtime].push(result);
            print({ type: 'run', model: name, dtype, repeat: r, runtime, ...result });
          }
        }
        const fig = (metric, unit, label, higherBetter) => {
          const h = median(acc.hubwasm.map((x) => x[metric])), p = median(acc.peer.map((x) => x[metric]));
          const f = { name: `${name} ${dtype} ${label}`, unit, hubwasm: +h.toFixed(2), peer: +p.toFixed(2),
                      ratio: +(higherBetter ? h / p : p / h).toFixed(2), threads, where: 'node', n: repeat };
          figures.push(f);
          print(f);
        };
        fig('ttft_ms', 'ms', `time to first token (${promptTokens}-token prompt)`, false);
        fig('decode_tok_per_s', 'tokens/s', `decode speed (64 new tokens after ${promptTokens})`, true);
      }
    } finally {
      fs.rmSync(inputs, { force: true });
    }
  }
  console.log('\n| figure | unit | hubwasm | transformers.js (ort-web wasm) | ratio (>1: hubwasm better) | threads | where |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) console.log(`| ${f.name} | ${f.unit} | ${f.hubwasm} | ${f.peer} | ${f.ratio} | ${f.threads} | ${f.where} |`);
}

if (opt('--child')) await child(opt('--child'));
else await main();
