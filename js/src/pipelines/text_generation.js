import { Callable } from '../callable.js';
import { HubwasmError } from '../errors.js';
import { Tensor } from '../tensor.js';

const isChat = (x) => Array.isArray(x) && x.length > 0 && x.every((m) => m && typeof m === 'object' && 'role' in m && 'content' in m);

/**
 * `await generator(texts, options)`, as transformers.js's text-generation
 * pipeline: a string (or strings) gives `[{ generated_text }]` with the
 * prompt included unless `return_full_text: false`; a chat (a list of
 * `{ role, content }` messages, or a list of chats) is rendered with the
 * tokenizer's chat template and gives the messages with the assistant's
 * reply appended. Other options go to `model.generate()` (max_new_tokens
 * defaults to 256); `stop_strings` work here without passing the tokenizer.
 */
export class TextGenerationPipeline extends Callable {
  constructor({ task, model, tokenizer }) {
    super();
    this.task = task;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  async _call(texts, {
    add_special_tokens: addSpecialArg, return_full_text: returnFullArg, tools = null, documents = null,
    chat_template = null, tokenizer_encode_kwargs, ...generate_kwargs
  } = {}) {
    let batched = false;
    let chat = false;
    let inputs;
    let add_special_tokens = addSpecialArg ?? Boolean(this.tokenizer.add_bos_token || this.tokenizer.add_eos_token);
    let encode_kwargs = tokenizer_encode_kwargs;
    if (typeof texts === 'string') {
      inputs = texts = [texts];
    } else if (Array.isArray(texts) && texts.length > 0 && texts.every((t) => typeof t === 'string')) {
      batched = true;
      inputs = texts;
    } else {
      if (isChat(texts)) {
        texts = [texts];
      } else if (Array.isArray(texts) && texts.length > 0 && texts.every(isChat)) {
        batched = true;
      } else {
        throw new HubwasmError('INVALID_ARGUMENT',
          'text-generation: input must be a string, an array of strings, a chat (array of { role, content }) or an array of chats');
      }
      chat = true;
      const options = { tokenize: false, add_generation_prompt: true, tools, documents, chat_template, ...tokenizer_encode_kwargs };
      inputs = texts.map((messages) => this.tokenizer.apply_chat_template(messages, options));
      add_special_tokens = false;  // the template writes them
      encode_kwargs = undefined;
    }
    const return_full_text = chat ? false : (returnFullArg ?? true);

    const tokenizer = this.tokenizer;
    const encoded = this._encode(inputs, { add_special_tokens, truncation: true, ...encode_kwargs });
    const sequences = await this.model.generate({
      input_ids: encoded.input_ids,
      attention_mask: encoded.attention_mask,
      max_new_tokens: 256,
      ...generate_kwargs,
      ...(generate_kwargs.stop_strings ? { tokenizer } : {}),
    });

    const decoded = tokenizer.batch_decode(sequences, { skip_special_tokens: true });
    const promptLengths = return_full_text ? null
      : tokenizer.batch_decode(encoded.input_ids, { skip_special_tokens: true }).map((t) => t.length);
    const results = texts.map((_, i) => {
      const text = promptLengths ? decoded[i].slice(promptLengths[i]) : decoded[i];
      return [{ generated_text: chat ? [...texts[i], { role: 'assistant', content: text }] : text }];
    });
    return batched ? results : results[0];
  }

  /**
   * The prompts as one left-padded batch. Without a pad token in the
   * tokenizer, rows are padded with the model's pad_token_id (else its first
   * eos_token_id), as transformers does for generation.
   */
  _encode(inputs, options) {
    const tokenizer = this.tokenizer;
    if (inputs.length === 1) return tokenizer(inputs, options);
    if (tokenizer.pad_token_id !== null) {
      const side = tokenizer.padding_side;
      tokenizer.padding_side = 'left';
      try {
        return tokenizer(inputs, { padding: true, ...options });
      } finally {
        tokenizer.padding_side = side;
      }
    }
    const config = this.model.generation_config ?? {};
    const pad = config.pad_token_id ?? [config.eos_token_id ?? []].flat()[0] ?? 0;
    const rows = inputs.map((text) => Array.from(tokenizer(text, options).input_ids.data));
    const seq = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * seq).fill(BigInt(pad));
    const mask = new BigInt64Array(rows.length * seq);
    rows.forEach((row, r) => {
      ids.set(row, r * seq + seq - row.length);
      mask.fill(1n, r * seq + seq - row.length, (r + 1) * seq);
    });
    return { input_ids: new Tensor('int64', ids, [rows.length, seq]), attention_mask: new Tensor('int64', mask, [rows.length, seq]) };
  }

  async dispose() {
    await this.model.dispose();
    this.tokenizer.dispose();
  }
}
