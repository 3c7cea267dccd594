// Serves a folder over http://127.0.0.1 for browser tests, with the content
// types browsers insist on (application/wasm for streaming compilation) and
// optional extra headers (COOP/COEP for cross-origin isolation).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

/** `pages` maps URL paths to content served instead of files (typed by extension, else HTML); it may be changed while running. */
export async function startStaticServer({ root, headers = {}, pages = {} }) {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (pages[urlPath]) {
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(urlPath)] ?? TYPES['.html'], ...headers });
      res.end(pages[urlPath]);
      return;
    }
    const file = path.join(root, urlPath);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...headers });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    pages,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
