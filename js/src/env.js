const IS_NODE = typeof process === 'object' && typeof process.versions?.node === 'string';

/**
 * Global settings, named as in transformers.js where it has them.
 */
export const env = {
  /** Server answering GET {remoteHost}{remotePathTemplate}{file}. */
  remoteHost: 'https://huggingface.co/',
  remotePathTemplate: '{model}/resolve/{revision}/',
  allowRemoteModels: true,
  /** Look in localModelPath ({localModelPath}{model}/{file}) before the Hub. */
  allowLocalModels: IS_NODE,
  localModelPath: IS_NODE ? './models/' : '/models/',
  /** Browser: keep downloads in the Cache API ('hubwasm' cache). */
  useBrowserCache: !IS_NODE && typeof caches !== 'undefined',
  /** Node: keep downloads in a folder. */
  useFSCache: IS_NODE,
  cacheDir: IS_NODE ? `${process.env.XDG_CACHE_HOME ?? `${process.env.HOME ?? '.'}/.cache`}/hubwasm/` : null,
  /** Access token for private and gated repos; in Node HF_TOKEN is read when this is unset. */
  accessToken: IS_NODE ? (process.env.HF_TOKEN ?? null) : null,
  /** Network robustness: attempts per file after the first, the backoff base, and the stall timeout. */
  maxRetries: 3,
  retryDelayMs: 250,
  fetchTimeoutMs: 30_000,
  maxConcurrentDownloads: 4,
  backends: {
    wasm: {
      /**
       * Folder or URL prefix the WebAssembly files (hubwasm.mjs/.wasm, and
       * hubwasm-mt.mjs/.wasm/.worker.js) are loaded from; default: the package's dist/.
       */
      wasmPaths: undefined,
      /**
       * Threads for the kernels. More than 1 loads the threaded build, which
       * needs SharedArrayBuffer (Node, or a cross-origin isolated page;
       * elsewhere always 1). 0 or unset: onnxruntime-web's default,
       * min(4, ceil(logical CPUs / 2)). Read when the runtime first loads.
       */
      numThreads: 0,
      /**
       * Bytes of WebAssembly memory a model may need (wasm32: 4 GiB). A model
       * estimated to need more is refused before its weights are downloaded.
       */
      memoryLimit: 4 * 2 ** 30,
    },
  },
};

export { IS_NODE };
