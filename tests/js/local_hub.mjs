// Points hubwasm at a local Hub server (hub_server.mjs) for one test file:
// started before its tests, closed after them, with the Node cache folder off
// so that every load really downloads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { env } from 'hubwasm';
import { defaultRoot, startHubServer } from './hub_server.mjs';

/**
 * A new temporary Hub root (`<tmp>/<prefix>XXXXXX`) linking every repo folder
 * of `dirs` (the shared models by default), to which a test file adds repos
 * of its own; pass it to useLocalHub with `removeRoot`.
 */
export function linkedHubRoot(prefix, dirs = [defaultRoot]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      if (fs.statSync(path.join(dir, name)).isDirectory()) fs.symlinkSync(path.join(dir, name), path.join(root, name));
    }
  }
  return root;
}

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
