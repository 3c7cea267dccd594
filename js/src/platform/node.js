// Node-only services. Bundlers swap this file for ./browser.js (package.json
// "browser" field), so no node: module reaches a browser bundle; unbundled
// browsers load it but never call it (callers check IS_NODE first).
import { HubwasmError } from '../errors.js';

/** Bytes of a file, or null when it does not exist. */
export async function readFileIfExists(pathOrUrl) {
  const fs = await import('node:fs/promises');
  try {
    return await fs.readFile(pathOrUrl);
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

// Node's Hash.update() refuses more than 2^31 - 1 bytes at once ("data is
// too long"), and weight files reach 2.2 GB (TinyLlama-1.1B).
const HASH_CHUNK = 2 ** 30;

/**
 * An incremental digest ('SHA-256' or 'SHA-1'): update(bytes) as a download
 * arrives, then hex(). Hashing each chunk as it comes spares a second pass
 * over the whole file after it.
 */
export async function incrementalDigest(algorithm) {
  const { createHash } = await import('node:crypto');
  const hash = createHash(algorithm === 'SHA-256' ? 'sha256' : 'sha1');
  return {
    update(bytes) {
      for (let i = 0; i < bytes.length; i += HASH_CHUNK) hash.update(bytes.subarray(i, i + HASH_CHUNK));
    },
    hex: () => hash.digest('hex'),
  };
}

/** Hex digest ('SHA-256' or 'SHA-1') of bytes. */
export async function digestHex(algorithm, bytes) {
  const digest = await incrementalDigest(algorithm);
  digest.update(bytes);
  return digest.hex();
}

/**
 * A file on disk that a sink keeps instead of its bytes (weights the core
 * reads one tensor at a time, js/src/repo.js): an existing file (a local
 * model, a cache entry) or a download being written. It is a Sink itself
 * (download.js): positional writes, growing as chunks arrive when the size
 * is not known in advance (`growable`). `read` copies bytes into a typed
 * array (wasm memory) synchronously, as the core asks for them.
 */
/** A failed file-system call as a HubwasmError IO_ERROR naming the file (not retried, unlike network faults). */
function ioError(file, what, cause) {
  return new HubwasmError('IO_ERROR', `${file}: ${what} failed: ${cause.message}`, { cause });
}

class DiskFile {
  growable = true;

  constructor(fs, fd, size, name = null, partial = null) {
    this.fs = fs;
    this.fd = fd;
    this.size = size;
    this.name = name;  // its path; null for an anonymous file
    this.partial = partial;  // while written: its path until keep() renames it to `name`
  }

  /** The file's path for messages. */
  get label() { return this.partial ?? this.name ?? 'a temporary download file'; }

  allocate(size) {
    try {
      this.fs.ftruncateSync(this.fd, size);  // reserves the size up front
    } catch (error) {
      throw ioError(this.label, `reserving ${size} bytes`, error);
    }
    this.size = size;
  }

  write(chunk, offset) {
    try {
      for (let done = 0; done < chunk.length;) done += this.fs.writeSync(this.fd, chunk, done, chunk.length - done, offset + done);
    } catch (error) {
      throw ioError(this.label, `writing ${chunk.length} bytes at ${offset}`, error);
    }
    this.size = Math.max(this.size, offset + chunk.length);
  }

  /** write(), without blocking the event loop (a cache entry written while its download arrives). */
  async writeAsync(chunk, offset) {
    const write = (done) => new Promise((resolve, reject) => {
      this.fs.write(this.fd, chunk, done, chunk.length - done, offset + done, (error, n) => (error ? reject(error) : resolve(n)));
    });
    try {
      for (let done = 0; done < chunk.length;) done += await write(done);
    } catch (error) {
      throw ioError(this.label, `writing ${chunk.length} bytes at ${offset}`, error);
    }
    this.size = Math.max(this.size, offset + chunk.length);
  }

  /** The whole file read back: only for a checksum that cannot be computed as chunks arrive. */
  view() {
    const bytes = Buffer.allocUnsafe(this.size);
    this.read(0, this.size, bytes, 0);
    return bytes;
  }

  /** Copies `length` bytes from `offset` to `target[address..]` (`target`: e.g. native.HEAPU8, shared or not). */
  read(offset, length, target, address) {
    for (let done = 0; done < length;) {
      const n = this.fs.readSync(this.fd, target, address + done, length - done, offset + done);
      if (n === 0) {
        throw new HubwasmError('INVALID_FILE', `${this.name ?? 'a downloaded weight file'}: ends at byte ${offset + done}, short of its ${this.size} bytes (changed on disk while loading?)`);
      }
      done += n;
    }
  }

  /** Makes a verified download the cache entry (the fd stays valid across the rename). */
  keep() {
    if (!this.partial) return;
    try {
      this.fs.renameSync(this.partial, this.name);
    } catch (error) {
      throw ioError(this.partial, `renaming to ${this.name}`, error);
    }
    this.partial = null;
  }

  /** Removes a download's partial path: the open file keeps its bytes until closed. */
  unlink() {
    if (this.partial) this.fs.rmSync(this.partial, { force: true });
    this.partial = null;
    this.name = null;
  }

  close() {
    if (this.fd === null) return;
    this.fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Closes the file and removes it if it was not kept. */
  discard() {
    this.close();
    this.unlink();
  }
}

/** Whether process `pid` still runs (EPERM: it does, as another user). */
function processRuns(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Removes partial downloads of `entry` left by processes that died before
 * finishing them (killed mid-download: no finally block ran).
 */
function removeAbandonedPartials(fs, path, entry) {
  const prefix = `${path.basename(entry)}.`;
  let names;
  try {
    names = fs.readdirSync(path.dirname(entry));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.startsWith(prefix) && name.endsWith('.partial') && name.slice(prefix.length).split('.')[0]);
    if (pid > 0 && pid !== process.pid && !processRuns(pid)) fs.rmSync(path.join(path.dirname(entry), name), { force: true });
  }
}

let partials = 0;
/**
 * A new empty file for a download: `entry`.<pid>.<unique>.partial, renamed
 * to `entry` by keep(); without `entry`, an anonymous file in os.tmpdir(),
 * unlinked at once, that disappears when closed.
 */
export async function createDiskFile(entry = null) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const os = await import('node:os');
  const partial = `${entry ?? path.join(os.tmpdir(), 'hubwasm-download')}.${process.pid}.${Date.now()}.${++partials}.partial`;
  try {
    if (entry) {
      fs.mkdirSync(path.dirname(entry), { recursive: true });
      removeAbandonedPartials(fs, path, entry);
    }
    const fd = fs.openSync(partial, 'wx+');
    if (entry) return new DiskFile(fs, fd, 0, entry, partial);
    fs.unlinkSync(partial);
    return new DiskFile(fs, fd, 0);
  } catch (error) {
    throw ioError(partial, 'creating the download file', error);
  }
}

/**
 * Puts the file at `pathOrUrl` into `sink`: open, when the sink keeps files
 * on disk (`sink.wantsFile(size)`, then `sink.adoptFile(file)`, which closes
 * it later), else as bytes copied in. False when the file does not exist.
 */
export async function readFileInto(pathOrUrl, sink) {
  const fs = await import('node:fs');
  let fd;
  try {
    fd = fs.openSync(pathOrUrl, 'r');
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
  const file = new DiskFile(fs, fd, fs.fstatSync(fd).size, String(pathOrUrl));
  try {
    if (sink.wantsFile?.(file.size)) {
      sink.adoptFile(file);
      return true;
    }
    sink.allocate(file.size);
    const chunk = Buffer.allocUnsafe(Math.min(file.size, 1 << 20));
    for (let offset = 0; offset < file.size; offset += chunk.length) {
      const n = Math.min(chunk.length, file.size - offset);
      file.read(offset, n, chunk, 0);
      sink.write(chunk.subarray(0, n), offset);
    }
  } catch (error) {
    file.close();
    throw error;
  }
  file.close();
  return true;
}

/**
 * A folder cache: <root>/<host>/<model>/resolve/<revision>/<file>. An entry
 * appears by an atomic rename, so an interrupted write leaves nothing behind.
 */
export async function folderCache(root) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  // new URL() has already removed any '..' from the path.
  const fileFor = (url) => {
    const u = new URL(url);
    return path.join(root, u.host.replace(':', '_'), decodeURIComponent(u.pathname));
  };
  const create = (url) => createDiskFile(fileFor(url));
  /**
   * A CacheEntry (cache.js): a partial file written as the download arrives,
   * which commit() renames into place. A failed write (a full disk) removes
   * it and ends the entry; commit() then throws its error.
   */
  const entry = async (url) => {
    const file = await create(url);
    let offset = 0;
    let failure = null;
    return {
      async write(bytes) {
        if (failure) return;
        try {
          await file.writeAsync(bytes, offset);
          offset += bytes.length;
        } catch (error) {
          failure = error;
          file.discard();
        }
      },
      async commit() {
        if (failure) throw failure;
        try {
          file.keep();
        } finally {
          file.discard();
        }
      },
      abort() { file.discard(); },
    };
  };
  return {
    /** {size, readInto(sink)} or null; readInto resolves true (the browser cache's may say false: cache.js). */
    async match(url) {
      const file = fileFor(url);
      let stat;
      try {
        stat = await fs.promises.stat(file);
      } catch {
        return null;
      }
      if (!stat.isFile()) return null;
      return {
        size: stat.size,
        async readInto(sink) {
          if (!(await readFileInto(file, sink))) throw new HubwasmError('IO_ERROR', `${file} vanished from the cache while reading`);
          return true;
        },
      };
    },
    /** A new entry to write a download into: a DiskFile, which keep() makes the entry. */
    create,
    entry,
    /**
     * A download of unknown length, whole, in one synchronous write: `bytes`
     * may view wasm memory, which an await could let another load move.
     */
    async put(url, bytes) {
      const file = await create(url);
      try {
        file.write(bytes, 0);
        file.keep();
      } finally {
        file.discard();
      }
    },
  };
}

/** Logical CPUs, for the default thread count. */
export async function cpuCount() {
  const os = await import('node:os');
  return os.availableParallelism?.() ?? os.cpus().length;
}

/**
 * The pthreads build's Node flavour (CommonJS: Node's worker_threads need
 * require(), which the ES module glue lacks), instantiated with `options`.
 * Its worker script is shipped as .cjs because the package is "type": "module".
 */
export async function loadNodeThreadedBuild({ locateFile, ...options }) {
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  const dist = new URL('../../dist/', import.meta.url);
  const create = createRequire(import.meta.url)(fileURLToPath(new URL('hubwasm-mt-node.cjs', dist)));
  // One .wasm serves both flavours; the glue would fetch() a path (toolchain.md P3).
  const wasm = locateFile ? new URL(locateFile('hubwasm-mt.wasm')) : new URL('hubwasm-mt.wasm', dist);
  const wasmBinary = await readFileIfExists(wasm);
  if (!wasmBinary) throw new Error(`${fileURLToPath(wasm)} is missing: build it with \`make wasm-mt\``);
  const native = await create({
    ...options,
    wasmBinary,
    locateFile: (file) => fileURLToPath(new URL(file.endsWith('.worker.js') ? 'hubwasm-mt-node.worker.cjs' : file, dist)),
  });
  native.unrefPthreadWorkers();
  return native;
}
