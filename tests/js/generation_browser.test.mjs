// Text generation in Chromium (playwright-core): a page importing js/src
// unbundled, with an import map for @huggingface/jinja, streams a chat reply
// and gets the transformers.js reference ids and text.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHubServer } from './hub_server.mjs';
import { modelDir } from './reference.mjs';
import { startStaticServer } from './static_server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
let hub, site, isolatedSite, browser, profile;

before(async () => {
  hub = await startHubServer();
  site = await startStaticServer({ root: repoRoot });
  isolatedSite = await startStaticServer({ root: repoRoot, headers: ISOLATION });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await isolatedSite?.close();
  await hub?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test('text-generation in a browser page: ids, chat reply and streamed text as transformers.js', async () => {
  const ref = JSON.parse(fs.readFileSync(path.join(modelDir('hf-internal-testing--tiny-random-LlamaForCausalLM'),
    'reference/transformers_js_expected.json'), 'utf8'));
  site.pages['/generation.html'] = `<!doctype html><meta charset="utf-8">
    <script type="importmap">{ "imports": { "@huggingface/jinja": "/node_modules/@huggingface/jinja/dist/index.js" } }</script>
    <script type="module">
    import * as hubwasm from '/js/src/index.js';
    hubwasm.env.remoteHost = ${JSON.stringify(hub.url)};
    const REF = ${JSON.stringify(ref)};
    try {
      const generator = await hubwasm.pipeline('text-generation', REF.model);
      const one = REF.greedy_batch1;
      const ids = await generator.model.generate({
        input_ids: new hubwasm.Tensor('int64', BigInt64Array.from(one.input_ids.flat(), BigInt), [1, one.input_ids[0].length]),
        max_length: one.max_length,
      });
      const pieces = [];
      const streamer = new hubwasm.TextStreamer(generator.tokenizer, { skip_prompt: true, callback_function: (t) => pieces.push(t) });
      const chat = await generator(REF.chat_pipeline.messages, { max_new_tokens: REF.chat_pipeline.max_new_tokens, streamer });
      await generator.dispose();
      window.__result = { ids: ids.tolist().map((row) => row.map(Number)), chat, streamed: pieces.join('') };
    } catch (e) {
      window.__result = { error: String(e.stack ?? e) };
    }
  </script>`;
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`${site.url}generation.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 60_000 });
  const result = await tab.evaluate(() => window.__result);
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.ids, ref.greedy_batch1.expected_sequences);
  const reply = ref.chat_pipeline.expected_assistant_content;
  assert.deepEqual(result.chat, [{ generated_text: [...ref.chat_pipeline.messages, { role: 'assistant', content: reply }] }]);
  assert.equal(result.streamed, reply);
  await tab.close();
});

/** Runs module code `body` (with `hubwasm`, `HUB` and `REF` in scope) in a page of `server`; returns its result. */
async function runPage(server, name, body, ref) {
  server.pages[`/${name}.html`] = `<!doctype html><meta charset="utf-8"><script type="module">
    import * as hubwasm from '/js/src/index.js';
    const HUB = ${JSON.stringify(hub.url)};
    const REF = ${JSON.stringify(ref)};
    hubwasm.env.remoteHost = HUB;
    try {
      window.__result = await (async () => { ${body} })();
    } catch (e) {
      window.__result = { error: String(e.stack ?? e) };
    }
  </script>`;
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`${server.url}${name}.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 60_000 });
  const result = await tab.evaluate(() => window.__result);
  await tab.close();
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  return result;
}

// On the page's main thread generate() returns to the event loop between steps (a MessageChannel
// macrotask in browsers), so a timer can fire its AbortSignal mid-run.
test('main thread: an AbortSignal fired by setTimeout stops generate(); the model then gives the reference ids', async () => {
  const ref = JSON.parse(fs.readFileSync(path.join(modelDir('hf-internal-testing--tiny-random-LlamaForCausalLM'),
    'reference/transformers_js_expected.json'), 'utf8'));
  const result = await runPage(site, 'main-thread-abort', `
    const model = await hubwasm.AutoModelForCausalLM.from_pretrained(REF.model);
    const one = REF.greedy_batch1;
    const input_ids = new hubwasm.Tensor('int64', BigInt64Array.from(one.input_ids.flat(), BigInt), [1, one.input_ids[0].length]);
    const controller = new AbortController();
    let puts = 0;
    // 2 ms of main-thread work per token: 600 tokens would take over a second.
    const streamer = { put() { puts++; const until = performance.now() + 2; while (performance.now() < until); }, end() {} };
    setTimeout(() => controller.abort(), 50);
    const t0 = performance.now();
    const aborted = await model.generate({ input_ids, max_new_tokens: 600, eos_token_id: [], streamer, signal: controller.signal })
      .then(() => 'completed', (e) => e.name);
    const ms = performance.now() - t0;
    const ids = await model.generate({ input_ids, max_length: one.max_length });
    await model.dispose();
    return { aborted, tokens: puts - 1, ms, ids: ids.tolist().map((row) => row.map(Number)) };
  `, ref);
  console.log(`main-thread timer abort after ${result.ms.toFixed(0)} ms, ${result.tokens} of 600 tokens`);
  assert.equal(result.aborted, 'AbortError');
  assert.ok(result.tokens > 0 && result.tokens < 600, `${result.tokens} tokens`);
  assert.deepEqual(result.ids, ref.greedy_batch1.expected_sequences);
});

// The abort reaches the worker as a message, which it sees between two steps: the run stops there whether
// or not the page is cross-origin isolated; a run that followed would otherwise wait for the 2000 tokens.
for (const isolated of [false, true]) {
  test(`worker mode${isolated ? ' (cross-origin isolated)' : ''}: streaming, AbortSignal, then a normal run`, async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(modelDir('hf-internal-testing--tiny-random-LlamaForCausalLM'),
      'reference/transformers_js_expected.json'), 'utf8')).text_generation_pipeline;
    const result = await runPage(isolated ? isolatedSite : site, `worker-generation-${isolated}`, `
      const generator = await hubwasm.pipeline('text-generation', 'hf-internal-testing/tiny-random-LlamaForCausalLM', { worker: true });
      const pieces = [];
      const streamer = new hubwasm.TextStreamer(null, { skip_prompt: true, callback_function: (t) => pieces.push(t) });
      const out = await generator(REF.input, { max_new_tokens: REF.max_new_tokens, streamer });
      // A long run, aborted when its first text arrives.
      const controller = new AbortController();
      const abortPieces = [];
      const long = new hubwasm.TextStreamer(null, { skip_prompt: true, callback_function: (t) => { abortPieces.push(t); controller.abort(); } });
      const t0 = performance.now();
      const aborted = await generator(REF.input, { max_new_tokens: 2000, streamer: long, signal: controller.signal })
        .then(() => 'completed', (e) => e.name);
      const abortMs = performance.now() - t0;
      // Had the worker gone on with the aborted run, this short one would queue behind it.
      const t2 = performance.now();
      const next = await generator(REF.input, { max_new_tokens: REF.max_new_tokens });
      const nextMs = performance.now() - t2;
      const t1 = performance.now();
      const full = await generator(REF.input, { max_new_tokens: 2000, return_full_text: false });
      const fullMs = performance.now() - t1;
      const after = await generator(REF.input, { max_new_tokens: REF.max_new_tokens });
      await generator.dispose();
      return { isolated: crossOriginIsolated, out, streamed: pieces.join(''), aborted, abortPieces: abortPieces.length,
               abortMs, nextMs, next, fullMs, fullLength: full[0].generated_text.length, after };
    `, ref);
    console.log(`worker mode (isolated ${result.isolated}): aborted run ${result.abortMs.toFixed(0)} ms, the run after it ` +
      `${result.nextMs.toFixed(0)} ms, a full 2000-token run ${result.fullMs.toFixed(0)} ms`);
    assert.equal(result.isolated, isolated);
    assert.deepEqual(result.out, [{ generated_text: ref.expected_generated_text }]);
    assert.equal(result.streamed, ref.expected_new_text_only);
    assert.equal(result.aborted, 'AbortError');
    assert.equal(result.abortPieces, 1);  // nothing is streamed after the abort
    assert.ok(result.fullLength > 1000);
    assert.ok(result.abortMs < result.fullMs / 2, `${result.abortMs} ms vs ${result.fullMs} ms`);
    assert.deepEqual(result.next, [{ generated_text: ref.expected_generated_text }]);
    assert.ok(result.nextMs < result.fullMs / 2, `the run after the abort took ${result.nextMs} ms vs ${result.fullMs} ms`);
    assert.deepEqual(result.after, [{ generated_text: ref.expected_generated_text }]);
  });
}

