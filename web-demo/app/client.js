// The page's side of the demo worker (worker.js): requests with promises, progress and streamed text as
// callbacks, network-request reports, and a stop that works mid-generation.
export class DemoWorker {
  /** `onNet({ url, kind, at })` for each request the worker makes; `onFatal(error)` if the worker dies. */
  constructor({ env, onNet = () => {}, onFatal = () => {} }) {
    this.env = env;
    this.onNet = onNet;
    this.onFatal = onFatal;
    this.nextId = 0;
    this.pending = new Map();
    // A shared flag lets the page stop generation while the worker is busy in WebAssembly; it needs
    // cross-origin isolation (COOP/COEP). Without it, stop() restarts the worker.
    this.stopBuffer = self.crossOriginIsolated && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : null;
    this.stopFlag = this.stopBuffer ? new Int32Array(this.stopBuffer) : null;
  }

  /** Starts the worker; resolves with what the package offers (tasks, streaming, runtime). */
  start() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'hubwasm-demo' });
    return new Promise((resolve, reject) => {
      this.worker.onmessage = ({ data }) => {
        if (data.type === 'net') return this.onNet(data);
        if (data.type === 'ready-module') return resolve(data.capabilities);
        if (data.type === 'fatal') return reject(Object.assign(new Error(data.error.message), data.error));
        const pending = this.pending.get(data.id);
        if (!pending) return;
        if (data.type === 'progress') return pending.onProgress?.(data.event);
        if (data.type === 'stream') return pending.onStream?.(data.text, data.tokens);
        this.pending.delete(data.id);
        if (data.type === 'error') pending.reject(Object.assign(new Error(data.error.message), data.error));
        else pending.resolve({ value: data.value, timing: data.timing });
      };
      this.worker.onerror = (event) => {
        event.preventDefault?.();
        const error = Object.assign(new Error(`the demo worker failed: ${event.message || 'it could not start (see the browser console)'}`), { code: 'WORKER_FAILED' });
        reject(error);
        this.failAll(error);
        this.onFatal(error);
      };
      this.worker.postMessage({ type: 'init', env: this.env, stopFlag: this.stopBuffer });
    });
  }

  failAll(error) {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  request(type, payload = {}, { onProgress, onStream } = {}) {
    const id = this.nextId++;
    if (type === 'run' && this.stopFlag) Atomics.store(this.stopFlag, 0, 0);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, onStream });
      this.worker.postMessage({ ...payload, type, id });
    });
  }

  /** Stops a running generation. Returns 'flag' (the model stays loaded) or 'restarted' (reload needed). */
  async stop() {
    if (this.stopFlag) {
      Atomics.store(this.stopFlag, 0, 1);
      return 'flag';
    }
    this.worker.terminate();
    this.failAll(Object.assign(new Error('stopped'), { code: 'ABORTED', name: 'AbortError' }));
    await this.start();
    return 'restarted';
  }
}
