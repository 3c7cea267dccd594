// Browser stand-ins for ./node.js, which bundlers use instead of it.
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

// No synchronous file access in browsers: weights stay in JavaScript memory (js/src/repo.js weightSink).
export async function createDiskFile() {
  throw new Error('createDiskFile is for Node only');
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
