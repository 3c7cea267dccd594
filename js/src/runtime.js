import createHubwasm from '../dist/hubwasm.mjs';
import { env, IS_NODE } from './env.js';
import { readFileIfExists } from './platform/node.js';

let loading = null;

/** The WebAssembly core, instantiated once and shared. */
export function getRuntime() {
  loading ??= (async () => {
    const options = {};
    const base = env.backends.wasm.wasmPaths;
    if (base) options.locateFile = (file) => new URL(file, typeof base === 'string' ? base : base.href).href;
    if (IS_NODE && !base) {
      // Emscripten 3.1.6's glue would fetch() a file path in Node (toolchain.md P3).
      options.wasmBinary = await readFileIfExists(new URL('../dist/hubwasm.wasm', import.meta.url));
    }
    return createHubwasm(options);
  })();
  return loading;
}

/** Bytes of WebAssembly memory currently allocated by the core (for leak checks). */
export async function wasmMemoryInUse() {
  return (await getRuntime()).memoryInUse();
}
