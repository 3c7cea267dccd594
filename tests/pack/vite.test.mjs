// The Vite production build of vite-app/ (made by run.sh from the installed
// tarball) in headless Chromium, served without and with COOP/COEP (the
// single-threaded and the threaded build): same embeddings as transformers.js.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { startHubServer } from '../js/hub_server.mjs';
import { maxAbsDiff, transformersJs, transformersJsId } from '../js/reference.mjs';
import { startStaticServer } from '../js/static_server.mjs';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

test('a Vite-bundled page runs the packed package, with and without threads', async () => {
  const dist = process.env.VITE_DIST;
  assert.ok(dist && fs.existsSync(path.join(dist, 'index.html')), 'VITE_DIST must point at the built app');
  // Assets Vite must emit: both builds' .wasm, and the checksum worker with its sha256.wasm.
  const assets = fs.readdirSync(path.join(dist, 'assets'));
  for (const [what, pattern] of [['hubwasm.wasm', /^hubwasm-(?!mt-).+\.wasm$/], ['hubwasm-mt.wasm', /^hubwasm-mt-.+\.wasm$/],
    ['sha256.wasm', /^sha256-.+\.wasm$/], ['sha256_worker.js', /^sha256_worker-.+\.js$/]]) {
    assert.equal(assets.filter((f) => pattern.test(f)).length, 1, `Vite must emit ${what} as an asset, got ${assets}`);
  }
  const hub = await startHubServer();
  const plain = await startStaticServer({ root: dist });
  const isolated = await startStaticServer({ root: dist, headers: ISOLATION });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const tf = await transformersJs();
    const reference = await tf.pipeline('feature-extraction', transformersJsId('hubwasm-fixtures--micro-bert'), { dtype: 'fp32', device: 'cpu' });
    const expected = await reference(['bundled by vite', 'still the same numbers'], { pooling: 'mean', normalize: true });
    await reference.dispose();
    for (const [label, site, runtime] of [
      ['without COOP/COEP', plain, { variant: 'simd', numThreads: 1 }],
      ['with COOP/COEP', isolated, { variant: 'simd-threads', numThreads: 2 }],
    ]) {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${site.url}index.html?hub=${encodeURIComponent(hub.url)}`);
      await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
      const result = await page.evaluate(() => window.__result);
      await page.close();
      assert.equal(result.error, undefined, result.error);
      assert.deepEqual(errors, []);
      assert.deepEqual(result.runtime, runtime, label);
      const err = maxAbsDiff(Float32Array.from(result.data), expected.data);
      console.log(`Vite bundle in Chromium ${label} (${runtime.variant}): max abs error vs transformers.js ${err.toExponential(2)}`);
      assert.ok(err < 1e-4);
    }
  } finally {
    await browser.close();
    await plain.close();
    await isolated.close();
    await hub.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