// In a worker, q8 / fp16 weights go to a temporary file of the origin private file system that the core
// reads one tensor at a time (as Node's disk files), not to JavaScript memory. Checked: the worker's q8
// replies equal the page's (whose weights stay in JavaScript memory), downloaded, from the Cache API and
// in the threaded build (cross-origin isolated: reads into shared wasm memory); the file is gone once the
// model is built, and after a corrupted download; the first such load removes a file an earlier load
// abandoned (an f32 load, whose weights go to wasm memory, has no file and does not); where OPFS refuses
// or is too full, the download stays in memory.
const MODEL = 'hf-internal-testing/tiny-random-LlamaForCausalLM';
const OPFS_HELPERS = `
  const MODEL = ${JSON.stringify(MODEL)};
  hubwasm.env.retryDelayMs = 1;
  const root = await navigator.storage.getDirectory();
  // The temporary files left; a closed file's removal is not awaited, so wait for at most \`most\` of them.
  const temporaryFiles = async (most = 0) => {
    for (let i = 0; ; i++) {
      const names = [];
      for await (const name of root.keys()) if (name.startsWith('hubwasm-download-')) names.push(name);
      if (names.length <= most || i === 50) return names;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const reply = async (options) => {
    const generator = await hubwasm.pipeline('text-generation', MODEL, options);
    const out = await generator(REF.input, { max_new_tokens: REF.max_new_tokens });
    await generator.dispose();
    return out;
  };`;
