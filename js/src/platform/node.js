// Node-only services. Bundlers swap this file for ./browser.js (package.json
// "browser" field), so no node: module reaches a browser bundle; unbundled
// browsers load it but never call it (callers check IS_NODE first).

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
  return {
    /** {size, readInto(sink)} or null. */
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
