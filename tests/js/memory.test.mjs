// WebAssembly memory comes back: load/dispose cycles and many inferences
// leave the core's allocated bytes (mallinfo) where they started.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AutoTokenizer, env, pipeline, wasmMemoryInUse } from 'hubwasm';
import { linkedHubRoot, useLocalHub } from './local_hub.mjs';
import { modelsRoot } from './reference.mjs';

// Allocator bookkeeping may move by a few KB; a leaked model would be >= 400 KB.
const BOUND_BYTES = 64 * 1024;

// A Hub root with the shared folders plus micro-bert's tokenizer with the Whitespace and
// UnicodeScripts pre-tokenizers (no shared repo has them).
const root = linkedHubRoot('hubwasm-memory-');
const scriptsTokenizer = JSON.parse(fs.readFileSync(path.join(modelsRoot, 'hubwasm-fixtures--micro-bert', 'tokenizer.json'), 'utf8'));
scriptsTokenizer.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'UnicodeScripts' }] };
fs.mkdirSync(path.join(root, 'generated--whitespace-scripts'));
fs.writeFileSync(path.join(root, 'generated--whitespace-scripts', 'tokenizer.json'), JSON.stringify(scriptsTokenizer));
const hub = useLocalHub({ root, removeRoot: true });

// First in this file, so it sees the runtime fresh. A block allocated once, lazily, during a
// load (a cached regex, a static table) would sit amid the load's freed scratch memory and keep
// the weights that come next from reusing it: GPT-2's tokenizer pinned 20 MiB that way. So even
// the first load and use of each of these tokenizers gives back every byte: byte-level BPE
// (two), WordPiece, byte-fallback BPE (two), Unigram, and the Whitespace and UnicodeScripts
// pre-tokenizers. Not a tokenizer.model alone: the sentencepiece library (Debian's source)
// builds a 10 KB table of byte pieces once, at its first model.
test('the first tokenizer loads leave nothing allocated once disposed', async () => {
  const start = await wasmMemoryInUse();
  const repos = ['openai-community/gpt2', 'google-bert/bert-base-uncased', 'meta-llama/Llama-2-tokenizer',
    'google-t5/t5-small', 'FacebookAI/roberta-base', 'microsoft/Phi-3-mini-4k-instruct',
    'generated/whitespace-scripts'];
  for (const repo of repos) {
    const tokenizer = await AutoTokenizer.from_pretrained(repo);
    tokenizer('Hello world, 123 tokens ünïcödé! 日本語のテキスト Ελληνικά');
    tokenizer.dispose();
    assert.equal(await wasmMemoryInUse(), start, `after ${repo}`);
  }
});

test('50 load/dispose cycles return the memory', async () => {
  const cycle = async () => {
    const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
    await extractor(['memory check'], { pooling: 'mean', normalize: true });
    await extractor.dispose();
  };
  await cycle();  // first use sets up the runtime's own allocations
  const start = await wasmMemoryInUse();
  for (let i = 0; i < 50; i++) await cycle();
  const end = await wasmMemoryInUse();
  console.log(`50 load/dispose cycles: ${start} -> ${end} bytes in use (${end - start >= 0 ? '+' : ''}${end - start})`);
  assert.ok(end - start < BOUND_BYTES);
});

test('1000 inferences on one pipeline keep memory flat', async () => {
  const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  await extractor(['warm up'], { pooling: 'mean' });
  const start = await wasmMemoryInUse();
  for (let i = 0; i < 1000; i++) await extractor([`sentence ${i}`, 'a second, longer sentence'], { pooling: 'mean', normalize: true });
  const end = await wasmMemoryInUse();
  console.log(`1000 inferences: ${start} -> ${end} bytes in use (${end - start >= 0 ? '+' : ''}${end - start})`);
  assert.ok(end - start < BOUND_BYTES);
  await extractor.dispose();
});

test('failed loads free what they took', async () => {
  const start = await wasmMemoryInUse();
  hub.server.setFaults([{ match: /model\.safetensors$/, kind: 'truncate' }]);
  env.retryDelayMs = 1;
  for (let i = 0; i < 10; i++) {
    await assert.rejects(pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert'), { code: 'NETWORK_ERROR' });
  }
  hub.server.setFaults([]);
  const end = await wasmMemoryInUse();
  console.log(`10 failed loads: ${start} -> ${end} bytes in use`);
  assert.ok(end - start < BOUND_BYTES);
});
