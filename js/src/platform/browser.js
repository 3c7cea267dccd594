// Browser stand-ins for ./node.js, which bundlers use instead of it.

export async function readFileIfExists() {
  return null;
}

// WebCrypto hashes a whole buffer: SHA-1 files, or all when the hashing worker (sha256_stream.js) cannot run.
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
