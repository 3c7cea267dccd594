// Points hubwasm at a local Hub server (hub_server.mjs) for one test file:
// started before its tests, closed after them, with the Node cache folder off
// so that every load really downloads.
import { after, before } from 'node:test';
import { env } from 'hubwasm';
import { startHubServer } from './hub_server.mjs';

/** Returns a holder whose `server` is the running Hub server once the tests start. */
export function useLocalHub(options) {
  const hub = {};
  before(async () => {
    hub.server = await startHubServer(options);
    env.remoteHost = hub.server.url;
    env.useFSCache = false;
  });
  after(() => hub.server.close());
  return hub;
}
