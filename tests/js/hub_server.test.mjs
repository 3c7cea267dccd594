// Checks the local Hub stand-in (hub_server.mjs) against the shared model folders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { defaultRoot, startHubServer } from './hub_server.mjs';

const REPO = 'hubwasm-fixtures/micro-bert';
const localFile = (name) => path.join(defaultRoot, REPO.replace('/', '--'), name);
const weights = fs.readFileSync(localFile('model.safetensors'));
const weightsSha256 = createHash('sha256').update(weights).digest('hex');

/** Fetches and reads the whole body; rejects if the transfer breaks. */
async function get(url, init) {
  const res = await fetch(url, init);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('hub server', () => {
  let hub;
  const resolveUrl = (file, revision = 'main') => `${hub.url}${REPO}/resolve/${revision}/${file}`;
  before(async () => { hub = await startHubServer(); });
  after(() => hub.close());
  afterEach(() => hub.setFaults([]));

  test('listens on 127.0.0.1', () => {
    assert.match(hub.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(hub.url, `http://127.0.0.1:${hub.port}/`);
  });

  test('serves an LFS file with its sha256 as ETag and X-Linked-*', async () => {
    const { res, body } = await get(resolveUrl('model.safetensors'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), `"${weightsSha256}"`);
    assert.equal(res.headers.get('x-linked-etag'), `"${weightsSha256}"`);
    assert.equal(res.headers.get('x-linked-size'), String(weights.length));
    assert.equal(res.headers.get('content-length'), String(weights.length));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-expose-headers'), /ETag.*X-Linked-Etag.*X-Linked-Size/);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(res.headers.get('x-repo-commit'), /^[0-9a-f]{40}$/);
    assert.ok(body.equals(weights));
    assert.deepEqual(hub.requests.at(-1),
      { method: 'GET', path: `/${REPO}/resolve/main/model.safetensors`, status: 200 });
  });

  test('serves other files with their git blob id as ETag, for any revision', async () => {
    const blobId = execFileSync('git', ['hash-object', localFile('config.json')], { encoding: 'utf8' }).trim();
    const { res, body } = await get(resolveUrl('config.json', 'a1b2c3d'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), `"${blobId}"`);
    assert.equal(res.headers.get('x-linked-etag'), null);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok(body.equals(fs.readFileSync(localFile('config.json'))));
  });

  test('answers HEAD with the headers only', async () => {
    const { res, body } = await get(resolveUrl('model.safetensors'), { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(weights.length));
    assert.equal(res.headers.get('x-linked-etag'), `"${weightsSha256}"`);
    assert.equal(body.length, 0);
  });

  test('serves byte ranges', async () => {
    let { res, body } = await get(resolveUrl('model.safetensors'), { headers: { Range: 'bytes=8-19' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 8-19/${weights.length}`);
    assert.equal(res.headers.get('content-length'), '12');
    assert.ok(body.equals(weights.subarray(8, 20)));

    ({ res, body } = await get(resolveUrl('model.safetensors'), { headers: { Range: 'bytes=-5' } }));
    assert.equal(res.status, 206);
    assert.ok(body.equals(weights.subarray(-5)));

    ({ res } = await get(resolveUrl('model.safetensors'), { headers: { Range: `bytes=${weights.length}-` } }));
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${weights.length}`);
  });

  test('answers 404 with the Hub error codes', async () => {
    let { res } = await get(resolveUrl('no-such-file.bin'));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-error-code'), 'EntryNotFound');

    ({ res } = await get(`${hub.url}hubwasm-fixtures/no-such-model/resolve/main/config.json`));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-error-code'), 'RepositoryNotFound');

    ({ res } = await get(resolveUrl('onnx')));  // a folder is no entry
    assert.equal(res.headers.get('x-error-code'), 'EntryNotFound');
    ({ res } = await get(resolveUrl('..%2F..%2FMANIFEST.md')));  // nothing outside the repo
    assert.equal(res.headers.get('x-error-code'), 'EntryNotFound');
  });

  test('fault status:<code> answers that status for `times` requests', async () => {
    hub.setFaults([{ match: 'config.json', kind: 'status:500', times: 1 }]);
    const { res, body } = await get(resolveUrl('config.json'));
    assert.equal(res.status, 500);
    assert.ok(JSON.parse(body).error);
    assert.equal((await get(resolveUrl('config.json'))).res.status, 200);
    assert.equal((await get(resolveUrl('vocab.txt'))).res.status, 200);
  });

  test('faults skip Range requests unless `ranged`; the log records the range', async () => {
    const range = { headers: { Range: 'bytes=0-7' } };
    hub.setFaults([{ match: 'model.safetensors', kind: 'status:500', times: 1 }]);
    assert.equal((await get(resolveUrl('model.safetensors'), range)).res.status, 206);
    assert.equal((await get(resolveUrl('model.safetensors'))).res.status, 500);
    hub.setFaults([{ match: 'model.safetensors', kind: 'status:500', times: 1, ranged: true }]);
    assert.equal((await get(resolveUrl('model.safetensors'), range)).res.status, 500);
    assert.deepEqual(hub.requests.slice(-3).map((r) => [r.status, r.range]), [[206, 'bytes=0-7'], [500, undefined], [500, 'bytes=0-7']]);
    hub.setFaults([]);
  });

  test('fault auth requires the bearer token', async () => {
    hub.setFaults([{ match: /\/model\.safetensors$/, kind: 'auth', token: 'hf_test' }]);
    assert.equal((await get(resolveUrl('model.safetensors'))).res.status, 401);
    const wrong = { headers: { Authorization: 'Bearer nope' } };
    assert.equal((await get(resolveUrl('model.safetensors'), wrong)).res.status, 401);
    const { res, body } = await get(resolveUrl('model.safetensors'), { headers: { Authorization: 'Bearer hf_test' } });
    assert.equal(res.status, 200);
    assert.ok(body.equals(weights));
  });

  test('fault slow-first-byte delays the response', async () => {
    hub.setFaults([{ match: 'config.json', kind: 'slow-first-byte:300' }]);
    const t0 = performance.now();
    const { res } = await get(resolveUrl('config.json'));
    assert.equal(res.status, 200);
    assert.ok(performance.now() - t0 >= 290, 'answered too early');
  });

  for (const kind of ['reset', 'truncate']) {
    test(`fault ${kind} breaks the transfer half way`, async () => {
      hub.setFaults([{ match: 'model.safetensors', kind, times: 1 }]);
      await assert.rejects(get(resolveUrl('model.safetensors')));
      assert.ok((await get(resolveUrl('model.safetensors'))).body.equals(weights));
    });
  }

  test('fault bad-checksum flips one byte and keeps the ETag', async () => {
    hub.setFaults([{ match: 'model.safetensors', kind: 'bad-checksum' }]);
    const { res, body } = await get(resolveUrl('model.safetensors'));
    assert.equal(res.headers.get('etag'), `"${weightsSha256}"`);
    assert.equal(body.length, weights.length);
    assert.equal(body.filter((byte, i) => byte !== weights[i]).length, 1);
  });

  test('rejects unknown fault kinds', () => {
    assert.throws(() => hub.setFaults([{ match: 'x', kind: 'explode' }]), /unknown fault kind/);
  });
});

describe('hub server in redirect mode', () => {
  let hub;
  before(async () => { hub = await startHubServer({ redirect: true }); });
  after(() => hub.close());

  test('redirects LFS files to /cdn/ and serves the bytes there', async () => {
    const url = `${hub.url}${REPO}/resolve/main/model.safetensors`;
    const { res: redirect } = await get(url, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/cdn/hubwasm-fixtures--micro-bert/model.safetensors');
    assert.equal(redirect.headers.get('x-linked-etag'), `"${weightsSha256}"`);
    assert.equal(redirect.headers.get('x-linked-size'), String(weights.length));

    // Body faults skip the redirect and hit the CDN response.
    hub.setFaults([{ match: 'model.safetensors', kind: 'truncate', times: 1 }]);
    await assert.rejects(get(url));
    const { res, body } = await get(url);
    assert.equal(res.status, 200);
    assert.equal(res.url, `${hub.url}cdn/hubwasm-fixtures--micro-bert/model.safetensors`);
    assert.equal(res.headers.get('etag'), `"${weightsSha256}"`);
    assert.ok(body.equals(weights));
    assert.deepEqual(hub.requests.slice(-4).map((r) => r.status), [302, 200, 302, 200]);
  });

  test('serves other files directly', async () => {
    const { res } = await get(`${hub.url}${REPO}/resolve/main/config.json`, { redirect: 'manual' });
    assert.equal(res.status, 200);
  });
});
