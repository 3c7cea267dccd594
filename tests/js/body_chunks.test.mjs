// bodyChunks: every byte in order, from a byte stream (read into a reused
// buffer) and from a plain stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyChunks } from '../../js/src/body_chunks.js';

const PARTS = [5, 70_000, 1, 3_000_000, 17].map((n, i) => Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) & 255));
const EXPECTED = Buffer.concat(PARTS);

async function collect(stream) {
  const copies = [];
  for await (const chunk of bodyChunks(stream)) copies.push(Buffer.from(chunk));  // a copy: the buffer is reused
  return { bytes: Buffer.concat(copies), largest: Math.max(...copies.map((c) => c.length)) };
}

test('a byte stream (BYOB) gives every byte in order, in chunks no larger than the scratch buffer', async () => {
  let next = 0;
  const stream = new ReadableStream({
    type: 'bytes',
    pull(controller) {
      if (next === PARTS.length) {
        controller.close();
        return controller.byobRequest?.respond(0);  // ends the pending BYOB read
      }
      controller.enqueue(PARTS[next++].slice());
    },
  });
  const { bytes, largest } = await collect(stream);
  assert.ok(EXPECTED.equals(bytes));
  assert.ok(largest <= 1 << 20, `a chunk of ${largest} bytes`);
});

test('a plain stream gives every byte in order', async () => {
  let next = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (next === PARTS.length) return controller.close();
      controller.enqueue(PARTS[next++].slice());
    },
  });
  assert.ok(EXPECTED.equals((await collect(stream)).bytes));
});
