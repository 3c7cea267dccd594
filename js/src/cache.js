import { bodyChunks } from './body_chunks.js';
import { env, IS_NODE } from './env.js';
import { folderCache } from './platform/node.js';

/**
 * Where finished downloads are kept: a folder in Node (env.cacheDir), the
 * Cache API in browsers (env.useBrowserCache). Entries are written only once
 * complete and verified (`put`); a Node entry appears by an atomic rename, so
 * an interrupted write leaves nothing behind. In Node a weight file the core
 * reads from disk is downloaded straight into a partial entry (`create`, a
 * DiskFile of platform/node.js), renamed once verified and read from there.
 * A cache that cannot take an entry (read-only or full folder, storage quota)
 * costs a console warning, not the load (download.js).
 */
export async function openCache() {
  if (IS_NODE && env.useFSCache && env.cacheDir) return folderCache(env.cacheDir);
  if (!IS_NODE && env.useBrowserCache && typeof caches !== 'undefined') return browserCache(await caches.open('hubwasm'));
  return null;
}

function browserCache(cache) {
  return {
    async match(url) {
      const response = await cache.match(url);
      if (!response) return null;
      const size = Number(response.headers.get('content-length'));
      return {
        size,
        readInto: async (sink) => {
          sink.allocate(size);
          let offset = 0;
          for await (const chunk of bodyChunks(response.body)) {
            if (offset + chunk.length > size) throw new Error(`cached ${url} is larger than recorded`);
            sink.write(chunk, offset);
            offset += chunk.length;
          }
          if (offset !== size) throw new Error(`cached ${url} is shorter than recorded`);
        },
      };
    },
    async put(url, bytes) {
      // A view of (possibly shared) wasm memory: Response copies it.
      const body = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
      await cache.put(url, new Response(body, { headers: { 'content-length': String(bytes.length) } }));
    },
  };
}
