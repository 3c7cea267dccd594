// The Hub client against the local Hub server with injected faults: each
// case asserts the outcome, the requests made, and that the cache holds only
// complete, verified files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { AutoConfig, AutoModel, HubwasmError, env, pipeline } from 'hubwasm';
import { digestHex } from '../../js/src/platform/node.js';
import { startHubServer } from './hub_server.mjs';
import { modelDir } from './reference.mjs';

const MODEL = 'hubwasm-fixtures/micro-bert';
const WEIGHTS = 'hubwasm-fixtures/micro-bert/resolve/main/model.safetensors';
const weightsBytes = fs.readFileSync(path.join(modelDir('hubwasm-fixtures--micro-bert'), 'model.safetensors'));
let hub;
let cacheDir;

before(async () => {
  hub = await startHubServer();
  env.remoteHost = hub.url;
  env.retryDelayMs = 1;
  env.useFSCache = true;
  env.allowLocalModels = false;
});
beforeEach(() => {
  hub.setFaults([]);
  hub.requests.length = 0;
  env.fetchTimeoutMs = 30_000;
  env.accessToken = null;
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-cache-'));
  env.cacheDir = cacheDir;
});
after(() => hub.close());

/** Every file in the cache, as {relative path: bytes}. */
function cacheContents() {
  const out = {};
  for (const entry of fs.readdirSync(cacheDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(cacheDir, path.join(entry.parentPath ?? entry.path, entry.name))] = fs.readFileSync(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}
function assertCacheComplete() {
  const files = cacheContents();
  for (const [name, bytes] of Object.entries(files)) {
    assert.ok(!name.endsWith('.partial'), `partial file ${name} left behind`);
    if (name.endsWith('model.safetensors')) assert.ok(bytes.equals(weightsBytes), `${name} is not the complete file`);
  }
  return files;
}
// Downloads only: the Range requests that read safetensors headers first are not counted.
const requestsFor = (suffix, method = 'GET') => hub.requests.filter((r) => r.path.endsWith(suffix) && r.method === method && !r.range);

async function assertError(promise, code, pattern) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof HubwasmError);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a load is cached; the next load makes no download', async () => {
  const model = await AutoModel.from_pretrained(MODEL);
  await model.dispose();
  assert.equal(requestsFor('model.safetensors').length, 1);
  const files = assertCacheComplete();
  assert.ok(Object.keys(files).some((f) => f.endsWith('model.safetensors')));
  hub.requests.length = 0;
  const again = await AutoModel.from_pretrained(MODEL);
  await again.dispose();
  assert.equal(requestsFor('model.safetensors').length, 0);
});

test('404: HTTP_ERROR with URL and status, not retried', async () => {
  await assertError(AutoConfig.from_pretrained('hubwasm-fixtures/nope'), 'HTTP_ERROR', /nope\/resolve\/main\/config\.json failed with HTTP 404/);
  assert.equal(requestsFor('nope/resolve/main/config.json').length, 1);
});

test('401 and 403: the message says to accept the licence or pass a token; a token is sent as Bearer', async () => {
  hub.setFaults([{ match: 'micro-bert/', kind: 'auth', token: 'hf_secret' }]);
  await assertError(AutoConfig.from_pretrained(MODEL), 'HTTP_ERROR', /HTTP 401: the repo is private or gated; accept its licence .* access token/);
  assert.equal(requestsFor('config.json').length, 1);
  env.accessToken = 'hf_secret';
  assert.equal((await AutoConfig.from_pretrained(MODEL)).model_type, 'bert');
  hub.setFaults([{ match: 'config.json', kind: 'status:403' }]);
  await assertError(AutoConfig.from_pretrained(MODEL, { revision: 'other' }), 'HTTP_ERROR', /HTTP 403: the repo is private or gated/);
});

test('500 then success: retried with backoff', async () => {
  hub.setFaults([{ match: /model\.safetensors$/, kind: 'status:500', times: 2 }]);
  const model = await AutoModel.from_pretrained(MODEL);
  await model.dispose();
  assert.deepEqual(requestsFor('model.safetensors').map((r) => r.status), [500, 500, 200]);
  assertCacheComplete();
});

