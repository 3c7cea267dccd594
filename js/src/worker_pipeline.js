import { Callable } from './callable.js';
import { env } from './env.js';
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
      this._pending.delete(data.id);
      if (data.type === 'error') pending.reject(deserializeError(data.error));
      else pending.resolve(fromTransferable(data.value, Tensor));
    };
    worker.onerror = (event) => {
      for (const pending of this._pending.values()) pending.reject(new Error(`pipeline worker failed: ${event.message}`));
      this._pending.clear();
    };
  }

  _send(message, progress) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, progress });
      this._worker.postMessage({ ...message, id });
    });
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
    return this._send({ type: 'call', args });
  }

  async dispose() {
    await this._send({ type: 'dispose' });
    this._worker.terminate();
  }
}
