// The package in a real browser: Debian's Chromium, headless, driven by
// playwright-core, loads hubwasm as an ES module, fetches micro-bert from the
// local Hub server and must give transformers.js's embeddings (ONNX Runtime
// on the same weights) within 1e-4.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHubServer } from './hub_server.mjs';
import { maxAbsDiff, transformersJs, transformersJsId } from './reference.mjs';
import { startStaticServer } from './static_server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEXTS = ['Hello from a browser page.', 'Nothing leaves the machine.'];
let hub, site, context, profile;

before(async () => {
  hub = await startHubServer();
  const page = `<!doctype html><script type="module">
    import { pipeline, env } from '/js/src/index.js';
    env.remoteHost = ${JSON.stringify(hub.url)};
    try {
      const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
      const out = await extractor(${JSON.stringify(TEXTS)}, { pooling: 'mean', normalize: true });
      window.__result = { dims: out.dims, data: Array.from(out.data) };
    } catch (e) {
      window.__result = { error: String(e.stack ?? e) };
    }
  </script>`;
  site = await startStaticServer({ root: repoRoot, pages: { '/test.html': page } });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  await site?.close();
  await hub?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test('feature-extraction in headless Chromium equals transformers.js', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}test.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.__result);
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.dims, [2, 32]);
  const tf = await transformersJs();
  const reference = await tf.pipeline('feature-extraction', transformersJsId('hubwasm-fixtures--micro-bert'), { dtype: 'fp32', device: 'cpu' });
  const expected = await reference(TEXTS, { pooling: 'mean', normalize: true });
  const err = maxAbsDiff(Float32Array.from(result.data), expected.data);
  console.log(`Chromium feature-extraction max abs error vs transformers.js: ${err.toExponential(2)}`);
  assert.ok(err < 1e-4);
  await reference.dispose();
});
