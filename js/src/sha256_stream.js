import { BODY_CHUNK_BYTES } from './body_chunks.js';
import { locator } from './dist_files.js';
import { env } from './env.js';
import { inTime } from './in_time.js';

// Chunks sent to the worker and not yet hashed: a download waits beyond this,
// so a hash slower than the network holds at most this many chunk copies.
const MAX_IN_FLIGHT = 8;

/**
 * SHA-256 of a download in browsers, computed while it arrives, in a worker
 * (js/src/sha256_worker.js, libmd's hash in WebAssembly), on another core.
 * WebCrypto only hashes a whole buffer, after the download and on a copy of
 * it (platform/browser.js says when each is used).
 *
 * `sha256Stream(algorithm)` gives `{ update(chunk), hex(), cancel() }`, or
 * null (SHA-1, or no worker could start: the caller then hashes the whole
 * file with WebCrypto). `update` copies the chunk before it returns, and
 * returns a promise when the caller should wait for the worker. `hex()`
 * resolves to the digest, or null if the worker failed (or stopped
 * answering for env.fetchTimeoutMs).
 */
export async function sha256Stream(algorithm) {
  if (algorithm !== 'SHA-256') return null;
  const hasher = await startHasher();
  return hasher ? new Sha256Stream(hasher) : null;
}

let hasherReady = null;

/**
 * The hashing worker. Its URL is written out in `new Worker(...)` so that
 * bundlers (Vite, webpack) emit the script. A worker may only run a script of
 * the page's origin: the package served from elsewhere (a CDN) throws a
 * SecurityError here, and then starts it from a blob: URL (it imports nothing).
 */
async function startWorker() {
  try {
    return new Worker(new URL('./sha256_worker.js', import.meta.url), { type: 'module' });
  } catch (error) {
    if (error?.name !== 'SecurityError') throw error;
    const response = await fetch(new URL('./sha256_worker.js', import.meta.url), { signal: AbortSignal.timeout(env.fetchTimeoutMs) });
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
    const script = new Blob([await response.blob()], { type: 'text/javascript' });
    return new Worker(URL.createObjectURL(script), { type: 'module' });
  }
}

/** The shared hashing worker, started once: {worker, streams, nextId, fail} or null. */
function startHasher() {
  hasherReady ??= (async () => {
    if (typeof Worker === 'undefined' || typeof WebAssembly === 'undefined') return null;
    const url = locator(env.backends.wasm.wasmPaths)?.('sha256.wasm') ?? new URL('../dist/sha256.wasm', import.meta.url).href;
    const response = await fetch(url, { signal: AbortSignal.timeout(env.fetchTimeoutMs) });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const module = await WebAssembly.compile(await response.arrayBuffer());
    const worker = await startWorker();
    const hasher = { worker, streams: new Map(), nextId: 1 };
    hasher.fail = (reason) => {
      console.warn(`hubwasm: the checksum worker failed (${reason}); downloads are hashed with WebCrypto`);
      hasherReady = Promise.resolve(null);
      worker.terminate();
      for (const stream of hasher.streams.values()) stream.receive({ error: reason });
    };
    worker.onmessage = ({ data }) => {
      if (data.id === undefined) hasher.fail(data.error);
      else hasher.streams.get(data.id)?.receive(data);
    };
    worker.onerror = (event) => hasher.fail(event.message || 'the worker did not start');
    worker.postMessage({ module });
    return hasher;
  })().catch((error) => {
    console.warn(`hubwasm: no checksum worker (${error.message}); downloads are hashed with WebCrypto`);
    return null;
  });
  return hasherReady;
}

class Sha256Stream {
  #hasher;
  #id;
  #free = [];  // chunk buffers the worker gave back
  #inFlight = 0;
  #wake = null;  // resumes an update() waiting for a buffer to come back
  #failed = false;
  #result = null;  // the promise hex() returns
  #finish = null;  // resolves it

  constructor(hasher) {
    this.#hasher = hasher;
    this.#id = hasher.nextId++;
    hasher.streams.set(this.#id, this);
  }

  update(chunk) {
    if (this.#failed) return undefined;
    let buffer = this.#free.pop();
    if (!buffer || buffer.byteLength < chunk.length) buffer = new ArrayBuffer(Math.max(chunk.length, BODY_CHUNK_BYTES));
    new Uint8Array(buffer, 0, chunk.length).set(chunk);
    this.#hasher.worker.postMessage({ id: this.#id, chunk: buffer, length: chunk.length }, [buffer]);
    if (++this.#inFlight < MAX_IN_FLIGHT) return undefined;
    return this.#answered(new Promise((resolve) => { this.#wake = resolve; }));
  }

  hex() {
    this.#result ??= this.#answered(new Promise((resolve) => {
      this.#finish = resolve;
      if (this.#failed) resolve(null);
      else this.#hasher.worker.postMessage({ id: this.#id, end: true });
    }));
    return this.#result;
  }

  /** Forgets an abandoned download's hash. */
  cancel() {
    if (this.#result || this.#failed) return;
    this.#hasher.worker.postMessage({ id: this.#id, cancel: true });
    this.#hasher.streams.delete(this.#id);
  }

  /** A message of the worker for this stream. */
  receive(data) {
    if (data.returned) {
      this.#inFlight--;
      this.#free.push(data.returned);
    }
    if (data.error !== undefined) this.#failed = true;
    if (data.returned || this.#failed) {
      this.#wake?.();
      this.#wake = null;
    }
    if (data.hex !== undefined || this.#failed) {
      this.#hasher.streams.delete(this.#id);
      this.#finish?.(this.#failed ? null : data.hex);
    }
  }

  /** `answer`, unless the worker stays silent for env.fetchTimeoutMs: it is then given up. */
  async #answered(answer) {
    try {
      return await inTime(answer, 'no answer');  // answers never reject: only silence does
    } catch (error) {
      this.#hasher.fail(error.message);
      return answer;  // fail() has resolved it
    }
  }
}
