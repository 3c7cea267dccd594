// A page bundled by Vite from the installed tarball. The Hub URL comes from the
// query string; served with COOP/COEP it runs the threaded build with 2 threads.
import { env, pipeline, runtimeInfo } from 'hubwasm';

env.remoteHost = new URLSearchParams(location.search).get('hub');
env.backends.wasm.numThreads = 2;
try {
  const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  const out = await extractor(['bundled by vite', 'still the same numbers'], { pooling: 'mean', normalize: true });
  window.__result = { dims: out.dims, data: Array.from(out.data), runtime: runtimeInfo(), isolated: self.crossOriginIsolated };
} catch (e) {
  window.__result = { error: String(e.stack ?? e) };
}
