import { openCache } from './cache.js';
import { env, IS_NODE } from './env.js';
import { HubwasmError } from './errors.js';
import { fileUrl, request, withRetries } from './hub.js';
import * as nodePlatform from './platform/node.js';
import * as browserPlatform from './platform/browser.js';

const { digestHex, incrementalDigest } = IS_NODE ? nodePlatform : browserPlatform;

/**
 * A destination for one file's bytes: JavaScript memory, or a block of
 * WebAssembly memory (so that weights are never held twice).
 * @typedef {{ allocate(size: number): void, write(chunk: Uint8Array, offset: number): void, view(): Uint8Array }} Sink
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
 * arrives, then `check(bytes)` with the whole file. Where the platform hashes
 * incrementally (Node) the chunks are hashed while the download goes on; else
 * (WebCrypto) the whole file is hashed at the end, as also for a git blob of
 * unknown length (its hash starts with the length).
 */
async function checksum(url, response) {
  const expected = expectedDigest(response);
  if (!expected) return { update() {}, async check() {} };
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
    update(chunk) { hash?.update(chunk); },
    async check(bytes) {
      const actual = hash ? hash.hex() : await whole(bytes);
      if (actual !== null && actual !== expected.hex) {
        throw new HubwasmError('NETWORK_ERROR', `${url}: content does not match its checksum ${expected.hex} (corrupted in transit)`, { url });
      }
    },
  };
}

/** Streams a response body into `sink`, checking the announced length. */
async function receive(url, response, stall, sink, onProgress, onChunk = () => {}) {
  const announced = knownLength(response);
  const known = announced !== null;
  const chunks = [];
  let received = 0;
  if (known) sink.allocate(announced);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stall.touch();
      onChunk(value);
      if (known) {
        if (received + value.length > announced) {
          throw new HubwasmError('NETWORK_ERROR', `${url}: the server sent more than the announced ${announced} bytes`, { url });
        }
        sink.write(value, received);
      } else {
        chunks.push(value);
      }
      received += value.length;
      onProgress(received, known ? announced : 0);
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
  if (!known) {
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
  if (IS_NODE) {
    const bytes = await nodePlatform.readFileIfExists(`${env.localModelPath.replace(/\/?$/, '/')}${relative}`);
    if (!bytes) return false;
    sink.allocate(bytes.length);
    sink.write(bytes, 0);
    return true;
  }
  const url = new URL(env.localModelPath.replace(/\/?$/, '/') + relative, location.href).href;
  const response = await fetch(url).catch(() => null);
  if (!response?.ok) return false;
  await receive(url, response, { touch() {}, done() {} }, sink, () => {});
  return true;
}

/**
 * Gets `file` of repo `model` into `sink`: from env.localModelPath, else the
 * cache, else the Hub (with retries, verified, then cached). Reports
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
  const cached = await cache?.match(url);
  if (cached) {
    await cached.readInto(sink);
    progress({ status: 'done', ...event, cached: true });
    return true;
  }
  const found = await slot(() => withRetries(async () => {
    const answer = await request(url, { optional, accessToken });
    if (!answer) return false;
    progress({ status: 'download', ...event });
    const check = await checksum(url, answer.response);
    await receive(url, answer.response, answer.stall, sink, (loaded, total) => {
      progress({ status: 'progress', ...event, loaded, total, progress: total ? (loaded / total) * 100 : 0 });
    }, (chunk) => check.update(chunk));
    await check.check(sink.view());
    return true;
  }));
  if (!found) return false;
  await cache?.put(url, sink.view());
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