test('500 every time: gives up after env.maxRetries retries', async () => {
  hub.setFaults([{ match: /model\.safetensors$/, kind: 'status:503' }]);
  await assertError(AutoModel.from_pretrained(MODEL), 'HTTP_ERROR', /model\.safetensors failed with HTTP 503/);
  assert.equal(requestsFor('model.safetensors').length, 1 + env.maxRetries);
  assert.ok(!Object.keys(cacheContents()).some((f) => f.endsWith('model.safetensors')));
});

for (const kind of ['reset', 'truncate', 'bad-checksum']) {
  test(`${kind} mid-body once: retried, and only the complete file is cached`, async () => {
    hub.setFaults([{ match: WEIGHTS, kind, times: 1 }]);
    const model = await AutoModel.from_pretrained(MODEL);
    await model.dispose();
    assert.equal(requestsFor('model.safetensors').length, 2);
    assertCacheComplete();
  });

  test(`${kind} on every attempt: NETWORK_ERROR, nothing cached`, async () => {
    hub.setFaults([{ match: WEIGHTS, kind }]);
    await assertError(AutoModel.from_pretrained(MODEL), 'NETWORK_ERROR', /micro-bert\/resolve\/main\/model\.safetensors: /);
    assert.ok(!Object.keys(cacheContents()).some((f) => f.includes('model.safetensors')));
  });
}

test('a reset answer of known length, then one without Content-Length: the second is cached', async () => {
  // The first attempt streams into a cache entry and abandons it; the second, of unknown length, is put whole.
  hub.setFaults([{ match: WEIGHTS, kind: 'reset', times: 1 }, { match: WEIGHTS, kind: 'no-length', times: 1 }]);
  const model = await AutoModel.from_pretrained(MODEL);
  await model.dispose();
  assert.equal(requestsFor('model.safetensors').length, 2);
  assert.ok(Object.keys(assertCacheComplete()).some((f) => f.endsWith('model.safetensors')));
});

// Each checksum path: sha256 of an LFS file and git's blob sha1 of a small one, with the size known
// up front or only at the end (chunked).
for (const [file, match] of [['model.safetensors', WEIGHTS], ['config.json', /micro-bert\/resolve\/main\/config\.json$/]]) {
  for (const chunked of [false, true]) {
    test(`bad-checksum on ${file}${chunked ? ' without Content-Length' : ''}: retried once, then NETWORK_ERROR`, async () => {
      hub.setFaults([{ match, kind: 'bad-checksum', chunked, times: 1 }]);
      const model = await AutoModel.from_pretrained(MODEL);
      await model.dispose();
      assert.equal(requestsFor(file).length, 2);
      const cached = Object.entries(assertCacheComplete()).find(([name]) => name.endsWith(file));
      assert.ok(cached[1].equals(fs.readFileSync(path.join(modelDir('hubwasm-fixtures--micro-bert'), file))));
      env.cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-cache-'));  // a cold cache again
      hub.setFaults([{ match, kind: 'bad-checksum', chunked }]);
      await assertError(AutoModel.from_pretrained(MODEL), 'NETWORK_ERROR', new RegExp(`${file.replace('.', '\\.')}: `));
      assert.ok(!fs.readdirSync(env.cacheDir, { recursive: true }).some((f) => String(f).endsWith(file)));
    });
  }
}

