// Entry point of the dedicated worker behind `pipeline(task, model, { worker: true })`:
// loads and runs the pipeline here, so the page's main thread never blocks.
import { env } from './env.js';
import { pipeline } from './pipelines.js';
import { TextStreamer } from './streamers.js';
import { Tensor } from './tensor.js';
import { serializeError, toTransferable } from './worker_protocol.js';

let running = null;
const callsInProgress = new Set();  // ids of 'call' messages not yet answered
const abortedCalls = new Set();     // ...of which the page has aborted these

// text-generation's streamer and signal, rebuilt on this side (see WorkerPipeline._generate).
function generationArgs({ id, args: [input, options = {}], stream, abortable }) {
  const call = { ...options };
  if (stream) {
    call.streamer = new TextStreamer(running.tokenizer, { skip_prompt: stream.skip_prompt, decode_kwargs: stream.decode_kwargs });
    call.streamer.on_finalized_text = (text, end) => self.postMessage({ id, type: 'stream', text, end });
  }
  if (abortable) {
    // generate() checks the signal between steps, where this worker's event
    // loop has run and delivered any 'abort' message.
    call.signal = {
      get aborted() { return abortedCalls.has(id); },
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
    } else if (type === 'abort') {
      if (callsInProgress.has(message.target)) abortedCalls.add(message.target);
    } else if (type === 'call') {
      const args = message.stream || message.abortable ? generationArgs(message) : message.args;
      callsInProgress.add(id);
      const output = await running(...args).finally(() => {
        callsInProgress.delete(id);
        abortedCalls.delete(id);
      });
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
