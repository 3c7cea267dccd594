// Entry point of the dedicated worker behind `pipeline(task, model, { worker: true })`:
// loads and runs the pipeline here, so the page's main thread never blocks.
import { env } from './env.js';
import { pipeline } from './pipelines.js';
import { Tensor } from './tensor.js';
import { serializeError, toTransferable } from './worker_protocol.js';

let running = null;

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
      const output = await running(...message.args);
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