const weightGets = () => hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/main/model.safetensors') && !r.range).length;

test('worker mode, q8: weights read from a temporary OPFS file, removed after the load, also after a corrupted download', async () => {
  const ref = JSON.parse(fs.readFileSync(path.join(modelDir('hf-internal-testing--tiny-random-LlamaForCausalLM'),
    'reference/transformers_js_expected.json'), 'utf8')).text_generation_pipeline;
  const result = await runPage(site, 'worker-opfs', `${OPFS_HELPERS}
    hubwasm.env.useBrowserCache = false;
    await caches.delete('hubwasm');
    const abandoned = 'hubwasm-download-1000-abandoned-1';  // "created" one second after the epoch
    await (await (await root.getFileHandle(abandoned, { create: true })).createWritable()).close();
    const f32 = await reply({ worker: true, dtype: 'fp32' });
    const afterF32 = await temporaryFiles(1);
    const page = await reply({ dtype: 'q8' });
    const downloaded = await reply({ worker: true, dtype: 'q8' });
    const afterQ8 = await temporaryFiles();
    hubwasm.env.useBrowserCache = true;
    const cachedWhileDownloaded = await reply({ worker: true, dtype: 'q8' });
    const cached = Boolean(await (await caches.open('hubwasm')).match(HUB + MODEL + '/resolve/main/model.safetensors'));
    return { f32, afterF32, page, downloaded, afterQ8, cachedWhileDownloaded, cached, abandoned };
  `, ref);
  assert.deepEqual(result.f32, [{ generated_text: ref.expected_generated_text }]);
  assert.deepEqual(result.afterF32, [result.abandoned]);  // no file for f32, so no sweep
  assert.equal(typeof result.page[0].generated_text, 'string');
  assert.deepEqual(result.downloaded, result.page);
  assert.deepEqual(result.afterQ8, []);  // the load's own file removed, and the abandoned one
  assert.deepEqual(result.cachedWhileDownloaded, result.page);
  assert.equal(result.cached, true);

  const gets = weightGets();
  const fromCache = await runPage(site, 'worker-opfs-cached', `${OPFS_HELPERS}
    hubwasm.env.useBrowserCache = true;
    return { out: await reply({ worker: true, dtype: 'q8' }), left: await temporaryFiles() };
  `, ref);
  assert.equal(weightGets(), gets);  // read from the Cache API entry
  assert.deepEqual(fromCache, { out: result.page, left: [] });

  // A damaged entry (its body shorter than it records) read into the worker's file: the file goes,
  // the entry goes, and the weights are downloaded again into a new file (and cached).
  const damaged = await runPage(site, 'worker-opfs-damaged-entry', `${OPFS_HELPERS}
    hubwasm.env.useBrowserCache = true;
    const url = HUB + MODEL + '/resolve/main/model.safetensors';
    const cache = await caches.open('hubwasm');
    const whole = await (await cache.match(url)).arrayBuffer();
    await cache.put(url, new Response(whole.slice(0, whole.byteLength - 100), { headers: { 'content-length': String(whole.byteLength) } }));
    const out = await reply({ worker: true, dtype: 'q8' });
    const repaired = (await (await cache.match(url)).arrayBuffer()).byteLength === whole.byteLength;
    return { out, left: await temporaryFiles(), repaired };
  `, ref);
  assert.equal(weightGets(), gets + 1);
  assert.deepEqual(damaged, { out: result.page, left: [], repaired: true });

  const threaded = await runPage(isolatedSite, 'worker-opfs-isolated', `${OPFS_HELPERS}
    hubwasm.env.useBrowserCache = false;
    hubwasm.env.backends.wasm.numThreads = 2;
    return { isolated: crossOriginIsolated, out: await reply({ worker: true, dtype: 'q8', revision: 'threaded' }), left: await temporaryFiles() };
  `, ref);
  assert.deepEqual(threaded, { isolated: true, out: result.page, left: [] });

  // Where OPFS refuses (private browsing) or cannot hold the file, a worker's download stays in memory.
  const fallbacks = await runPage(site, 'worker-opfs-fallback', `
    const probe = (setup) => new Promise((resolve) => {
      const worker = new Worker(URL.createObjectURL(new Blob([\`
        \${setup}
        const { temporaryFileOr } = await import('\${location.origin}/js/src/platform/browser.js');
        const sink = { allocate() {} };
        const root = await navigator.storage.getDirectory().catch(() => null);
        const target = await temporaryFileOr(sink, 'a url', 2 ** 60);
        const left = [];
        if (root) for await (const name of root.keys()) if (name.startsWith('hubwasm-download-')) left.push(name);
        postMessage({ memory: target === sink, left });
      \`], { type: 'text/javascript' })), { type: 'module' });
      worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
      worker.onerror = (e) => { worker.terminate(); resolve(String(e.message)); };
    });
    return {
      refused: await probe("navigator.storage.getDirectory = () => Promise.reject(new DOMException('denied here', 'SecurityError'));"),
      tooLarge: await probe(''),  // 2^60 bytes: truncate() fails
    };
  `, ref);
  assert.deepEqual(fallbacks.refused, { memory: true, left: [] });
  assert.equal(fallbacks.tooLarge.memory, true);
  assert.ok(fallbacks.tooLarge.left.length <= 1);  // its removal may still be on its way

  hub.setFaults([{ match: 'model.safetensors', kind: 'bad-checksum' }]);
  try {
    const bad = await runPage(site, 'worker-opfs-corrupt', `${OPFS_HELPERS}
      hubwasm.env.useBrowserCache = false;
      // A revision of its own: Chromium's HTTP cache holds the good file under the main revision's URL.
      const failure = await hubwasm.pipeline('text-generation', MODEL, { worker: true, dtype: 'q8', revision: 'corrupted' })
        .then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message }));
      return { failure, left: await temporaryFiles() };  // not 'error': runPage takes that for the page's own failure
    `, ref);
    assert.equal(bad.failure?.code, 'NETWORK_ERROR', JSON.stringify(bad.failure));
    assert.ok(hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/corrupted/model.safetensors') && !r.range).length > 1);
    assert.deepEqual(bad.left, []);
  } finally {
    hub.setFaults([]);
  }
});
