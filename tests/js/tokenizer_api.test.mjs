// AutoTokenizer's API around the differential test: offsets of batches and
// pairs, single-value forms of convert_*, lone surrogates, and bad
// tokenizer files reported as HubwasmError with the component and JSON path.
// Reference values come from @huggingface/tokenizers (ids, vocabulary) or
// from single-text calls that the differential test checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Tokenizer as PeerTokenizer } from '@huggingface/tokenizers';
import { AutoTokenizer, HubwasmError } from 'hubwasm';
import { linkedHubRoot, useLocalHub } from './local_hub.mjs';
import { modelsRoot } from './reference.mjs';

const BERT = 'hubwasm-fixtures--micro-bert';
const readJson = (folder, file) => JSON.parse(fs.readFileSync(path.join(modelsRoot, folder, file), 'utf8'));

// A Hub root with the shared folders plus broken copies of micro-bert's tokenizer.json.
const root = linkedHubRoot('hubwasm-tokenizer-api-');
function brokenRepo(name, tokenizerJsonText) {
  fs.mkdirSync(path.join(root, `broken--${name}`));
  fs.writeFileSync(path.join(root, `broken--${name}`, 'tokenizer.json'), tokenizerJsonText);
  return `broken/${name}`;
}

useLocalHub({ root, removeRoot: true });

test('a padded batch with pairs: offset_mapping rows are the single-text offsets, padding is [0, 0]', async () => {
  const tokenizer = await AutoTokenizer.from_pretrained(BERT.replace('--', '/'));
  const texts = ['Hello, world!', 'A longer first text, with more words in it.'];
  const pairs = ['Second part.', 'x'];
  const batch = tokenizer(texts, { text_pair: pairs, padding: true, return_offsets_mapping: true });
  const [rows, seq] = batch.input_ids.dims;
  assert.deepEqual(batch.offset_mapping.dims, [rows, seq, 2]);
  const peer = new PeerTokenizer(readJson(BERT, 'tokenizer.json'), readJson(BERT, 'tokenizer_config.json'));
  for (let r = 0; r < rows; r++) {
    const single = tokenizer(texts[r], { text_pair: pairs[r], return_offsets_mapping: true });
    const n = single.input_ids.dims[1];
    assert.deepEqual(Array.from(single.input_ids.data, Number), peer.encode(texts[r], { text_pair: pairs[r] }).ids);
    const row = Array.from(batch.offset_mapping.data.subarray(r * seq * 2, (r + 1) * seq * 2), Number);
    assert.deepEqual(row.slice(0, 2 * n), Array.from(single.offset_mapping.data, Number));
    assert.ok(row.slice(2 * n).every((v) => v === 0), 'padding tokens have [0, 0]');
  }
  tokenizer.dispose();
});

test('convert_ids_to_tokens / convert_tokens_to_ids: single values, unknown entries', async () => {
  const tokenizer = await AutoTokenizer.from_pretrained('openai-community/gpt2');
  const peer = new PeerTokenizer(readJson('openai-community--gpt2', 'tokenizer.json'), {});
  const ids = peer.encode('Hello world, tokenizers!').ids;
  assert.equal(tokenizer.convert_ids_to_tokens(ids[1]), peer.id_to_token(ids[1]));
  assert.equal(tokenizer.convert_ids_to_tokens(BigInt(ids[1])), peer.id_to_token(ids[1]));
  assert.equal(tokenizer.convert_tokens_to_ids(peer.id_to_token(ids[2])), ids[2]);
  assert.deepEqual(tokenizer.convert_ids_to_tokens([ids[0], 10 ** 7]), [peer.id_to_token(ids[0]), null]);
  // An unknown token gives the unk token's id (gpt2's tokenizer_config.json names <|endoftext|>).
  const unk = peer.token_to_id(readJson('openai-community--gpt2', 'tokenizer_config.json').unk_token);
  assert.equal(tokenizer.unk_token_id, unk);
  assert.equal(tokenizer.convert_tokens_to_ids('no such token'), unk);
  tokenizer.dispose();

  const bert = await AutoTokenizer.from_pretrained(BERT.replace('--', '/'));
  const bertPeer = new PeerTokenizer(readJson(BERT, 'tokenizer.json'), {});
  assert.equal(bert.convert_tokens_to_ids('no such token'), bertPeer.token_to_id('[UNK]'));
  assert.throws(() => bert.convert_tokens_to_ids([1, 2]), (e) => e instanceof HubwasmError && e.code === 'INVALID_ARGUMENT');
  bert.dispose();
});

test('lone surrogates: encoded as U+FFFD, offsets index the original string', async () => {
  const tokenizer = await AutoTokenizer.from_pretrained('openai-community/gpt2');
  const text = 'ab\ud800cd \udc00!';
  const replaced = text.toWellFormed();
  const a = tokenizer(text, { return_offsets_mapping: true });
  const b = tokenizer(replaced, { return_offsets_mapping: true });
  assert.deepEqual(Array.from(a.input_ids.data), Array.from(b.input_ids.data));
  assert.deepEqual(Array.from(a.offset_mapping.data), Array.from(b.offset_mapping.data));
  assert.equal(text.length, replaced.length);
  tokenizer.dispose();
});

test('bad tokenizer.json: unknown component names it and its JSON path; malformed JSON names the file', async () => {
  const json = readJson(BERT, 'tokenizer.json');
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'NoSuchSplitter' }] };
  const unknown = brokenRepo('unknown-component', JSON.stringify(json));
  await assert.rejects(AutoTokenizer.from_pretrained(unknown), (e) => e instanceof HubwasmError &&
    e.code === 'UNSUPPORTED_FEATURE' && e.message.includes('pre_tokenizer.pretokenizers[1].type') &&
    e.message.includes('NoSuchSplitter'));
  const malformed = brokenRepo('malformed', '{"model": {"type": "WordPiece", "vocab": {');
  await assert.rejects(AutoTokenizer.from_pretrained(malformed), (e) => e instanceof HubwasmError &&
    e.code === 'INVALID_FILE' && e.message.includes('tokenizer.json'));
  const contradicting = brokenRepo('bpe-contradiction', JSON.stringify({
    model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: ['a b'] },
  }));
  await assert.rejects(AutoTokenizer.from_pretrained(contradicting), (e) => e instanceof HubwasmError &&
    e.code === 'INVALID_FILE' && e.message.includes('model.merges[0]') && e.message.includes('"ab"'));
});
