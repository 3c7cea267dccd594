// In Node a q8 / fp16 load keeps its weight files on disk (js/src/repo.js
// weightSink, platform/node.js DiskFile): downloads stream into the cache's
// partial entry, or into an anonymous temporary file when the cache is off.
// Against the local Hub server with injected faults, each case asserts the
// outcome, what the cache folder holds, that no temporary file remains, and
// that no weight file is left open, whether the load succeeds or fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, beforeEach, test } from 'node:test';
import { AutoModelForCausalLM, HubwasmError, env } from 'hubwasm';
import { getFile } from '../../js/src/download.js';
import { startHubServer } from './hub_server.mjs';
import { openWeightFiles as openWeightFilesExcept } from './open_files.mjs';
import { modelDir } from './reference.mjs';

const MODEL = 'hubwasm-fixtures/micro-llama';
const WEIGHTS = 'hubwasm-fixtures/micro-llama/resolve/main/model.safetensors';
const source = modelDir('hubwasm-fixtures--micro-llama');
const weightsBytes = fs.readFileSync(path.join(source, 'model.safetensors'));
const INPUT = { input_ids: [[1, 5, 9, 42, 7]] };
let hub;
let reference;  // logits of a q8 load from a local folder
const cacheDirs = [];
/** A new, empty cache folder, removed after the tests. */
function freshCacheDir() {
  cacheDirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-cache-')));
  return cacheDirs.at(-1);
}

// The Hub server runs in this process and may still be closing a stream of its own files.
const openWeightFiles = () => openWeightFilesExcept(fs.realpathSync(source));
/** Download temporaries of this process in os.tmpdir() (unlinked as soon as created). */
const temporaries = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`hubwasm-download.${process.pid}.`));
/** Files under the cache folder that hold (part of) model.safetensors. */
const cachedWeights = () => fs.readdirSync(env.cacheDir, { recursive: true }).map(String).filter((f) => f.includes('model.safetensors'));
const weightGets = () => hub.requests.filter((r) => r.path.endsWith('model.safetensors') && r.method === 'GET' && !r.range).length;

async function logitsOf(options) {
  const model = await AutoModelForCausalLM.from_pretrained(MODEL, { dtype: 'q8', ...options });
  try {
    return (await model(INPUT)).logits.data;
  } finally {
    await model.dispose();
  }
}

async function assertError(promise, code, pattern) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof HubwasmError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

before(async () => {
  hub = await startHubServer();
  env.remoteHost = hub.url;
  env.retryDelayMs = 1;
  env.allowLocalModels = true;
  env.localModelPath = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-local-'));
  fs.cpSync(source, path.join(env.localModelPath, MODEL), { recursive: true });  // not the server's files
  reference = await logitsOf({});
  assert.deepEqual(openWeightFiles(), []);
  env.allowLocalModels = false;
});
beforeEach(() => {
  hub.setFaults([]);
  hub.requests.length = 0;
  env.useFSCache = true;
  env.cacheDir = freshCacheDir();
});
after(() => {
  hub.close();
  for (const dir of [env.localModelPath, ...cacheDirs]) fs.rmSync(dir, { recursive: true, force: true });
});

for (const useFSCache of [true, false]) {
  const where = useFSCache ? 'into the cache' : 'to a temporary file';
  for (const kind of ['reset', 'truncate', 'bad-checksum']) {
    for (const chunked of [false, true]) {
      const what = `${kind}${chunked ? ' without Content-Length' : ''}`;
      test(`streamed ${where}: ${what} once is retried; the verified file is loaded${useFSCache ? ' and cached' : ''}`, async () => {
        env.useFSCache = useFSCache;
        hub.setFaults([{ match: WEIGHTS, kind, chunked, times: 1 }]);
        assert.deepEqual(await logitsOf({}), reference);
        assert.equal(weightGets(), 2);
        assert.deepEqual(cachedWeights(), useFSCache ? [`127.0.0.1_${hub.port}/${WEIGHTS}`] : []);
        if (useFSCache) assert.ok(fs.readFileSync(path.join(env.cacheDir, cachedWeights()[0])).equals(weightsBytes));
        assert.deepEqual(temporaries(), []);
        assert.deepEqual(openWeightFiles(), []);
      });

      test(`streamed ${where}: ${what} on every attempt is a NETWORK_ERROR; nothing is cached or left open`, async () => {
        env.useFSCache = useFSCache;
        hub.setFaults([{ match: WEIGHTS, kind, chunked }]);
        await assertError(logitsOf({}), 'NETWORK_ERROR', /micro-llama\/resolve\/main\/model\.safetensors: /);
        assert.equal(weightGets(), 1 + env.maxRetries);
        assert.deepEqual(cachedWeights(), []);
        assert.deepEqual(temporaries(), []);
        assert.deepEqual(openWeightFiles(), []);
      });
    }
  }
}

