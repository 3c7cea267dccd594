// bodyChunks: every byte in order, from a byte stream (read into one reused
// buffer) and from a plain stream; a caller that stops early cancels the body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BODY_CHUNK_BYTES, bodyChunks } from '../../js/src/body_chunks.js';

const PARTS = [5, 70_000, 1, 3_000_000, 17].map((n, i) => Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) & 255));
const EXPECTED = Buffer.concat(PARTS);

/** A stream of PARTS; `cancelled` tells whether its reader cancelled it. */
function partsStream(type) {
  let next = 0;
  const state = { cancelled: false };
  state.stream = new ReadableStream({
    type,
    pull(controller) {
      if (next < PARTS.length) return controller.enqueue(PARTS[next++].slice());
      controller.close();
      return controller.byobRequest?.respond(0);  // ends a pending BYOB read
    },
    cancel() { state.cancelled = true; },
  });
  return state;
}

async function collect(stream) {
  const copies = [];
  const buffers = new Set();
  for await (const chunk of bodyChunks(stream)) {
    copies.push(Buffer.from(chunk));  // a copy: the buffer is reused
    buffers.add(chunk.buffer.byteLength);
  }
  return { bytes: Buffer.concat(copies), buffers };
}

test('a byte stream gives every byte in order, read into a buffer of BODY_CHUNK_BYTES (BYOB)', async () => {
  const { bytes, buffers } = await collect(partsStream('bytes').stream);
  assert.ok(EXPECTED.equals(bytes));
  assert.deepEqual([...buffers], [BODY_CHUNK_BYTES]);
});

test('a plain stream gives every byte in order', async () => {
  const { bytes } = await collect(partsStream(undefined).stream);
  assert.ok(EXPECTED.equals(bytes));
});

for (const type of ['bytes', undefined]) {
  test(`a caller that stops early cancels the ${type ? 'byte' : 'plain'} stream`, async () => {
    const state = partsStream(type);
    for await (const chunk of bodyChunks(state.stream)) {
      assert.ok(chunk.length > 0);
      break;
    }
    assert.equal(state.cancelled, true);
  });
}
