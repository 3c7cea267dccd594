// Browser stand-ins for ./node.js, which bundlers use instead of it.
import { HubwasmError } from '../errors.js';
import { sha256Stream } from '../sha256_stream.js';

export async function readFileIfExists() {
  return null;
}

/**
 * An incremental hash of a download, or null. SHA-256 downloads (LFS files:
 * weights) are hashed in a worker as they arrive (sha256_stream.js).
 * WebCrypto, used for the others (SHA-1 git blobs, or when the worker cannot
 * start), hashes a copy of the whole file after the download: as much memory
 * again as the file, twice for a file in shared wasm memory (a copy out of
 * it first). README "Loads" has the measurements.
 */
export async function incrementalDigest(algorithm) {
  return sha256Stream(algorithm);
}

export async function digestHex(algorithm, bytes) {
  if (!globalThis.crypto?.subtle) return null;  // insecure context: size check only
  const data = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();  // not shared wasm memory
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, data));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether this context has synchronous file access: a dedicated worker (as
 * `pipeline(..., { worker: true })` runs in) with the Origin Private File
 * System. Weights converted while loading (q8, fp16) then go to a temporary
 * file the core reads one tensor at a time, as in Node; elsewhere (a page's
 * main thread) they stay in JavaScript memory (js/src/repo.js weightSink).
 */
export function hasSyncFiles() {
  return typeof FileSystemSyncAccessHandle !== 'undefined' && typeof navigator?.storage?.getDirectory === 'function';
}

const TEMPORARY_PREFIX = 'hubwasm-download-';

/** A failed OPFS call as a HubwasmError IO_ERROR naming the file (a full quota, mostly). */
function ioError(file, what, cause) {
  return new HubwasmError('IO_ERROR', `${file}: ${what} failed: ${cause.message}`, { cause });
}

/**
 * A temporary OPFS file holding one download, with the interface of Node's
 * DiskFile (platform/node.js) that download.js and repo.js use: a growable
 * Sink, synchronous `read` into wasm memory, and `discard`/`close`, which
 * remove it. Its sync access handle locks it, so a file of another live
 * worker cannot be removed by the sweep in createDiskFile.
 */
class OpfsFile {
  growable = true;

  constructor(directory, name, handle, of) {
    this.directory = directory;
    this.name = name;
    this.handle = handle;
    this.of = of;  // the URL it holds
    this.size = 0;
  }

  get label() { return `${this.of}: temporary file ${this.name} (origin private file system)`; }

  allocate(size) {
    try {
      this.handle.truncate(size);
    } catch (error) {
      throw ioError(this.label, `reserving ${size} bytes`, error);
    }
    this.size = size;
  }

  write(chunk, offset) {
    try {
      for (let done = 0; done < chunk.length;) {
        const n = this.handle.write(chunk.subarray(done), { at: offset + done });
        if (n === 0) throw new Error('no bytes written');
        done += n;
      }
    } catch (error) {
      throw ioError(this.label, `writing ${chunk.length} bytes at ${offset}`, error);
    }
    this.size = Math.max(this.size, offset + chunk.length);
  }

  /** The whole file read back: only for a checksum that cannot be computed as chunks arrive. */
  view() {
    const bytes = new Uint8Array(this.size);
    this.read(0, this.size, bytes, 0);
    return bytes;
  }

  /** Copies `length` bytes from `offset` to `target[address..]` (wasm memory, shared or not). */
  read(offset, length, target, address) {
    for (let done = 0; done < length;) {
      const n = this.handle.read(target.subarray(address + done, address + length), { at: offset + done });
      if (n === 0) throw new HubwasmError('INVALID_FILE', `${this.label}: ends at byte ${offset + done}, short of its ${this.size} bytes`);
      done += n;
    }
  }

  /** Not a cache entry: browsers cache through the Cache API (cache.js). */
  keep() {}

  unlink() {}

  /** Closes and removes the file: it only ever holds one load's download. */
  close() {
    if (!this.handle) return;
    this.handle.close();
    this.handle = null;
    this.directory.removeEntry(this.name).catch(() => {});  // a file left behind goes with the next sweep
  }

  discard() {
    this.close();
  }
}

let temporaryFiles = 0;
let sweep = null;
const ABANDONED_AFTER_MS = 60_000;  // younger files may still be getting their lock in another worker

/** Removes temporary files that a closed tab or worker left behind; those in use are locked and stay. */
async function removeAbandonedFiles(directory) {
  for await (const name of directory.keys()) {
    const created = Number(name.startsWith(TEMPORARY_PREFIX) && name.slice(TEMPORARY_PREFIX.length).split('-')[0]);
    if (created > 0 && Date.now() - created > ABANDONED_AFTER_MS) await directory.removeEntry(name).catch(() => {});
  }
}

/** A new temporary OPFS file for a download of `url` (hasSyncFiles() contexts only). */
export async function createDiskFile(url) {
  const name = `${TEMPORARY_PREFIX}${Date.now()}-${Math.random().toString(36).slice(2)}-${++temporaryFiles}`;
  try {
    const directory = await navigator.storage.getDirectory();
    await (sweep ??= removeAbandonedFiles(directory).catch(() => {}));  // once per worker
    const file = await directory.getFileHandle(name, { create: true });
    const handle = await file.createSyncAccessHandle();
    if (typeof handle.getSize() !== 'number') {  // Chromium 102-107: the "sync" handle answered with promises
      await handle.close();
      await directory.removeEntry(name);
      throw new Error('this browser\'s file access handles are not synchronous');
    }
    return new OpfsFile(directory, name, handle, url);
  } catch (error) {
    throw ioError(`${url}: temporary file ${name}`, 'creating it in the origin private file system', error);
  }
}

/**
 * A temporary OPFS file for a download of `url`, sized to `size` bytes when
 * known, or `sink` (JavaScript memory) where the origin private file system
 * is unusable (private browsing modes refuse it) or too full for the file:
 * the load then goes on as on a page.
 */
export async function temporaryFileOr(sink, url, size) {
  let file = null;
  try {
    file = await createDiskFile(url);
    if (size !== null) file.allocate(size);
    return file;
  } catch (error) {
    file?.discard();
    console.warn(`hubwasm: ${url} stays in memory while loading: ${error.message}`);
    return sink;
  }
}

export async function readFileInto() {
  return false;
}

export async function folderCache() {
  return null;
}

export async function cpuCount() {
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

export async function loadNodeThreadedBuild() {
  throw new Error('loadNodeThreadedBuild is for Node only');
}
