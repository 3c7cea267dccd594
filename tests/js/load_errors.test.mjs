// Bad input gets a typed HubwasmError with a stable code and a message that
// names the file and the problem; afterwards the next load still works.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AutoModel, HubwasmError, env } from 'hubwasm';
import { useLocalHub } from './local_hub.mjs';
import { modelDir } from './reference.mjs';

const source = modelDir('hubwasm-fixtures--micro-bert');
const config = JSON.parse(fs.readFileSync(path.join(source, 'config.json'), 'utf8'));
const weights = fs.readFileSync(path.join(source, 'model.safetensors'));

// Splits a safetensors file into its JSON header and data section.
function splitSafetensors(bytes) {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + headerLength).toString()), data: bytes.subarray(8 + headerLength) };
}
function joinSafetensors(header, data, claimedLength) {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(claimedLength ?? json.length));
  return Buffer.concat([prefix, json, data]);
}
function editHeader(edit) {
  const { header, data } = splitSafetensors(weights);
  edit(header);
  return joinSafetensors(header, data);
}

// Each bad repo: its files, and the error it must produce.
const badRepos = {
  truncated: { files: { 'model.safetensors': weights.subarray(0, 5000) }, code: 'INVALID_FILE', message: /model\.safetensors: invalid safetensors file: tensor ".*" ends at byte \d+ .*truncated/ },
  'header-past-end': { files: { 'model.safetensors': joinSafetensors(splitSafetensors(weights).header, Buffer.alloc(0), 1 << 20) }, code: 'INVALID_FILE', message: /model\.safetensors: .*header length 1048576 runs past the end of the file/ },
  overlapping: {
    files: { 'model.safetensors': editHeader((h) => { h['embeddings.LayerNorm.bias'].data_offsets = h['embeddings.LayerNorm.weight'].data_offsets; }) },
    code: 'INVALID_FILE', message: /model\.safetensors: .*"embeddings\.LayerNorm\.(bias|weight)" and "embeddings\.LayerNorm\.(bias|weight)" overlap/,
  },
  'out-of-range': {
    files: { 'model.safetensors': editHeader((h) => { const [b, e] = h['pooler.dense.bias'].data_offsets; h['pooler.dense.bias'].data_offsets = [b + 1e6, e + 1e6]; }) },
    code: 'INVALID_FILE', message: /model\.safetensors: .*"pooler\.dense\.bias" ends at byte \d+ of the data section/,
  },
  'shape-contradicts-bytes': {
    files: { 'model.safetensors': editHeader((h) => { h['pooler.dense.bias'].shape = [33]; }) },
    code: 'INVALID_FILE', message: /"pooler\.dense\.bias" is F32 \[33\] but its data_offsets span 128 bytes/,
  },
  'missing-tensor': {
    files: { 'model.safetensors': editHeader((h) => { delete h['encoder.layer.1.output.dense.weight']; }) },
    code: 'MISSING_TENSOR', message: /"encoder\.layer\.1\.output\.dense\.weight".* not found in model\.safetensors/,
  },
  'missing-config-key': { config: { ...config, hidden_size: undefined }, code: 'INVALID_CONFIG', message: /config\.json: missing key "hidden_size"/ },
  'config-contradicts-weights': { config: { ...config, intermediate_size: 48 }, code: 'CONFIG_MISMATCH', message: /"encoder\.layer\.0\.intermediate\.dense\.weight" in model\.safetensors has shape \[64, 32\] but config\.json implies \[48, 32\]/ },
  'unknown-model-type': { config: { ...config, model_type: 'bort' }, code: 'UNSUPPORTED_MODEL', message: /config\.json: model_type "bort" is not supported \(supported: bert, distilbert, roberta, xlm-roberta, electra, albert, mpnet, deberta-v2\)/ },
  'pytorch-only': { files: { 'model.safetensors': null, 'pytorch_model.bin': Buffer.from('PK\x03\x04') }, code: 'MISSING_FILE', message: /has pytorch_model\.bin but no model\.safetensors/ },
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bad-repos-'));
fs.cpSync(source, path.join(root, 'test--good'), { recursive: true });
for (const [name, spec] of Object.entries(badRepos)) {
  const dir = path.join(root, `test--${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec.config ?? config));
  const files = { 'model.safetensors': weights, ...spec.files };
  for (const [file, bytes] of Object.entries(files)) if (bytes) fs.writeFileSync(path.join(dir, file), bytes);
}

const hub = useLocalHub({ root, removeRoot: true });

async function assertLoadStillWorks() {
  const model = await AutoModel.from_pretrained('test/good');
  assert.equal(model.config.model_type, 'bert');
  await model.dispose();
}

for (const [name, spec] of Object.entries(badRepos)) {
  test(`${name}: ${spec.code}`, async () => {
    await assert.rejects(AutoModel.from_pretrained(`test/${name}`), (error) => {
      assert.ok(error instanceof HubwasmError && error instanceof Error);
      assert.equal(error.code, spec.code);
      assert.match(error.message, spec.message);
      return true;
    });
    await assertLoadStillWorks();
  });
}

test('404 from the server: HTTP_ERROR naming the URL and status', async () => {
  await assert.rejects(AutoModel.from_pretrained('test/no-such-repo'), (error) => {
    assert.equal(error.code, 'HTTP_ERROR');
    assert.equal(error.status, 404);
    assert.equal(error.url, `${hub.server.url}test/no-such-repo/resolve/main/config.json`);
    assert.match(error.message, /test\/no-such-repo\/resolve\/main\/config\.json failed with HTTP 404/);
    return true;
  });
  await assertLoadStillWorks();
});

test('connection cut on every attempt: NETWORK_ERROR naming the file, then a load works', async () => {
  env.retryDelayMs = 1;
  hub.server.setFaults([{ match: 'test/good/resolve/main/model.safetensors', kind: 'truncate' }]);
  await assert.rejects(AutoModel.from_pretrained('test/good'), (error) => {
    assert.equal(error.code, 'NETWORK_ERROR');
    assert.match(error.message, /test\/good\/resolve\/main\/model\.safetensors: download (truncated|interrupted) after \d+ /);
    return true;
  });
  hub.server.setFaults([]);
  await assertLoadStillWorks();
});
