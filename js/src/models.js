import { Callable } from './callable.js';
import { HubwasmError, checkNative } from './errors.js';
import { getJson } from './download.js';
import { fillNativeRepo, fillWeights, withNativeRepo } from './repo.js';
import { Tensor } from './tensor.js';

/** config.json of a repo, as a plain object. */
export async function loadConfig(model_id, options = {}) {
  return getJson(model_id, 'config.json', options);
}

/** Reads config.json, as transformers.js's AutoConfig. */
export class AutoConfig {
  static from_pretrained(model_id, options = {}) {
    return loadConfig(model_id, options);
  }
}

/** Downloads config + weights and builds the native encoder with `head`. */
async function loadEncoder(model_id, head, options) {
  const config = options.config ?? (await loadConfig(model_id, options));
  return withNativeRepo(async (native, repo) => {
    await fillNativeRepo(native, repo, model_id, { extra: { 'config.json': JSON.stringify(config) } });
    await fillWeights(native, repo, model_id, { ...options, config });
    const encoder = checkNative(native, native.Encoder.load(repo, head), model_id);
    return new PreTrainedModel(config, native, encoder);
  });
}

function toInt32(tensor, name, dims) {
  if (!(tensor instanceof Tensor)) throw new HubwasmError('INVALID_ARGUMENT', `${name} must be a Tensor`);
  if (dims && JSON.stringify(tensor.dims) !== JSON.stringify(dims)) {
    throw new HubwasmError('INVALID_ARGUMENT', `${name} has dims ${JSON.stringify(tensor.dims)}, expected ${JSON.stringify(dims)}`);
  }
  return tensor.data instanceof Int32Array ? tensor.data : Int32Array.from(tensor.data, Number);
}

function toTensor(result) {
  return result && new Tensor('float32', result.data, result.dims);
}

/**
 * An encoder model in WebAssembly memory. `await model({ input_ids,
 * attention_mask, token_type_ids })` returns `{ last_hidden_state }` plus, as
 * transformers.js, `pooler_output` when the model has a pooler, `logits`
 * ([batch, num_labels] for sequence classification, [batch, seq, num_labels]
 * for token classification, [batch, seq, vocab_size] for masked LM) and
 * `start_logits` / `end_logits` ([batch, seq]) for question answering.
 */
export class PreTrainedModel extends Callable {
  constructor(config, native, encoder) {
    super();
    this.config = config;
    this._native = native;
    this._encoder = encoder;
  }

  /** @internal the native encoder, for pipelines */
  get native() {
    if (!this._encoder) throw new HubwasmError('INVALID_ARGUMENT', 'the model was disposed');
    return this._encoder;
  }

  async _call({ input_ids, attention_mask, token_type_ids }) {
    if (!(input_ids instanceof Tensor) || input_ids.dims.length !== 2) {
      throw new HubwasmError('INVALID_ARGUMENT', 'input_ids must be a 2-D Tensor [batch, sequence]');
    }
    const [batch, seq] = input_ids.dims;
    const ids = toInt32(input_ids, 'input_ids');
    const mask = attention_mask ? toInt32(attention_mask, 'attention_mask', input_ids.dims) : new Int32Array(ids.length).fill(1);
    const types = token_type_ids ? toInt32(token_type_ids, 'token_type_ids', input_ids.dims) : null;
    const out = checkNative(this._native, this.native.forward(ids, mask, types, batch, seq));
    const result = { last_hidden_state: toTensor(out.last_hidden_state) };
    if (out.pooler_output) result.pooler_output = toTensor(out.pooler_output);
    if (out.logits) result.logits = toTensor(out.logits);
    if (out.start_logits) result.start_logits = toTensor(out.start_logits);
    if (out.end_logits) result.end_logits = toTensor(out.end_logits);
    return result;
  }

  /** Frees the model's WebAssembly memory. */
  async dispose() {
    this._encoder?.delete();
    this._encoder = null;
  }
}

/** Loads the base model (no task head), as transformers.js's AutoModel. */
export class AutoModel {
  static from_pretrained(model_id, options = {}) {
    return loadEncoder(model_id, 'base', options);
  }
}

/** Loads a model with its sequence-classification head (`logits`). */
export class AutoModelForSequenceClassification {
  static from_pretrained(model_id, options = {}) {
    return loadEncoder(model_id, 'sequence-classification', options);
  }
}

/** Loads a model with its token-classification head (`logits` [batch, seq, num_labels]). */
export class AutoModelForTokenClassification {
  static from_pretrained(model_id, options = {}) {
    return loadEncoder(model_id, 'token-classification', options);
  }
}

/** Loads a model with its masked-LM head (`logits` [batch, seq, vocab_size]). */
export class AutoModelForMaskedLM {
  static from_pretrained(model_id, options = {}) {
    return loadEncoder(model_id, 'masked-lm', options);
  }
}

/** Loads a model with its extractive question-answering head (`start_logits`, `end_logits`). */
export class AutoModelForQuestionAnswering {
  static from_pretrained(model_id, options = {}) {
    return loadEncoder(model_id, 'question-answering', options);
  }
}
