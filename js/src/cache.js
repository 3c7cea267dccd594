import { bodyChunks } from './body_chunks.js';
import { env, IS_NODE } from './env.js';
import { inTime } from './in_time.js';
import { temporaryFileOr } from './platform/browser.js';
import { folderCache } from './platform/node.js';

/**
 * Where finished downloads are kept: a folder in Node (env.cacheDir), the
 * Cache API in browsers (env.useBrowserCache). Entries appear only once
 * complete and verified; a Node entry appears by an atomic rename, so
 * an interrupted write leaves nothing behind. In Node a weight file the core
 * reads from disk is downloaded straight into a partial entry (`create`, a
 * DiskFile of platform/node.js), renamed once verified and read from there.
 * A download of known length streams into its entry as it arrives
 * (`entry(url, size)`, a CacheEntry): a partial file renamed once verified
 * in Node; in browsers, a body the Cache API stores only if it ends normally.
 * Downloads of unknown length are `put` whole.
 * `match(url)` gives {size, readInto(sink)} or null; readInto resolves false
 * when a browser entry turned out damaged (not the length it records, or
 * unreadable): it is removed, with a warning, and the caller downloads the
 * file again.
 * A cache that cannot take an entry (read-only or full folder, storage quota)
 * costs a console warning, not the load (download.js).
 */
/**
 * A cache entry written while its download arrives: `write(bytes, stable)`
 * in order (its promise resolves when the entry can take more; `stable`:
 * bytes that stay unchanged until the entry ends, which need no copy; Node
 * writes each chunk before resolving and needs none anyway), then
 * `commit()` once the download is verified, or `abort(reason)`. A failing
 * cache takes no more writes and commit() rejects with the reason.
 * @typedef {{ write(bytes: Uint8Array, stable?: boolean): Promise<void>, commit(): Promise<void>, abort(reason?: unknown): void }} CacheEntry
 */

export async function openCache() {
  if (IS_NODE && env.useFSCache && env.cacheDir) return folderCache(env.cacheDir);
  if (!IS_NODE && env.useBrowserCache && typeof caches !== 'undefined') return browserCache(await caches.open('hubwasm'));
  return null;
}

function browserCache(cache) {
  // hubwasm stores entries only once complete and verified, so one whose body is not the
  // length it records, or cannot be read, was damaged in storage (or written by something
  // else): it goes, and the caller downloads the file again.
  const dropDamaged = async (url, problem) => {
    await cache.delete(url).catch(() => {});
    console.warn(`hubwasm: the cached copy of ${url} ${problem}; removed it, downloading again`);
  };
  return {
    async match(url) {
      const response = await cache.match(url);
      if (!response) return null;
      const recorded = response.headers.get('content-length');
      const size = Number(recorded);
      if (!/^\d+$/.test(recorded ?? '') || !Number.isSafeInteger(size)) {
        await dropDamaged(url, `records no valid length (content-length ${recorded})`);
        return null;
      }
      return {
        size,
        readInto: async (sink) => {
          // A sink that keeps files (weights in a browser worker) gets a temporary file of the entry.
          const target = sink.wantsFile?.(size) ? await temporaryFileOr(sink, url, size) : sink;
          let problem = null;
          try {
            target.allocate(size);
            const chunks = bodyChunks(response.body);
            let offset = 0;
            try {
              for (;;) {
                const next = await chunks.next().catch((error) => {
                  problem = `could not be read (${error?.message ?? error})`;
                  return { done: true };
                });
                if (next.done) break;
                if (offset + next.value.length > size) {
                  problem = `has more than the ${size} bytes its entry records`;
                  break;
                }
                target.write(next.value, offset);
                offset += next.value.length;
              }
            } finally {
              await chunks.return();  // cancels the body when the loop stopped early
            }
            if (!problem && offset !== size) problem = `has ${offset} of the ${size} bytes its entry records`;
            if (!problem) {
              if (target !== sink) sink.adoptFile(target);
              return true;
            }
          } catch (error) {
            if (target !== sink) target.discard();
            throw error;
          }
          if (target !== sink) target.discard();
          else sink.allocate(0);  // the download allocates its own block: do not hold two
          await dropDamaged(url, problem);
          return false;
        },
      };
    },
    entry: (url, size) => streamedEntry(cache, url, size),
    async put(url, bytes) {
      // A view of (possibly shared) wasm memory: Response copies it.
      const body = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
      await cache.put(url, new Response(body, { headers: { 'content-length': String(bytes.length) } }));
    },
  };
}

/**
 * A Cache API entry written while its download arrives, so that the file is
 * never copied whole (a Response made from the complete download copies it,
 * a view of shared wasm memory twice): `write(bytes, stable)` returns a
 * promise while the cache falls behind; `commit()` once the download is
 * verified, or `abort(reason)`. The Cache API stores an entry only when its
 * body ends normally, so an aborted one leaves nothing. A cache that gives
 * up (a storage quota) or takes nothing for env.fetchTimeoutMs gets no more
 * writes, and commit() rejects with the reason: the download goes on.
 */
function streamedEntry(cache, url, size) {
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  const stored = cache.put(url, new Response(readable, { headers: { 'content-length': String(size) } }));
  let failure = null;
  // Settles with the put: a put that fails without reading on must not hold the download.
  const gaveUp = stored.then(() => {}, (error) => { failure ??= error; });
  return {
    // `stable` bytes stay unchanged until the entry ends (the received part
    // of a download in JavaScript memory) and are queued as they are; others
    // (a reused read buffer, wasm memory that moves as it grows) are copied.
    async write(bytes, stable = false) {
      if (failure) return;
      const chunk = stable ? bytes : bytes.slice();
      try {
        await inTime(Promise.race([writer.ready, gaveUp]), 'the cache took no data');
        if (!failure) writer.write(chunk).catch(() => {});  // a failed write also rejects the next `ready`
      } catch (error) {
        failure ??= error;
        writer.abort(error).catch(() => {});
      }
    },
    async commit() {
      if (failure) throw failure;
      try {
        // The last chunk goes out only when the cache reads again: close() waits for that.
        await inTime(Promise.race([writer.close(), gaveUp]), 'the cache took no data');
        await inTime(stored, 'the cache did not store the entry');
      } catch (error) {
        writer.abort(error).catch(() => {});
        throw failure ?? error;
      }
    },
    abort(reason) {
      writer.abort(reason).catch(() => {});
    },
  };
}
