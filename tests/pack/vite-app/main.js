// A page bundled by Vite from the installed tarball. The Hub URL comes from the query string.
import { env, pipeline } from 'hubwasm';

env.remoteHost = new URLSearchParams(location.search).get('hub');
try {
  const extractor = await pipeline('feature-extraction', 'hubwasm-fixtures/micro-bert');
  const out = await extractor(['bundled by vite', 'still the same numbers'], { pooling: 'mean', normalize: true });
  window.__result = { dims: out.dims, data: Array.from(out.data) };
} catch (e) {
  window.__result = { error: String(e.stack ?? e) };
}
