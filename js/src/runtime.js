import { env, IS_NODE } from './env.js';
import { locator } from './dist_files.js';
import { HubwasmError, checkNative } from './errors.js';
import { cpuCount, loadNodeThreadedBuild, readFileIfExists } from './platform/node.js';

// The two builds of the WebAssembly core, chosen when it is first needed:
//   'simd-threads'  hubwasm-mt: SIMD128 + pthreads, a pool of numThreads - 1
//                   Web Workers (worker_threads in Node) created with the
//                   module; used for more than one thread where
//                   SharedArrayBuffer is: in Node, and in cross-origin
//                   isolated pages (COOP/COEP headers).
//   'simd'          hubwasm: SIMD128, single-threaded: everywhere else, and
//                   for one thread (smaller, and no idle worker).

let loading = null;
let active = null;

/** True where a threaded build can run: Node, or a cross-origin isolated page or worker. */
function threadsPossible() {
  return typeof SharedArrayBuffer === 'function' && (IS_NODE || globalThis.crossOriginIsolated === true);
}

/** env.backends.wasm.numThreads, checked; 0 or unset means the default. */
function requestedThreads() {
  const n = env.backends.wasm.numThreads;
  if (n === undefined || n === null || n === 0) return 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new HubwasmError('INVALID_ARGUMENT', `env.backends.wasm.numThreads must be a positive integer (or 0 for the default), got ${n}`);
  }
  return n;
}

/** onnxruntime-web's default (which transformers.js inherits): min(4, ceil(cores / 2)). */
async function defaultThreads() {
  const cores = IS_NODE ? await cpuCount() : globalThis.navigator?.hardwareConcurrency;
  return Math.min(4, Math.ceil((cores || 1) / 2));
}

/**
 * The threaded build's browser files. Written as literal URLs so bundlers emit
 * them as assets; the glue is imported by URL, not bundled, because every
 * pool worker imports it again by that URL (mainScriptUrlOrBlob).
 */
function threadedFiles(locate) {
  if (locate) {
    return { glue: locate('hubwasm-mt.mjs'), wasm: locate('hubwasm-mt.wasm'), worker: locate('hubwasm-mt.worker.js') };
  }
  return {
    glue: new URL('../dist/hubwasm-mt.mjs', import.meta.url).href,
    wasm: new URL('../dist/hubwasm-mt.wasm', import.meta.url).href,
    worker: new URL('../dist/hubwasm-mt.worker.js', import.meta.url).href,
  };
}

/**
 * Bundlers may inline the small worker script as a data: URL (Vite does);
 * a worker started from one has an opaque origin and cannot share the
 * module's memory, so such a script is handed over as a same-origin blob: URL.
 */
async function sameOriginScript(url) {
  if (!url.startsWith('data:')) return url;
  const source = await (await fetch(url)).blob();
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

async function instantiate(threaded, threads) {
  const locate = locator(env.backends.wasm.wasmPaths);
  if (threaded) {
    const options = { pthreadPoolSize: threads - 1 };
    if (IS_NODE) return loadNodeThreadedBuild({ ...options, locateFile: locate });
    const files = threadedFiles(locate);
    const worker = await sameOriginScript(files.worker);
    options.mainScriptUrlOrBlob = files.glue;
    options.locateFile = (file) => (file.endsWith('.wasm') ? files.wasm : worker);
    const { default: create } = await import(/* @vite-ignore */ files.glue);
    return create(options);
  }
  const options = {};
  if (locate) options.locateFile = locate;
  if (IS_NODE && !locate) {
    // Emscripten 3.1.6's glue would fetch() a file path in Node (toolchain.md P3).
    options.wasmBinary = await readFileIfExists(new URL('../dist/hubwasm.wasm', import.meta.url));
  }
  const { default: create } = await import('../dist/hubwasm.mjs');
  return create(options);
}

/**
 * The WebAssembly core, instantiated once and shared. env.backends.wasm.numThreads
 * is read here, at the first load (as onnxruntime-web reads it at its first session).
 */
export function getRuntime() {
  loading ??= (async () => {
    const requested = requestedThreads();
    const threads = threadsPossible() ? requested || await defaultThreads() : 1;
    const threaded = threads > 1;
    const native = await instantiate(threaded, threads);
    if (threads > 1) checkNative(native, native.setNumThreads(threads), 'env.backends.wasm.numThreads');
    active = { variant: threaded ? 'simd-threads' : 'simd', numThreads: native.numThreads() };
    return native;
  })();
  return loading;
}

/**
 * The build in use and its thread count ({ variant: 'simd' | 'simd-threads',
 * numThreads }), or null before the first model or tokenizer has loaded it.
 */
export function runtimeInfo() {
  return active && { ...active };
}

/** Bytes of WebAssembly memory currently allocated by the core (for leak checks). */
export async function wasmMemoryInUse() {
  return (await getRuntime()).memoryInUse();
}
