import { env, IS_NODE } from './env.js';

/**
 * Where finished downloads are kept: a folder in Node (env.cacheDir), the
 * Cache API in browsers (env.useBrowserCache). Entries are written only once
 * complete and verified; a Node entry appears by an atomic rename, so an
 * interrupted write leaves nothing behind.
 */
export async function openCache() {
  if (IS_NODE && env.useFSCache && env.cacheDir) return folderCache(env.cacheDir);
  if (!IS_NODE && env.useBrowserCache && typeof caches !== 'undefined') return browserCache(await caches.open('hubwasm'));
  return null;
}

async function folderCache(root) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  // <root>/<host>/<model>/resolve/<revision>/<file>: new URL() has already removed any '..'.
  const fileFor = (url) => {
    const u = new URL(url);
    return path.join(root, u.host.replace(':', '_'), decodeURIComponent(u.pathname));
  };
  return {
    /** {size, read(sink)} or null. */
    async match(url) {
      const file = fileFor(url);
      let stat;
      try {
        stat = await fs.promises.stat(file);
      } catch {
        return null;
      }
      return {
        size: stat.size,
        async readInto(sink) {
          sink.allocate(stat.size);
          const handle = await fs.promises.open(file);
          try {
            const chunk = Buffer.allocUnsafe(Math.min(stat.size, 1 << 20) || 1);
            for (let offset = 0; offset < stat.size;) {
              const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
              if (bytesRead === 0) throw new Error(`${file} shrank while reading`);
              sink.write(chunk.subarray(0, bytesRead), offset);
              offset += bytesRead;
            }
          } finally {
            await handle.close();
          }
        },
      };
    },
    async put(url, bytes) {
      const file = fileFor(url);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const partial = `${file}.${process.pid}.${Date.now()}.partial`;
      try {
        await fs.promises.writeFile(partial, bytes);
        await fs.promises.rename(partial, file);
      } catch (error) {
        await fs.promises.rm(partial, { force: true });
        throw error;
      }
    },
  };
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
          const reader = response.body.getReader();
          let offset = 0;
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            if (offset + r.value.length > size) throw new Error(`cached ${url} is larger than recorded`);
            sink.write(r.value, offset);
            offset += r.value.length;
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
