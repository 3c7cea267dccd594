// A chunk is a view of a buffer the next read reuses: consume it before asking for the next.
const SCRATCH_BYTES = 1 << 20;

/**
 * The chunks of a response body, in order. A byte stream (fetch bodies in
 * Chromium and Node, Cache API bodies) is read into one reused buffer (a BYOB
 * reader): the default reader allocates a buffer per chunk, and Chromium
 * frees them late. Reading a 475 MiB download that way peaked at 986 MiB of
 * renderer memory, 605 MiB with BYOB (same speed). Other streams are read
 * with the default reader.
 */
export async function* bodyChunks(body) {
  let reader = null;
  try {
    reader = body.getReader({ mode: 'byob' });
  } catch {
    reader = null;  // not a byte stream
  }
  if (!reader) {
    const plain = body.getReader();
    for (let r = await plain.read(); !r.done; r = await plain.read()) yield r.value;
    return;
  }
  let scratch = new ArrayBuffer(SCRATCH_BYTES);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(scratch));
    if (done) return;
    yield value;
    scratch = value.buffer;  // the read transferred the buffer to `value`
  }
}