test('a second load reads the cache entry: no download, the same logits', async () => {
  assert.deepEqual(await logitsOf({}), reference);
  assert.deepEqual(await logitsOf({}), reference);
  assert.equal(weightGets(), 1);
  assert.deepEqual(openWeightFiles(), []);
});

// The core rejects the model after the weight file was handed to it: the file is closed all the same.
for (const from of ['download', 'cache', 'local folder']) {
  test(`a load that fails after its weights are open (${from}): the file is closed`, async () => {
    const config = JSON.parse(fs.readFileSync(path.join(source, 'config.json'), 'utf8'));
    if (from === 'cache') await logitsOf({});
    env.allowLocalModels = from === 'local folder';
    try {
      await assertError(logitsOf({ config: { ...config, intermediate_size: config.intermediate_size + 8 } }),
        'CONFIG_MISMATCH', /model\.safetensors has shape .* but config\.json implies/);
    } finally {
      env.allowLocalModels = false;
    }
    assert.deepEqual(openWeightFiles(), []);
    assert.deepEqual(temporaries(), []);
  });
}

// A git blob sha1 (small, non-LFS files) starts with the file's length, so without Content-Length it cannot
// be hashed as chunks arrive: a file streamed to disk is then read back to be hashed.
for (const useFSCache of [true, false]) {
  test(`a git-blob checksum of unknown length, streamed ${useFSCache ? 'into the cache' : 'to a temporary file'}: read back and verified`, async () => {
    env.useFSCache = useFSCache;
    const want = fs.readFileSync(path.join(source, 'config.json'));
    const files = [];
    const diskSink = { wantsFile: () => true, adoptFile: (file) => files.push(file) };
    hub.setFaults([{ match: /micro-llama\/resolve\/main\/config\.json$/, kind: 'bad-checksum', chunked: true, times: 1 }]);
    assert.equal(await getFile(MODEL, 'config.json', diskSink), true);
    assert.equal(hub.requests.filter((r) => r.path.endsWith('config.json')).length, 2);
    assert.equal(files.length, 1);
    const got = Buffer.alloc(files[0].size);
    files[0].read(0, got.length, got, 0);
    files[0].close();
    assert.ok(got.equals(want));
    if (useFSCache) assert.ok(fs.readFileSync(path.join(env.cacheDir, `127.0.0.1_${hub.port}`, MODEL, 'resolve/main/config.json')).equals(want));

    hub.setFaults([{ match: /micro-llama\/resolve\/main\/config\.json$/, kind: 'bad-checksum', chunked: true }]);
    env.cacheDir = freshCacheDir();
    await assertError(getFile(MODEL, 'config.json', diskSink), 'NETWORK_ERROR', /config\.json: content does not match its checksum/);
    assert.equal(files.length, 1);
    assert.deepEqual(fs.readdirSync(env.cacheDir, { recursive: true }).map(String).filter((f) => f.includes('config.json')), []);
    assert.deepEqual(temporaries(), []);
    assert.deepEqual(openWeightFiles(), []);
  });
}

