// Entry point of the dedicated worker behind `pipeline(task, model, { worker: true })`:
// loads and runs the pipeline here, so the page's main thread never blocks.
import { env } from './env.js';
import { pipeline } from './pipelines.js';
import { TextStreamer } from './streamers.js';
import { Tensor } from './tensor.js';
import { serializeError, toTransferable } from './worker_protocol.js';

let running = null;

// text-generation's streamer and signal, rebuilt on this side (see WorkerPipeline._generate).
function generationArgs({ id, args: [input, options = {}], stream, abortFlag }) {
  const call = { ...options };
  if (stream) {
    call.streamer = new TextStreamer(running.tokenizer, { skip_prompt: stream.skip_prompt, decode_kwargs: stream.decode_kwargs });
    call.streamer.on_finalized_text = (text, end) => self.postMessage({ id, type: 'stream', text, end });
  }
  if (abortFlag) {
    call.signal = {
      get aborted() { return Atomics.load(abortFlag, 0) === 1; },
      reason: new DOMException('generation was aborted', 'AbortError'),
    };
  }
  return [input, call];
}

self.onmessage = async ({ data: message }) => {
  const { id, type } = message;
  try {
    if (type === 'load') {
      Object.assign(env, message.env);
      Object.assign(env.backends.wasm, message.env.backends?.wasm ?? {});
      running = await pipeline(message.task, message.model, {
        ...message.options,
        progress_callback: (event) => self.postMessage({ id, type: 'progress', event }),
      });
      self.postMessage({ id, type: 'result', value: null });
    } else if (type === 'call') {
      const args = message.stream || message.abortFlag ? generationArgs(message) : message.args;
      const output = await running(...args);
      const { value, transfer } = toTransferable(output, Tensor);
      self.postMessage({ id, type: 'result', value }, transfer);
    } else if (type === 'dispose') {
      await running?.dispose();
      running = null;
      self.postMessage({ id, type: 'result', value: null });
    }
  } catch (error) {
    self.postMessage({ id, type: 'error', error: serializeError(error) });
  }
};