test('files sent without Content-Length (chunked transfer, many chunks) arrive intact', async () => {
  hub.setFaults([{ match: /micro-bert\/resolve\/main\//, kind: 'no-length' }]);
  const model = await AutoModel.from_pretrained(MODEL);
  await model.dispose();
  assert.ok(weightsBytes.length > 4 * 65536, 'the weights span several chunks');
  assert.ok(requestsFor('model.safetensors').length === 1);
  const cached = Object.entries(assertCacheComplete()).find(([name]) => name.endsWith('model.safetensors'));
  assert.ok(cached[1].equals(weightsBytes));
});

test('slow first byte beyond the timeout: abandoned and retried', async () => {
  env.fetchTimeoutMs = 200;
  hub.setFaults([{ match: WEIGHTS, kind: 'slow-first-byte:3000', times: 1 }]);
  const start = Date.now();
  const model = await AutoModel.from_pretrained(MODEL);
  await model.dispose();
  // The slow answer would take 3 s; the load finishes soon after the 200 ms timeout.
  assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
  assertCacheComplete();
});

test('the checksum compared is the sha256 the Hub sends for LFS files', async () => {
  // bad-checksum keeps the ETag: the failure above can only come from hashing.
  const sha256 = createHash('sha256').update(weightsBytes).digest('hex');
  const head = await fetch(`${hub.url}${WEIGHTS}`, { method: 'HEAD' });
  assert.equal(head.headers.get('x-linked-etag').replaceAll('"', ''), sha256);
});

test('a file of 2 GiB or more is hashed too (Node hashes at most 2^31 - 1 bytes per update)', async () => {
  const size = 2 ** 31 + 3;  // zeros: the pages are never written, so little memory is used
  const expected = execFileSync('sh', ['-c', `head -c ${size} /dev/zero | openssl dgst -sha256 -r`], { encoding: 'utf8' }).split(' ')[0];
  assert.equal(await digestHex('SHA-256', new Uint8Array(size)), expected);
});

test('redirects to a CDN are followed', async () => {
  const redirecting = await startHubServer({ redirect: true });
  env.remoteHost = redirecting.url;
  try {
    const model = await AutoModel.from_pretrained(MODEL);
    await model.dispose();
    assert.ok(redirecting.requests.some((r) => r.path.startsWith('/cdn/') && r.status === 200));
  } finally {
    env.remoteHost = hub.url;
    await redirecting.close();
  }
});

test('revision and subfolder shape the URL; remotePathTemplate is honoured', async () => {
  await AutoConfig.from_pretrained(MODEL, { revision: 'v1.0' });
  assert.equal(requestsFor('/hubwasm-fixtures/micro-bert/resolve/v1.0/config.json').length, 1);
  await assertError(AutoConfig.from_pretrained(MODEL, { subfolder: 'onnx' }), 'HTTP_ERROR', /resolve\/main\/onnx\/config\.json/);
  const template = env.remotePathTemplate;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  try {
    assert.equal((await AutoConfig.from_pretrained(MODEL)).model_type, 'bert');
  } finally {
    env.remotePathTemplate = template;
  }
});

test('progress_callback gets transformers.js events for every file', async () => {
  const events = [];
  const extractor = await pipeline('feature-extraction', MODEL, { progress_callback: (e) => events.push(e) });
  await extractor.dispose();
  const files = new Set(events.filter((e) => e.status === 'initiate').map((e) => e.file));
  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) {
    assert.ok(files.has(file), file);
    assert.ok(events.some((e) => e.status === 'done' && e.file === file), `done ${file}`);
  }
  const progress = events.filter((e) => e.status === 'progress' && e.file === 'model.safetensors');
  assert.ok(progress.length > 0);
  const last = progress.at(-1);
  assert.equal(last.loaded, weightsBytes.length);
  assert.equal(last.total, weightsBytes.length);
  assert.equal(last.progress, 100);
  assert.equal(last.name, MODEL);
  assert.deepEqual(events.at(-1), { status: 'ready', task: 'feature-extraction', model: MODEL });
});

test('offline: env.localModelPath serves files, env.allowRemoteModels=false refuses the network', async () => {
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-local-'));
  fs.cpSync(modelDir('hubwasm-fixtures--micro-bert'), path.join(local, 'hubwasm-fixtures/micro-bert'), { recursive: true });
  env.allowLocalModels = true;
  env.localModelPath = local;
  env.allowRemoteModels = false;
  try {
    const model = await AutoModel.from_pretrained(MODEL);
    await model.dispose();
    assert.equal(hub.requests.length, 0);
    await assertError(AutoConfig.from_pretrained('hubwasm-fixtures/not-local'), 'NETWORK_ERROR', /env\.allowRemoteModels is false/);
  } finally {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    fs.rmSync(local, { recursive: true, force: true });
  }
});

test('downloads run in parallel, bounded by env.maxConcurrentDownloads', async () => {
  env.maxConcurrentDownloads = 1;
  hub.setFaults([{ match: /resolve\/main\/(model\.safetensors|tokenizer\.json)$/, kind: 'slow-first-byte:100' }]);
  try {
    const start = Date.now();
    const extractor = await pipeline('feature-extraction', MODEL);
    const serial = Date.now() - start;
    await extractor.dispose();
    assert.ok(serial >= 200, `one at a time should take >= 200 ms, took ${serial}`);
  } finally {
    env.maxConcurrentDownloads = 4;
  }
});