test('a local weight file cut short on disk while loading: INVALID_FILE naming it, closed; the next load works', async () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-local-'));
  fs.cpSync(source, path.join(copy, MODEL), { recursive: true });
  const weights = path.join(copy, MODEL, 'model.safetensors');
  const localModelPath = env.localModelPath;
  env.allowLocalModels = true;
  env.localModelPath = copy;
  try {
    // 'done' for the weight file comes once it is open and handed to the core, before the core reads it.
    const cut = (e) => { if (e.status === 'done' && e.file === 'model.safetensors') fs.truncateSync(weights, 100_000); };
    await assertError(logitsOf({ progress_callback: cut }), 'INVALID_FILE',
      new RegExp(`${weights.replaceAll('.', '\\.')}: ends at byte 100000, short of its ${weightsBytes.length} bytes`));
    assert.deepEqual(openWeightFiles(), []);
    fs.writeFileSync(weights, weightsBytes);
    assert.deepEqual(await logitsOf({}), reference);
  } finally {
    env.allowLocalModels = false;
    env.localModelPath = localModelPath;
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

/** Runs `use()` with config and tokenizer files read from a local folder that lacks the weights. */
async function withLocalFilesButWeights(use) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-local-'));
  fs.cpSync(source, path.join(copy, MODEL), { recursive: true });
  fs.rmSync(path.join(copy, MODEL, 'model.safetensors'));
  const localModelPath = env.localModelPath;
  Object.assign(env, { allowLocalModels: true, localModelPath: copy });
  try {
    await use();
  } finally {
    Object.assign(env, { allowLocalModels: false, localModelPath });
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

test('a cache folder that cannot be created: the load goes on uncached, with a warning; nothing left open', async (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const blocker = path.join(env.cacheDir, 'a-file');
  fs.writeFileSync(blocker, '');
  env.cacheDir = path.join(blocker, 'cache');  // mkdir fails: ENOTDIR
  await withLocalFilesButWeights(async () => {
    assert.deepEqual(await logitsOf({}), reference);
  });
  assert.equal(weightGets(), 1);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(warn.mock.calls[0].arguments[0],
    /model\.safetensors was not cached: .*a-file\/cache\/.*\.partial: creating the download file failed: ENOTDIR/);
  assert.deepEqual(temporaries(), []);
  assert.deepEqual(openWeightFiles(), []);
});

test('files held in memory (fp32) that cannot be cached: the load goes on, one warning per file', async (t) => {
  env.useFSCache = false;
  const want = await logitsOf({ dtype: 'fp32' });
  env.useFSCache = true;
  const warn = t.mock.method(console, 'warn', () => {});
  const blocker = path.join(env.cacheDir, 'a-file');
  fs.writeFileSync(blocker, '');
  env.cacheDir = path.join(blocker, 'cache');  // mkdir fails: ENOTDIR
  assert.deepEqual(await logitsOf({ dtype: 'fp32' }), want);
  const messages = warn.mock.calls.map((c) => c.arguments[0]);
  assert.ok(messages.some((m) => /\/config\.json was not cached/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /\/model\.safetensors was not cached/.test(m)), messages.join('\n'));
  for (const m of messages) assert.match(m, /was not cached: .*creating the download file failed: ENOTDIR/);
});

test('files held in memory (fp32) whose cache entries cannot be written (a full disk): the load goes on, a warning per file, no partial file left', async (t) => {
  env.useFSCache = false;
  const want = await logitsOf({ dtype: 'fp32' });
  env.useFSCache = true;
  const warn = t.mock.method(console, 'warn', () => {});
  // Entries are written as their downloads arrive, with fs.write; the ES module binding follows the mock once synced.
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const write = t.mock.method(fs, 'write', (fd, buffer, offset, length, position, callback) => callback(full));
  syncBuiltinESMExports();
  try {
    assert.deepEqual(await logitsOf({ dtype: 'fp32' }), want);
  } finally {
    write.mock.restore();
    syncBuiltinESMExports();
  }
  const messages = warn.mock.calls.map((c) => c.arguments[0]);
  assert.ok(messages.some((m) => /\/model\.safetensors was not cached/.test(m)), messages.join('\n'));
  for (const m of messages) assert.match(m, /was not cached: .*\.partial: writing \d+ bytes at 0 failed: ENOSPC/);
  assert.deepEqual(fs.readdirSync(env.cacheDir, { recursive: true }).map(String).filter((f) => f.endsWith('.json') || f.endsWith('.safetensors') || f.endsWith('.partial')), []);
});

test('a cache entry that cannot be put in place: the load goes on with the download, a warning, no partial file left', async (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const entry = path.join(env.cacheDir, `127.0.0.1_${hub.port}`, WEIGHTS);
  fs.mkdirSync(path.join(entry, 'in-the-way'), { recursive: true });  // a folder where the file goes: rename fails
  assert.deepEqual(await logitsOf({}), reference);
  assert.equal(weightGets(), 1);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(warn.mock.calls[0].arguments[0], /model\.safetensors was not cached: .*\.partial: renaming to .*model\.safetensors failed/);
  assert.deepEqual(cachedWeights(), [`127.0.0.1_${hub.port}/${WEIGHTS}`, `127.0.0.1_${hub.port}/${WEIGHTS}/in-the-way`]);
  assert.deepEqual(openWeightFiles(), []);
});

test('a disk that cannot take the download: IO_ERROR naming the file, not retried, nothing left open', async () => {
  // Neither the cache folder nor the temporary folder can hold a file.
  const blocker = path.join(env.cacheDir, 'a-file');
  fs.writeFileSync(blocker, '');
  env.cacheDir = path.join(blocker, 'cache');
  await withLocalFilesButWeights(async () => {
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = path.join(blocker, 'tmp');  // os.tmpdir() follows it
    try {
      await assertError(logitsOf({}), 'IO_ERROR', /a-file\/tmp\/hubwasm-download\.\d+\..*\.partial: creating the download file failed: ENOTDIR/);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  });
  assert.equal(weightGets(), 1);
  assert.deepEqual(openWeightFiles(), []);
});

test('partial downloads left by a process that died are removed when the entry is next downloaded', async () => {
  const entry = path.join(env.cacheDir, `127.0.0.1_${hub.port}`, WEIGHTS);
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid;  // exited: its pid is free
  const abandoned = `${entry}.${dead}.1700000000000.1.partial`;
  const live = `${entry}.${process.ppid}.1700000000000.1.partial`;  // the test runner: still running
  for (const f of [abandoned, live]) fs.writeFileSync(f, 'part of a download');
  assert.deepEqual(await logitsOf({}), reference);
  assert.equal(fs.existsSync(abandoned), false);
  assert.equal(fs.existsSync(live), true);
  assert.ok(fs.readFileSync(entry).equals(weightsBytes));
});
