/** Size of the buffer a byte stream is read into: the largest chunk bodyChunks gives. */
export const BODY_CHUNK_BYTES = 1 << 20;

/**
 * The chunks of a response body, in order. A byte stream (fetch bodies in
 * Chromium and Node, Cache API bodies) is read into one reused buffer (a BYOB
 * reader): the default reader allocates a buffer per chunk, and Chromium
 * frees them late, so a large download held hundreds of MiB of garbage.
 * Other streams are read with the default reader. A chunk is a view of a buffer the next read
 * reuses: consume it before asking for the next. A caller that stops early
 * cancels the body (its connection is not left open).
 */
export async function* bodyChunks(body) {
  let byob = null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = null;  // not a byte stream
  }
  const reader = byob ?? body.getReader();
  let done = false;
  try {
    if (!byob) {
      for (let r = await reader.read(); !(done = r.done); r = await reader.read()) yield r.value;
      return;
    }
    let scratch = new ArrayBuffer(BODY_CHUNK_BYTES);
    for (;;) {
      const r = await reader.read(new Uint8Array(scratch));
      if ((done = r.done)) return;
      yield r.value;
      scratch = r.value.buffer;  // the read transferred the buffer to `value`
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}
