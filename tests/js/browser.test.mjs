// The package in a real browser: Debian's Chromium, headless, driven by
// playwright-core. Pages import hubwasm as an ES module from js/src, fetch
// models from the local Hub server, and must give transformers.js's
// embeddings (ONNX Runtime on the same weights) within 1e-4.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHubServer } from './hub_server.mjs';
import { generatedRoot, maxAbsDiff, transformersJs, transformersJsId } from './reference.mjs';
import { startStaticServer } from './static_server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEXTS = ['Hello from a browser page.', 'Nothing leaves the machine.'];
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
let hub, benchHub, plainSite, isolatedSite, browser, profile;

/** A page that runs `body` (module code with `hubwasm` and `HUB` in scope) and stores its result. */
function page(body, hubUrl = hub.url) {
  return `<!doctype html><meta charset="utf-8"><script type="module">
    import * as hubwasm from '/js/src/index.js';
    const HUB = ${JSON.stringify(hubUrl)};
    hubwasm.env.remoteHost = HUB;
    window.__ticks = 0;
    setInterval(() => window.__ticks++, 10);
    try {
      window.__result = await (async () => { ${body} })();
    } catch (e) {
      window.__result = { error: String(e.stack ?? e), code: e.code };
    }
  </script>`;
}

async function run(site, name, body, { context = browser, hubUrl } = {}) {
  site.pages[`/${name}.html`] = page(body, hubUrl);
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`${site.url}${name}.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 60_000 });
  const result = await tab.evaluate(() => window.__result);
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  return { result, tab };
}

before(async () => {
  hub = await startHubServer();
  benchHub = await startHubServer({ root: generatedRoot });
  plainSite = await startStaticServer({ root: repoRoot });
  isolatedSite = await startStaticServer({ root: repoRoot, headers: ISOLATION });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await plainSite?.close();
  await isolatedSite?.close();
  await hub?.close();
  await benchHub?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

const EMBED = `
  hubwasm.env.backends.wasm.numThreads = 2;
  const extractor = await hubwasm.pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  const out = await extractor(${JSON.stringify(TEXTS)}, { pooling: 'mean', normalize: true });
  await extractor.dispose();
  return { dims: out.dims, data: Array.from(out.data), isolated: self.crossOriginIsolated, runtime: hubwasm.runtimeInfo() };`;

async function expectedEmbeddings() {
  const tf = await transformersJs();
  const reference = await tf.pipeline('feature-extraction', transformersJsId('hubwasm-fixtures--micro-bert'), { dtype: 'fp32', device: 'cpu' });
  const expected = await reference(TEXTS, { pooling: 'mean', normalize: true });
  await reference.dispose();
  return expected.data;
}

for (const [label, site] of [['without', () => plainSite], ['with', () => isolatedSite]]) {
  test(`feature-extraction ${label} COOP/COEP (${label === 'with' ? 'threaded' : 'single-threaded'} build) equals transformers.js`, async () => {
    const { result, tab } = await run(site(), `embed-${label}`, EMBED);
    await tab.close();
    assert.equal(result.isolated, label === 'with');
    // Threads (2, as the page asks) only where SharedArrayBuffer is: the isolated page.
    assert.deepEqual(result.runtime, label === 'with' ? { variant: 'simd-threads', numThreads: 2 } : { variant: 'simd', numThreads: 1 });
    assert.deepEqual(result.dims, [2, 32]);
    const err = maxAbsDiff(Float32Array.from(result.data), await expectedEmbeddings());
    console.log(`Chromium (${label} COOP/COEP) feature-extraction max abs error vs transformers.js: ${err.toExponential(2)}`);
    assert.ok(err < 1e-4);
  });
}

test('a reload takes the model from the Cache API: no model downloads', async () => {
  // The page reports where the weights came from, not only that none were downloaded.
  const body = `
    const fromCache = [];
    const extractor = await hubwasm.pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert', {
      progress_callback: (e) => { if (e.status === 'done' && e.file === 'model.safetensors') fromCache.push(Boolean(e.cached)); },
    });
    const out = await extractor(${JSON.stringify(TEXTS)}, { pooling: 'mean', normalize: true });
    await extractor.dispose();
    return { fromCache, data: Array.from(out.data) };`;
  const first = await run(plainSite, 'cache', body);
  await first.tab.close();
  const downloadsBefore = hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/model.safetensors')).length;
  assert.ok(downloadsBefore >= 1);
  const second = await run(plainSite, 'cache', body);
  await second.tab.close();
  const downloadsAfter = hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/model.safetensors')).length;
  assert.equal(downloadsAfter, downloadsBefore);
  assert.deepEqual(second.result.fromCache, [true]);
  assert.deepEqual(second.result.data, first.result.data);
});

test('worker mode: same results, progress events, and the page keeps ticking during inference', async () => {
  const { result, tab } = await run(plainSite, 'worker', `
    const events = [];
    const extractor = await hubwasm.pipeline('feature-extraction', 'hubwasm-bench/minilm-l6',
      { worker: true, progress_callback: (e) => events.push(e.status) });
    const texts = Array.from({ length: 32 }, (_, i) => 'sentence number ' + i + ' is long enough to keep the model busy for a while, '.repeat(4));
    const ticksBefore = window.__ticks;
    const started = performance.now();
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    const elapsed = performance.now() - started;
    const ticks = window.__ticks - ticksBefore;
    const inline = await hubwasm.pipeline('feature-extraction', 'hubwasm-bench/minilm-l6');
    const same = await inline(texts.slice(0, 2), { pooling: 'mean', normalize: true });
    const badInput = await extractor(42).catch((e) => ({ name: e.name, code: e.code }));
    await extractor.dispose();
    await inline.dispose();
    return { dims: out.dims, first: Array.from(out.data.slice(0, 768)), inline: Array.from(same.data), elapsed, ticks, events, badInput };
  `, { hubUrl: benchHub.url });
  await tab.close();
  assert.deepEqual(result.dims, [32, 384]);
  assert.ok(maxAbsDiff(result.first, result.inline) < 1e-6);
  assert.ok(result.events.includes('progress') && result.events.includes('ready'));
  assert.deepEqual(result.badInput, { name: 'HubwasmError', code: 'INVALID_ARGUMENT' });
  // A 10 ms timer: with the main thread free it fires about elapsed/10 times.
  console.log(`worker inference ${result.elapsed.toFixed(0)} ms, main-thread timer fired ${result.ticks} times`);
  assert.ok(result.elapsed > 200, 'inference should be long enough to measure responsiveness');
  assert.ok(result.ticks >= (result.elapsed / 10) * 0.5, `timer starved: ${result.ticks} ticks in ${result.elapsed} ms`);
});

test('threaded build in an isolated page: a MiniLM-L6 32-sentence batch on 2 threads, from the main thread and from a worker', async () => {
  const texts = Array.from({ length: 32 }, (_, i) => `sentence number ${i} keeps two threads busy for a while, `.repeat(4));
  const { result, tab } = await run(isolatedSite, 'threads', `
    hubwasm.env.backends.wasm.numThreads = 2;
    const texts = ${JSON.stringify(texts)};
    const inline = await hubwasm.pipeline('feature-extraction', 'hubwasm-bench/minilm-l6');
    const out = await inline(texts, { pooling: 'mean', normalize: true });
    const runtime = hubwasm.runtimeInfo();
    await inline.dispose();
    const worker = await hubwasm.pipeline('feature-extraction', 'hubwasm-bench/minilm-l6', { worker: true });
    const fromWorker = await worker(texts, { pooling: 'mean', normalize: true });
    await worker.dispose();
    return { runtime, dims: out.dims, data: Array.from(out.data), fromWorker: Array.from(fromWorker.data) };
  `, { hubUrl: benchHub.url });
  await tab.close();
  assert.deepEqual(result.runtime, { variant: 'simd-threads', numThreads: 2 });
  assert.deepEqual(result.dims, [32, 384]);
  // The worker runs the same threaded build with the same 2 threads: bit-identical.
  assert.deepEqual(result.fromWorker, result.data);
  const tf = await transformersJs();
  const reference = await tf.pipeline('feature-extraction', path.join(generatedRoot, 'hubwasm-bench--minilm-l6'), { dtype: 'fp32', device: 'cpu' });
  const expected = await reference(texts, { pooling: 'mean', normalize: true });
  await reference.dispose();
  const err = maxAbsDiff(Float32Array.from(result.data), expected.data);
  console.log(`Chromium, 2 threads, MiniLM-L6 32-sentence batch: max abs error vs transformers.js ${err.toExponential(2)}`);
  assert.ok(err < 1e-4);
});

test('bad checksum in a browser: retried once, then NETWORK_ERROR', async () => {
  const match = 'micro-bert/resolve/main/model.safetensors';
  // An empty Cache API, and (since hubwasm caches the files) fetches that keep
  // nothing in Chromium's HTTP cache: every page downloads the weights again.
  const load = `
    await caches.delete('hubwasm');
    try {
      const extractor = await hubwasm.pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
      const out = await extractor('checksums', { pooling: 'mean', normalize: true });
      await extractor.dispose();
      return { data: Array.from(out.data) };
    } catch (e) {
      return { code: e.code, message: e.message };
    }`;
  const gets = () => hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith(match) && !r.range).length;
  try {
    hub.setFaults([{ match, kind: 'bad-checksum', times: 1 }]);
    const before = gets();
    const { result: retried, tab: first } = await run(plainSite, 'checksum-retry', load);
    await first.close();
    assert.equal(retried.code, undefined, retried.message);
    assert.equal(retried.data.length, 32);
    assert.equal(gets() - before, 2);

    hub.setFaults([{ match, kind: 'bad-checksum' }]);
    const { result: failed, tab: second } = await run(plainSite, 'checksum-fail', load);
    await second.close();
    assert.equal(failed.code, 'NETWORK_ERROR');
    assert.match(failed.message, /model\.safetensors: content does not match its checksum/);
  } finally {
    hub.setFaults([]);
  }
});

// Bytes without a period that a chunking bug could hide behind: a 32-bit LCG.
const PATTERN = '(n) => { const b = new Uint8Array(n); let x = 1; for (let i = 0; i < n; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; b[i] = x >>> 24; } return b; }';
const patternBytes = new Function(`return ${PATTERN}`)();  // the same bytes in Node, for its own (OpenSSL) hash

test('the hashing worker (libmd SHA-256 in wasm) gives Node\'s digests: chunkings, streams interleaved, back-pressure', async () => {
  const sizes = [0, 1, 64, 65, (3 << 20) + 5];
  const { result, tab } = await run(plainSite, 'sha256', `
    const { sha256Stream } = await import('/js/src/sha256_stream.js');
    const pattern = ${PATTERN};
    const streams = await Promise.all(${JSON.stringify(sizes)}.map(async (n) => ({ n, bytes: pattern(n), at: 0, hash: await sha256Stream('SHA-256') })));
    // Pieces of 1, 63, 1 MiB + 1 (more than the worker's scratch) and 64 KiB (many chunks in flight), round robin.
    for (const piece of [1, 63, (1 << 20) + 1, ...Array(48).fill(1 << 16), Infinity]) {
      for (const s of streams) {
        const end = Math.min(s.n, s.at + piece);
        await s.hash.update(s.bytes.subarray(s.at, end));
        s.at = end;
      }
    }
    const digests = {};
    for (const s of streams) digests[s.n] = await s.hash.hex();
    return { digests, sha1: await sha256Stream('SHA-1') };
  `);
  await tab.close();
  for (const n of sizes) assert.equal(result.digests[n], createHash('sha256').update(patternBytes(n)).digest('hex'), `${n} bytes`);
  assert.equal(result.sha1, null);  // SHA-1 (git blobs): WebCrypto
});

test('the package served from another origin (a CDN): the hashing worker starts from a blob: URL', async () => {
  const cdn = await startStaticServer({ root: repoRoot, headers: { 'Access-Control-Allow-Origin': '*' } });
  try {
    const size = (1 << 20) + 3;
    const { result, tab } = await run(plainSite, 'sha256-cdn', `
      const { sha256Stream } = await import(${JSON.stringify(`${cdn.url}js/src/sha256_stream.js`)});
      const hash = await sha256Stream('SHA-256');
      if (!hash) return { started: false };
      await hash.update((${PATTERN})(${size}));
      return { started: true, hex: await hash.hex() };
    `);
    await tab.close();
    assert.deepEqual(result, { started: true, hex: createHash('sha256').update(patternBytes(size)).digest('hex') });
  } finally {
    await cdn.close();
  }
});

/** A Hub server whose one file is blob.bin of hubwasm-test/blob, `size` PATTERN bytes; close() also removes it. */
async function blobHub(size) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-blob-'));
  fs.mkdirSync(path.join(root, 'hubwasm-test--blob'));
  const bytes = patternBytes(size);
  fs.writeFileSync(path.join(root, 'hubwasm-test--blob', 'blob.bin'), bytes);
  const server = await startHubServer({ root });
  return { server, bytes, async close() {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  } };
}

// A worker that dies at its third chunk (an uncaught error): the load goes on with WebCrypto.
const DYING_WORKER = `let chunks = 0;
self.onmessage = ({ data }) => {
  if (!data.chunk) return;
  if (++chunks === 3) throw new Error('injected failure');
  self.postMessage({ id: data.id, returned: data.chunk }, [data.chunk]);
};`;

// How an LFS file (a SHA-256 checksum) of several chunks is verified: by the worker (its
// sha256.wasm found through a relative env.backends.wasm.wasmPaths); by WebCrypto when
// sha256.wasm does not compile, or when the worker dies mid-download. Each load meets a
// corrupted answer (the dying worker's first) and an interrupted one first.
const HASHERS = {
  worker: { webCryptoWhenGood: 0, webCryptoWhenBad: 0 },
  'no sha256.wasm': { pages: { '/js/dist/sha256.wasm': 'not a WebAssembly module' }, webCryptoWhenGood: 2, webCryptoWhenBad: 4 },
  'worker dies': { pages: { '/js/src/sha256_worker.js': DYING_WORKER }, webCryptoWhenGood: 2, webCryptoWhenBad: 4 },
};
for (const [hasher, { pages = {}, webCryptoWhenGood, webCryptoWhenBad }] of Object.entries(HASHERS)) {
  test(`a SHA-256 download hashed by ${hasher === 'worker' ? 'the worker as it arrives' : `WebCrypto (${hasher})`}: retried after faults, NETWORK_ERROR when corrupted`, async () => {
    const size = 8 * 2 ** 20 + 7;
    const blob = await blobHub(size);
    const bigHub = blob.server;
    const expected = createHash('sha256').update(blob.bytes).digest('hex');
    const fetchBlob = `
      await caches.delete('hubwasm');
      hubwasm.env.retryDelayMs = 1;
      hubwasm.env.backends.wasm.wasmPaths = '/js/dist/';
      const { getFile, memorySink } = await import('/js/src/download.js');
      let webCrypto = 0;
      const digest = crypto.subtle.digest.bind(crypto.subtle);
      crypto.subtle.digest = (...args) => { webCrypto++; return digest(...args); };
      // Each attempt opens its Cache API entry before its first chunk (streamed, not put whole at the end).
      const put = Cache.prototype.put;
      const putsAfterChunks = [];
      const putOutcomes = [];  // an aborted attempt's put must fail, not hang
      let chunksThisAttempt = 0;
      Cache.prototype.put = function (...args) {
        putsAfterChunks.push(chunksThisAttempt);
        const stored = put.apply(this, args);
        putOutcomes.push(stored.then(() => 'stored', () => 'failed'));
        return stored;
      };
      const outcomes = () => Promise.all(putOutcomes.map((o) => Promise.race([o, new Promise((resolve) => setTimeout(resolve, 5000, 'pending'))])));
      const progress_callback = (e) => { if (e.status === 'download') chunksThisAttempt = 0; if (e.status === 'progress') chunksThisAttempt++; };
      const hexOf = async (bytes) => Array.from(new Uint8Array(await digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      const cachedHex = async () => {
        const entry = await (await caches.open('hubwasm')).match(HUB + 'hubwasm-test/blob/resolve/main/blob.bin');
        return entry ? hexOf(await entry.arrayBuffer()) : null;
      };
      const sink = memorySink();
      try {
        await getFile('hubwasm-test/blob', 'blob.bin', sink, { progress_callback });
      } catch (e) {
        return { code: e.code, message: e.message, webCrypto, putsAfterChunks, outcomes: await outcomes(), cached: await cachedHex() };
      }
      const calls = webCrypto;
      return { webCrypto: calls, hex: await hexOf(sink.view()), length: sink.view().length, putsAfterChunks, outcomes: await outcomes(), cached: await cachedHex() };`;
    const gets = () => bigHub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('blob.bin')).length;
    Object.assign(plainSite.pages, pages);
    try {
      bigHub.setFaults([{ match: 'blob.bin', kind: 'bad-checksum', times: 1 }, { match: 'blob.bin', kind: 'reset', times: 1 }]);
      const { result: good, tab: first } = await run(plainSite, 'big-good', fetchBlob, { hubUrl: bigHub.url });
      await first.close();
      assert.equal(good.code, undefined, good.message);
      // WebCrypto hashes each complete answer: the corrupted one and the good one. The
      // entry of each attempt was streamed; the cache keeps the verified one.
      assert.deepEqual(good, { webCrypto: webCryptoWhenGood, hex: expected, length: size, putsAfterChunks: [0, 0, 0], outcomes: ['failed', 'failed', 'stored'], cached: expected });
      assert.equal(gets(), 3);

      bigHub.setFaults([{ match: 'blob.bin', kind: 'bad-checksum' }]);
      const { result: bad, tab: second } = await run(plainSite, 'big-bad', fetchBlob, { hubUrl: bigHub.url });
      await second.close();
      assert.equal(bad.code, 'NETWORK_ERROR');
      assert.match(bad.message, /blob\.bin: content does not match its checksum/);
      assert.equal(bad.webCrypto, webCryptoWhenBad);  // 1 + env.maxRetries attempts
      assert.deepEqual(bad.putsAfterChunks, [0, 0, 0, 0]);
      assert.deepEqual(bad.outcomes, ['failed', 'failed', 'failed', 'failed']);
      assert.equal(bad.cached, null);  // no corrupted entry, complete as its body was
    } finally {
      for (const page of Object.keys(pages)) delete plainSite.pages[page];
      await blob.close();
    }
  });
}

// A Cache API that takes the first chunk of an entry (of several), then reads no more
// and either fails (a storage quota) or never settles (a hung cache); and one that
// never reads a one-chunk file (only the end of its body can wait then).
const SEVERAL_CHUNKS = (3 << 20) + 5;
const TAKES_ONE = 'await response.body.getReader().read(); await new Promise((resolve) => setTimeout(resolve, 100));';
const BROKEN_CACHES = {
  'fails mid-way (a storage quota)': { size: SEVERAL_CHUNKS, put: `${TAKES_ONE} throw new DOMException('injected', 'QuotaExceededError');`, warning: /blob\.bin was not cached: injected/ },
  'stops reading and never answers': { size: SEVERAL_CHUNKS, put: `${TAKES_ONE} await new Promise(() => {});`, warning: /blob\.bin was not cached: the cache took no data for 2000 ms/ },
  'never reads a one-chunk file': { size: 1000, put: 'await new Promise(() => {});', warning: /blob\.bin was not cached: the cache took no data for 2000 ms/ },
};
for (const [behaviour, { size, put, warning }] of Object.entries(BROKEN_CACHES)) {
  test(`a Cache API that ${behaviour}: the download goes on, uncached, with a warning`, async () => {
    const blob = await blobHub(size);
    const quotaHub = blob.server;
    try {
      const { result, tab } = await run(plainSite, 'cache-broken', `
        await caches.delete('hubwasm');
        hubwasm.env.fetchTimeoutMs = 2000;
        const warnings = [];
        console.warn = (message) => warnings.push(String(message));
        Cache.prototype.put = async (url, response) => { ${put} };
        const { getFile, memorySink } = await import('/js/src/download.js');
        const sink = memorySink();
        await getFile('hubwasm-test/blob', 'blob.bin', sink);
        const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', sink.view())), (b) => b.toString(16).padStart(2, '0')).join('');
        const entry = await (await caches.open('hubwasm')).match(HUB + 'hubwasm-test/blob/resolve/main/blob.bin');
        return { hex, length: sink.view().length, warnings, cached: Boolean(entry) };
      `, { hubUrl: quotaHub.url });
      await tab.close();
      assert.deepEqual({ ...result, warnings: undefined }, { hex: createHash('sha256').update(blob.bytes).digest('hex'), length: size, warnings: undefined, cached: false });
      assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
      assert.match(result.warnings[0], warning);
      assert.equal(quotaHub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('blob.bin')).length, 1);  // no retry
    } finally {
      await blob.close();
    }
  });
}

// Entries are written only once complete (above), so one whose body is not the length it
// records, that records none, or whose body cannot be read was damaged in storage: it is
// removed and the file downloaded again (and cached). With the Hub failing too, the load
// fails and the damaged entry is gone all the same.
const DAMAGED_ENTRIES = {
  'fewer bytes than it records': { body: -1000, warning: /has 3145733 of the 3146733 bytes its entry records/ },
  'more bytes than it records': { body: 1000, warning: /has more than the 3146733 bytes its entry records/ },
  'no recorded length': { body: 0, header: null, warning: /records no valid length \(content-length null\)/ },
  'a body that cannot be read': { body: 0, unreadable: true, warning: /could not be read \(injected read failure\)/ },
};
for (const [damage, { body, header, unreadable, warning }] of Object.entries(DAMAGED_ENTRIES)) {
  test(`a Cache API entry with ${damage}: removed with a warning, the file downloaded again`, async () => {
    const size = SEVERAL_CHUNKS + 1000;
    const blob = await blobHub(size);
    blob.server.setFaults([{ match: '/failing/blob.bin', kind: 'status:500' }]);
    try {
      const { result, tab } = await run(plainSite, 'cache-damaged', `
        await caches.delete('hubwasm');
        hubwasm.env.retryDelayMs = 1;
        const urlOf = (revision) => HUB + 'hubwasm-test/blob/resolve/' + revision + '/blob.bin';
        const url = urlOf('main');
        const cache = await caches.open('hubwasm');
        const damage = async (url) => {
          const headers = ${JSON.stringify(header === null ? {} : { 'content-length': String(size) })};
          await cache.put(url, new Response(new Uint8Array(${size + body}), { headers }));
        };
        const realMatch = Cache.prototype.match;
        if (${Boolean(unreadable)}) {
          Cache.prototype.match = async function (request) {
            const stored = await realMatch.call(this, request);
            if (!stored) return stored;
            const failing = new ReadableStream({ pull(controller) { controller.error(new Error('injected read failure')); } });
            return new Response(failing, { headers: stored.headers });
          };
        }
        const warnings = [];
        console.warn = (message) => warnings.push(String(message));
        const { getFile, memorySink } = await import('/js/src/download.js');
        await damage(url);
        const sink = memorySink();
        await getFile('hubwasm-test/blob', 'blob.bin', sink);
        const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', sink.view())), (b) => b.toString(16).padStart(2, '0')).join('');
        const entry = await realMatch.call(cache, url);
        const cachedLength = entry && (await entry.arrayBuffer()).byteLength;
        // Again, at a revision whose downloads all fail: no file, and no damaged entry left behind.
        await damage(urlOf('failing'));
        const failure = await getFile('hubwasm-test/blob', 'blob.bin', memorySink(), { revision: 'failing' }).then(() => null, (e) => e.code);
        return { hex, length: sink.view().length, warnings, cachedLength, failure, left: Boolean(await realMatch.call(cache, urlOf('failing'))) };
      `, { hubUrl: blob.server.url });
      await tab.close();
      assert.equal(result.hex, createHash('sha256').update(blob.bytes).digest('hex'));
      assert.equal(result.length, size);
      assert.equal(result.cachedLength, size);  // the download replaced the damaged entry
      assert.equal(result.warnings.length, 2, result.warnings.join('\n'));
      for (const message of result.warnings) assert.match(message, /cached copy of .*blob\.bin .*; removed it, downloading again/);
      assert.match(result.warnings[0], warning);
      assert.equal(result.failure, 'HTTP_ERROR');
      assert.equal(result.left, false);
      assert.equal(blob.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('blob.bin') && r.status === 200).length, 1);
    } finally {
      await blob.close();
    }
  });
}
