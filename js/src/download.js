import { bodyChunks } from './body_chunks.js';
import { openCache } from './cache.js';
import { env, IS_NODE } from './env.js';
import { HubwasmError } from './errors.js';
import { fileUrl, request, withRetries } from './hub.js';
import * as nodePlatform from './platform/node.js';
import * as browserPlatform from './platform/browser.js';

const { digestHex, incrementalDigest } = IS_NODE ? nodePlatform : browserPlatform;
const { createDiskFile, readFileInto } = nodePlatform;

/**
 * A destination for one file's bytes: JavaScript memory, or a block of
 * WebAssembly memory (so that weights are never held twice). In Node and
 * browser workers a sink may keep a file on disk instead (weights the core
 * converts, js/src/repo.js): `wantsFile(size)` (size null: not known yet)
 * says so, and `adoptFile(file)` then gets the local file, the cache entry or
 * the verified download as an open DiskFile (platform/node.js; in a browser
 * worker a temporary OPFS file, platform/browser.js), which it closes when
 * done with it.
 * `growable` sinks take writes before their size is known (allocate(0)).
 * `written(offset, length)` gives a view of bytes written that stay in place
 * until the next allocate() (JavaScript memory; not wasm memory, which moves).
 * @typedef {{ allocate(size: number): void, write(chunk: Uint8Array, offset: number): void, view(): Uint8Array,
 *   growable?: boolean, written?(offset: number, length: number): Uint8Array | undefined,
 *   wantsFile?(size: number | null): boolean, adoptFile?(file: object): void }} Sink
 */

/** A sink into a new Uint8Array; `what` names the file in an OUT_OF_MEMORY error. */
export function memorySink(what = 'download') {
  let bytes = null;
  return {
    allocate(size) {
      try {
        bytes = new Uint8Array(size);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw new HubwasmError('OUT_OF_MEMORY', `${what}: cannot hold ${size} bytes in JavaScript memory (${error.message})`);
      }
    },
    write(chunk, offset) { bytes.set(chunk, offset); },
    view: () => bytes,
    written: (offset, length) => bytes.subarray(offset, offset + length),
  };
}

