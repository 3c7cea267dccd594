// What a browser download of a weight file costs with and without its SHA-256
// check, in headless Chromium: the file from a stand-in Hub on 127.0.0.1
// (no-store) read through hubwasm's body reader alone; the same while
// hubwasm's checksum worker hashes it as it arrives (sha256.wasm, libmd); and
// WebCrypto's digest of the whole file once it has arrived. Prints one JSON
// line (ms, and MB/s of the file size).
//   node bench/download_hash_bench.mjs [--models build/models] [--model hubwasm-bench--gpt2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startHubServer } from '../tests/js/hub_server.mjs';
import { startStaticServer } from '../tests/js/static_server.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
const folder = opt('--model', 'hubwasm-bench--gpt2');
const hub = await startHubServer({ root: path.resolve(opt('--models', 'build/models')), headers: { 'Cache-Control': 'no-store' } });
await hub.prehash(folder);
const site = await startStaticServer({ root: path.resolve(path.dirname(new URL(import.meta.url).pathname), '..') });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bench-hash-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
site.pages['/hash.html'] = `<!doctype html><script type="module">
  import { bodyChunks } from '/js/src/body_chunks.js';
  import { sha256Stream } from '/js/src/sha256_stream.js';
  const url = ${JSON.stringify(`${hub.url}${folder.replace('--', '/')}/resolve/main/model.safetensors`)};
  const body = async () => (await fetch(url, { cache: 'no-store' })).body;
  try {
    let t = performance.now();
    let bytes = 0;
    for await (const chunk of bodyChunks(await body())) bytes += chunk.length;
    const fetch_ms = performance.now() - t;
    const stream = await sha256Stream('SHA-256');
    t = performance.now();
    for await (const chunk of bodyChunks(await body())) await stream.update(chunk);
    await stream.hex();
    const fetch_and_worker_hash_ms = performance.now() - t;
    const whole = new Uint8Array(bytes);
    let offset = 0;
    for await (const chunk of bodyChunks(await body())) { whole.set(chunk, offset); offset += chunk.length; }
    t = performance.now();
    await crypto.subtle.digest('SHA-256', whole);
    window.__result = { bytes, fetch_ms, fetch_and_worker_hash_ms, webcrypto_after_download_ms: performance.now() - t };
  } catch (e) {
    window.__result = { error: String(e.stack ?? e) };
  }
</script>`;
try {
  const tab = await browser.newPage();
  await tab.goto(`${site.url}hash.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 600_000 });
  const r = await tab.evaluate(() => window.__result);
  if (r.error) throw new Error(r.error);
  const rate = (ms) => +(r.bytes / ms / 1000).toFixed(0);
  console.log(JSON.stringify({ name: `${folder} model.safetensors in Chromium`, bytes: r.bytes,
    fetch_ms: Math.round(r.fetch_ms), fetch_mb_per_s: rate(r.fetch_ms),
    fetch_and_worker_hash_ms: Math.round(r.fetch_and_worker_hash_ms), worker_hash_mb_per_s: rate(r.fetch_and_worker_hash_ms),
    webcrypto_after_download_ms: Math.round(r.webcrypto_after_download_ms), webcrypto_mb_per_s: rate(r.webcrypto_after_download_ms) }));
} finally {
  await browser.close();
  await site.close();
  await hub.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
