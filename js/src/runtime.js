import { env } from './env.js';

const IS_NODE = typeof process === 'object' && typeof process.versions?.node === 'string';
const MODULE_FILE = 'hubwasm.mjs';
const WASM_FILE = 'hubwasm.wasm';

let loading = null;

function wasmUrl(file) {
  const base = env.backends.wasm.wasmPaths;
  if (base) return new URL(file, typeof base === 'string' ? base : base.href).href;
  return new URL(`../dist/${file}`, import.meta.url).href;
}

/** The WebAssembly core, instantiated once and shared. */
export function getRuntime() {
  loading ??= (async () => {
    const { default: createHubwasm } = await import(new URL(`../dist/${MODULE_FILE}`, import.meta.url).href);
    const options = {};
    if (IS_NODE) {
      // Emscripten 3.1.6's glue would fetch() a file path in Node (toolchain.md P3).
      const { readFile } = await import('node:fs/promises');
      options.wasmBinary = await readFile(new URL(wasmUrl(WASM_FILE)));
    } else {
      options.locateFile = (file) => wasmUrl(file);
    }
    return createHubwasm(options);
  })();
  return loading;
}
