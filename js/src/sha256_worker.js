// The worker of js/src/sha256_stream.js: SHA-256 of downloads, chunk by chunk,
// in libmd's hash compiled to WebAssembly (wasm/sha256.c). Several streams at
// once, each by id. Messages, in order:
//   {module}                      the compiled sha256.wasm (first)
//   {id, chunk, length}           hash `length` bytes of ArrayBuffer `chunk`; the buffer goes back as {id, returned}
//   {id, end: true}               answers {id, hex}
//   {id, cancel: true}            forgets the stream
// A failure answers {id, error} (no id: the worker is unusable); the stream's
// chunks still on their way then only go back.
const SCRATCH_BYTES = 1 << 20;
let hasher = null;
let scratch = 0;  // address of SCRATCH_BYTES in the module's memory
const contexts = new Map();  // id -> address of its SHA2_CTX
const failed = new Set();

function context(id) {
  if (!contexts.has(id)) {
    const address = hasher.sha256_new();
    if (!address) throw new Error('sha256.wasm is out of memory');
    contexts.set(id, address);
  }
  return contexts.get(id);
}

function forget(id) {
  if (contexts.has(id)) hasher.sha256_free(contexts.get(id));
  contexts.delete(id);
}

function hash(id, bytes) {
  const address = context(id);
  for (let offset = 0; offset < bytes.length; offset += SCRATCH_BYTES) {
    const piece = bytes.subarray(offset, offset + SCRATCH_BYTES);
    new Uint8Array(hasher.memory.buffer, scratch, piece.length).set(piece);
    hasher.sha256_update(address, scratch, piece.length);
  }
}

function digest(id) {
  const address = context(id);
  contexts.delete(id);
  hasher.sha256_finish(address, scratch);  // frees the context
  return Array.from(new Uint8Array(hasher.memory.buffer, scratch, 32), (b) => b.toString(16).padStart(2, '0')).join('');
}

function handle(data) {
  if (data.module) {
    hasher = new WebAssembly.Instance(data.module, {}).exports;
    hasher._initialize();
    scratch = hasher.malloc(SCRATCH_BYTES);
    if (!scratch) throw new Error('sha256.wasm is out of memory');
    return;
  }
  const { id } = data;
  if (data.chunk) {
    try {
      if (!failed.has(id)) hash(id, new Uint8Array(data.chunk, 0, data.length));
    } finally {
      self.postMessage({ id, returned: data.chunk }, [data.chunk]);
    }
  } else if (data.end) {
    self.postMessage({ id, hex: digest(id) });
  } else if (data.cancel) {
    forget(id);
  }
}

self.onmessage = ({ data }) => {
  try {
    handle(data);
  } catch (error) {
    if (data.id !== undefined) {
      failed.add(data.id);
      forget(data.id);
    }
    self.postMessage({ id: data.id, error: String(error?.message ?? error) });
  }
};