let active = 0;
const waiting = [];
/** Bounds the number of concurrent downloads to env.maxConcurrentDownloads. */
async function slot(run) {
  while (active >= env.maxConcurrentDownloads) await new Promise((resolve) => waiting.push(resolve));
  active++;
  try {
    return await run();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/**
 * The Hub's checksum of a file: X-Linked-Etag (LFS files: sha256 of the
 * content), else an ETag that is a sha256, or a git blob sha1 when the answer
 * came from the Hub itself (not a redirect).
 */
function expectedDigest(response) {
  const raw = response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '';
  const tag = raw.replace(/^W\//, '').replaceAll('"', '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(tag)) return { algorithm: 'SHA-256', hex: tag, gitBlob: false };
  if (/^[0-9a-f]{40}$/.test(tag) && !response.redirected) return { algorithm: 'SHA-1', hex: tag, gitBlob: true };
  return null;
}

/** Content-Length when it counts the bytes received (no Content-Encoding), else null. */
function knownLength(response) {
  const announced = Number(response.headers.get('content-length'));
  const known = response.headers.has('content-length') && Number.isFinite(announced) && !response.headers.get('content-encoding');
  return known ? announced : null;
}

/**
 * The checksum check of one response: `update(chunk)` for each chunk as it
 * arrives (it may return a promise to wait for), then `check(sink)` once
 * complete, or `cancel()` if the download is abandoned. Where the platform
 * hashes incrementally (Node; browsers for SHA-256, in a worker:
 * platform/browser.js) the chunks are hashed while the
 * download goes on; else (WebCrypto) the whole file (sink.view()) is hashed
 * at the end, as also for a git blob of unknown length (its hash starts with
 * the length; a file on disk is then read back).
 */
async function checksum(url, response) {
  const expected = expectedDigest(response);
  if (!expected) return { update() {}, cancel() {}, async check() {} };
  const length = knownLength(response);
  const blobPrefix = (size) => new TextEncoder().encode(`blob ${size}\0`);
  const hash = expected.gitBlob && length === null ? null : await incrementalDigest(expected.algorithm);
  if (hash && expected.gitBlob) hash.update(blobPrefix(length));
  const whole = async (bytes) => {
    if (!expected.gitBlob) return digestHex(expected.algorithm, bytes);
    const prefix = blobPrefix(bytes.length);
    const data = new Uint8Array(prefix.length + bytes.length);
    data.set(prefix);
    data.set(bytes, prefix.length);
    return digestHex(expected.algorithm, data);
  };
  return {
    update: (chunk) => hash?.update(chunk),
    cancel() { hash?.cancel?.(); },
    async check(sink) {
      // A null hex(): the browser's hashing worker failed, so the whole file is hashed instead.
      const actual = (hash ? await hash.hex() : null) ?? await whole(sink.view());
      if (actual !== null && actual !== expected.hex) {
        throw new HubwasmError('NETWORK_ERROR', `${url}: content does not match its checksum ${expected.hex} (corrupted in transit)`, { url });
      }
    },
  };
}

/**
 * Streams a response body into `sink`, checking the announced length;
 * `onChunk(chunk, offset)` sees each chunk once the sink has it.
 */
async function receive(url, response, stall, sink, onProgress, onChunk = () => {}) {
  const announced = knownLength(response);
  const known = announced !== null;
  const direct = known || sink.growable;  // else chunks wait until the size is known
  const chunks = [];
  let received = 0;
  if (direct) sink.allocate(announced ?? 0);
  stall.touch();  // the wait for the first chunk starts now, not when the request did (the hasher may have been starting)
  try {
    for await (const value of bodyChunks(response.body)) {
      stall.done();  // times the network only: the checksum worker and the cache have their own limits
      if (known && received + value.length > announced) {
        throw new HubwasmError('NETWORK_ERROR', `${url}: the server sent more than the announced ${announced} bytes`, { url });
      }
      if (direct) sink.write(value, received);
      else chunks.push(value.slice());  // the reader reuses value's buffer
      await onChunk(value, received);
      received += value.length;
      onProgress(received, known ? announced : 0);
      stall.touch();
    }
  } catch (cause) {
    if (cause instanceof HubwasmError) throw cause;
    throw new HubwasmError('NETWORK_ERROR', `${url}: download interrupted after ${received} bytes: ${cause.message}`, { url, cause });
  } finally {
    stall.done();
  }
  if (known && received !== announced) {
    throw new HubwasmError('NETWORK_ERROR', `${url}: download truncated after ${received} of ${announced} bytes`, { url });
  }
  if (!direct) {
    sink.allocate(received);
    let offset = 0;
    for (const chunk of chunks) {
      sink.write(chunk, offset);
      offset += chunk.length;
    }
  }
}

async function readLocal(model, file, options, sink) {
  if (!env.allowLocalModels || !env.localModelPath) return false;
  const relative = `${model}/${options.subfolder ? `${options.subfolder}/` : ''}${file}`;
  if (IS_NODE) return readFileInto(`${env.localModelPath.replace(/\/?$/, '/')}${relative}`, sink);
  const url = new URL(env.localModelPath.replace(/\/?$/, '/') + relative, location.href).href;
  const response = await fetch(url).catch(() => null);
  if (!response?.ok) return false;
  await receive(url, response, { touch() {}, done() {} }, sink, () => {});
  return true;
}

/**
 * A cache write that failed (a read-only or full cache folder, a browser
 * storage quota): the load goes on with what it downloaded, which is
 * verified; only a later load downloads again.
 */
function notCached(url, error) {
  console.warn(`hubwasm: ${url} was not cached: ${error.message}`);
}

/** A cache entry to write a download into as it arrives (cache.js), or null when the cache cannot take it. */
async function openEntry(cache, url, size) {
  try {
    return await cache.entry(url, size);
  } catch (error) {
    if (error.code !== 'IO_ERROR') throw error;
    notCached(url, error);
    return null;
  }
}

/** Makes a verified download on disk its cache entry, or else keeps it as an anonymous file. */
function keepInCache(file, url) {
  try {
    file.keep();
  } catch (error) {
    if (error.code !== 'IO_ERROR') throw error;
    notCached(url, error);
    file.unlink();
  }
}

/**
 * Where one download attempt writes: `sink`, or for a sink that keeps files
 * on disk a new file: in Node the cache's partial entry, else (no cache, or
 * one that cannot take the file) an anonymous temporary file; in a browser
 * worker a temporary OPFS file (or `sink` where OPFS is unusable).
 */
async function downloadTarget(sink, size, cache, url) {
  if (!sink.wantsFile?.(size)) return sink;
  if (cache?.create) {
    try {
      return await cache.create(url);
    } catch (error) {
      if (error.code !== 'IO_ERROR') throw error;
      notCached(url, error);
    }
  }
  return IS_NODE ? createDiskFile() : browserPlatform.temporaryFileOr(sink, url, size);
}

/**
 * Gets `file` of repo `model` into `sink`: from env.localModelPath, else the
 * cache, else the Hub (with retries, verified, then cached). A sink that
 * keeps files on disk gets the local file or cache entry itself, or the
 * download streamed to disk (into the cache entry once verified). Any other
 * download of known length streams into its cache entry as it arrives,
 * which becomes the entry only once verified (cache.js). Reports
 * transformers.js-style progress events to `options.progress_callback`.
 * Returns false when `options.optional` and the Hub answers 404.
 */
export async function getFile(model, file, sink, options = {}) {
  const { progress_callback: progress = () => {}, optional = false, revision, subfolder, accessToken } = options;
  const event = { name: model, file };
  progress({ status: 'initiate', ...event });
  if (await readLocal(model, file, options, sink)) {
    progress({ status: 'done', ...event });
    return true;
  }
  const url = fileUrl(model, file, { revision, subfolder });
  if (!env.allowRemoteModels && optional) return false;
  const cache = await openCache();
  // Node's folder cache can make a file download its entry (cache.create); the
  // browser's Cache API only takes the bytes as they arrive (an entry).
  const downloadsBecomeEntries = Boolean(cache?.create);
  const cached = await cache?.match(url);
  if (await cached?.readInto(sink)) {
    progress({ status: 'done', ...event, cached: true });
    return true;
  }
  let cachedWhileReceived = false;  // by the last attempt's own entry, or it could not open one
  const received = await slot(() => withRetries(async () => {
    const answer = await request(url, { optional, accessToken, noStore: !IS_NODE && cache !== null });
    if (!answer) return null;
    progress({ status: 'download', ...event });
    const check = await checksum(url, answer.response);
    const length = knownLength(answer.response);
    let target = null;
    let entry = null;
    try {
      target = await downloadTarget(sink, length, cache, url);
      // A target on disk in Node is already the cache's partial entry (downloadTarget).
      cachedWhileReceived = Boolean(cache && (target === sink || !downloadsBecomeEntries) && length !== null);
      if (cachedWhileReceived) entry = await openEntry(cache, url, length);
      await receive(url, answer.response, answer.stall, target, (loaded, total) => {
        progress({ status: 'progress', ...event, loaded, total, progress: total ? (loaded / total) * 100 : 0 });
      }, async (chunk, offset) => {
        await check.update(chunk);
        // A sink in JavaScript memory keeps the chunk in place: the entry takes
        // that view, not a copy (copies are garbage the browser frees late).
        if (!entry) return;
        const kept = target.written?.(offset, chunk.length);
        await entry.write(kept ?? chunk, Boolean(kept));
      });
      await check.check(target);
    } catch (error) {
      check.cancel();
      entry?.abort(error);
      if (!target) {  // no file to write to: end the answer unread
        answer.stall.done();
        await answer.response.body?.cancel().catch(() => {});
      } else if (target !== sink) {
        target.discard();  // nothing of a failed attempt stays on disk
      }
      throw error;
    }
    await entry?.commit().catch((error) => notCached(url, error));
    return target;
  }));
  if (!received) return false;
  if (received === sink) {
    if (!cachedWhileReceived) await cache?.put(url, sink.view()).catch((error) => notCached(url, error));
  } else {
    if (cache && !downloadsBecomeEntries && !cachedWhileReceived) notCached(url, new Error('no length was sent, so it went to a temporary file only'));
    try {
      keepInCache(received, url);
      sink.adoptFile(received);
    } catch (error) {
      received.discard();
      throw error;
    }
  }
  progress({ status: 'done', ...event });
  return true;
}

/** A JSON file of a repo, or null when `optional` and absent. */
export async function getJson(model, file, options = {}) {
  const sink = memorySink();
  if (!(await getFile(model, file, sink, options))) return null;
  try {
    return JSON.parse(new TextDecoder().decode(sink.view()));
  } catch {
    throw new HubwasmError('INVALID_FILE', `${file} of ${model}: not valid JSON`);
  }
}

/** Whether `file` of repo `model` is in the download cache (getFile then downloads nothing). */
export async function isCached(model, file, options = {}) {
  const cache = await openCache();
  return Boolean(await cache?.match(fileUrl(model, file, options)));
}
