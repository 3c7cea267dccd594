// Points hubwasm at a local Hub server (hub_server.mjs) for one test file:
// started before its tests, closed after them, with the Node cache folder off
// so that every load really downloads.
import fs from 'node:fs';
import { after, before } from 'node:test';
import { env } from 'hubwasm';
import { startHubServer } from './hub_server.mjs';

/**
 * Returns a holder whose `server` is the running Hub server once the tests
 * start. With `removeRoot`, `options.root` (a temporary folder the test file
 * made) is deleted after the tests.
 */
export function useLocalHub({ removeRoot = false, ...options } = {}) {
  const hub = {};
  before(async () => {
    hub.server = await startHubServer(options);
    env.remoteHost = hub.server.url;
    env.useFSCache = false;
  });
  after(async () => {
    await hub.server.close();
    if (removeRoot) fs.rmSync(options.root, { recursive: true, force: true });
  });
  return hub;
}
