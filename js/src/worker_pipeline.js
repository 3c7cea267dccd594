import { Callable } from './callable.js';
import { env } from './env.js';
import { HubwasmError } from './errors.js';
import { TextStreamer } from './streamers.js';
import { Tensor } from './tensor.js';
import { deserializeError, fromTransferable } from './worker_protocol.js';

/** The settings a worker needs from `env` (plain values only). */
function envSnapshot() {
  const { backends, ...rest } = env;
  const plain = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v !== 'function'));
  return { ...plain, backends: { wasm: { ...backends.wasm } } };
}

/**
 * A pipeline running in a dedicated Web Worker, with the same call signature
 * as the in-thread pipeline; progress events come back to the page.
 */
export class WorkerPipeline extends Callable {
  constructor(worker, task, model) {
    super();
    this.task = task;
    this.model_id = model;
    this._worker = worker;
    this._nextId = 0;
    this._pending = new Map();
    worker.onmessage = ({ data }) => {
      const pending = this._pending.get(data.id);
      if (!pending) return;
      if (data.type === 'progress') return pending.progress?.(data.event);
      if (data.type === 'stream') return pending.stream?.(data);
      this._pending.delete(data.id);
      if (data.type === 'error') pending.reject(deserializeError(data.error));
      else pending.resolve(fromTransferable(data.value, Tensor));
    };
    worker.onerror = (event) => {
      for (const pending of this._pending.values()) pending.reject(new Error(`pipeline worker failed: ${event.message}`));
      this._pending.clear();
    };
  }

  _send(message, progress, stream) {
    return this._start(message, progress, stream).done;
  }

  /** Posts `message` under a new id; `done` settles with the worker's answer. */
  _start(message, progress, stream) {
    const id = this._nextId++;
    const done = new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, progress, stream });
      this._worker.postMessage({ ...message, id });
    });
    return { id, done };
  }

  static async create(task, model, { progress_callback, worker: _, ...options }) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const pipe = new WorkerPipeline(worker, task, model);
    try {
      await pipe._send({ type: 'load', task, model, options, env: envSnapshot() }, progress_callback);
    } catch (error) {
      worker.terminate();
      throw error;
    }
    return pipe;
  }

  _call(...args) {
    if (this.task === 'text-generation' && (args[1]?.streamer || args[1]?.signal)) return this._generate(args[0], args[1]);
    return this._send({ type: 'call', args });
  }

  /**
   * text-generation with a `streamer` (a TextStreamer: the worker decodes
   * with its tokenizer and the text comes back here, to the streamer's
   * callback_function) and/or a `signal`. An abort is posted to the worker,
   * which sees it between two generation steps and stops there; the call
   * then rejects with `signal.reason` and the pipeline stays usable.
   */
  _generate(input, { streamer = null, signal = null, ...options }) {
    if (streamer && !(streamer instanceof TextStreamer)) {
      return Promise.reject(new HubwasmError('INVALID_ARGUMENT', 'worker pipelines stream through a TextStreamer'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const stream = streamer && { skip_prompt: streamer.skip_prompt, decode_kwargs: streamer.decode_kwargs };
    const run = this._start({ type: 'call', args: [input, options], stream, abortable: !!signal }, undefined,
      streamer && ((event) => { if (!signal?.aborted) streamer.on_finalized_text(event.text, event.end); }));
    if (!signal) return run.done;
    const onAbort = () => this._worker.postMessage({ type: 'abort', target: run.id });
    signal.addEventListener('abort', onAbort, { once: true });
    return run.done
      .catch((error) => { throw signal.aborted ? signal.reason : error; })
      .finally(() => signal.removeEventListener('abort', onAbort));
  }

  async dispose() {
    await this._send({ type: 'dispose' });
    this._worker.terminate();
  }
}
