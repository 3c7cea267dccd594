// Runs in a fresh project where only the packed `hubwasm` tarball is installed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { env, pipeline } from 'hubwasm';

test('the installed tarball computes embeddings', async () => {
  const { startHubServer } = await import(pathToFileURL(process.env.HUB_SERVER_MODULE).href);
  const hub = await startHubServer();
  try {
    env.remoteHost = hub.url;
    const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
    const embeddings = await extractor(['installed from the tarball', 'it works'], { pooling: 'mean', normalize: true });
    assert.deepEqual(embeddings.dims, [2, 32]);
    for (const row of embeddings.tolist()) assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
    await extractor.dispose();
  } finally {
    await hub.close();
  }
});
