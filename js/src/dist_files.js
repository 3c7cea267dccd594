/**
 * Where the package's dist/ files are fetched from when
 * env.backends.wasm.wasmPaths moves them: `base` is a URL, or a path of the
 * page's site ('/wasm/'). Returns file name -> URL, or undefined when `base`
 * is not set (each caller then uses its `new URL('../dist/...',
 * import.meta.url)`, which bundlers see as an asset).
 */
export function locator(base) {
  if (!base) return undefined;
  const prefix = typeof base === 'string' ? base : base.href;
  const folder = new URL(prefix.endsWith('/') ? prefix : `${prefix}/`, globalThis.location?.href);
  return (file) => new URL(file, folder).href;
}
