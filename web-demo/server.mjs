#!/usr/bin/env node
// The demo's web server: serves web-demo/ at /, the package's js/ at /js/ (and the browser build of its
// dependencies from node_modules/), all with COOP/COEP so that the page is cross-origin isolated.
// With a folder of Hub-format repos (`<org>--<name>/`), it also serves that folder under the Hub URL scheme
// at /hub/ (tests/js/hub_server.mjs behind a same-origin proxy), so the page works with no internet.
//
//   node web-demo/server.mjs                      # the Hub, else ../shared/models if the Hub is unreachable
//   HUB_DIR=../shared/models node web-demo/server.mjs
//   HUB_URL=http://mirror.example/ MODEL=org/name PORT=8081 node web-demo/server.mjs
//
// Settings (environment): PORT (8080), HOST (127.0.0.1), HUB_URL, HUB_DIR, MODEL, HUBWASM_SHARED.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHubServer } from '../tests/js/hub_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const HF_HUB = 'https://huggingface.co/';
export const DEFAULT_ONLINE_MODEL = 'distilbert/distilbert-base-uncased-finetuned-sst-2-english';
export const DEFAULT_OFFLINE_MODEL = 'hubwasm-fixtures/tiny-sentiment-bert';
export const defaultSharedModels = path.join(process.env.HUBWASM_SHARED ?? path.join(repoRoot, '..', 'shared'), 'models');

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.md': 'text/plain; charset=utf-8',
};

/** True when `url` answers a HEAD within `timeoutMs` (any HTTP status below 500). */
export async function hubReachable(url = HF_HUB, timeoutMs = 2500) {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** The repos of a Hub-format folder: `<org>--<name>/config.json` → [{ id, model_type, architectures }]. */
export function listModels(dir) {
  const models = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const sep = entry.name.indexOf('--');
    if (sep <= 0 || entry.name.startsWith('.')) continue;
    const configFile = path.join(dir, entry.name, 'config.json');
    if (!fs.existsSync(configFile)) continue;
    let config = {};
    try { config = JSON.parse(fs.readFileSync(configFile, 'utf8')); } catch { /* listed; the page reports the bad file */ }
    models.push({
      id: `${entry.name.slice(0, sep)}/${entry.name.slice(sep + 2)}`,
      model_type: typeof config.model_type === 'string' ? config.model_type : null,
      architectures: Array.isArray(config.architectures) ? config.architectures.filter((a) => typeof a === 'string') : [],
    });
  }
  return models.sort((a, b) => a.id.localeCompare(b.id));
}

// Bare module specifiers ('@huggingface/jinja') resolved to files under /node_modules/, as a dev server
// does: browsers (and module workers, which have no import maps) need URLs.
const bareCache = new Map();
function resolveBare(specifier) {
  if (!bareCache.has(specifier)) {
    let resolved = null;
    try {
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      const sub = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
      const pkgDir = path.join(repoRoot, 'node_modules', name);
      const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      let entry = sub;
      if (!entry) {
        const dot = typeof pkg.exports === 'string' ? pkg.exports : pkg.exports?.['.'];
        entry = (typeof dot === 'string' ? dot : dot?.browser ?? dot?.import ?? dot?.default) ?? pkg.module ?? pkg.main ?? 'index.js';
      }
      const file = path.join(pkgDir, entry);
      if (fs.existsSync(file)) resolved = `/node_modules/${name}/${path.relative(pkgDir, file).split(path.sep).join('/')}`;
    } catch { /* left as it is: the browser reports it */ }
    bareCache.set(specifier, resolved);
  }
  return bareCache.get(specifier);
}

function rewriteBareImports(source) {
  const fix = (match, head, quote, specifier) => {
    if (/^(\.|\/|[a-z]+:)/.test(specifier)) return match;
    const resolved = resolveBare(specifier);
    return resolved ? `${head}${quote}${resolved}${quote}` : match;
  };
  return source
    .replace(/(\bfrom\s*)(['"])([^'"\n]+)\2/g, fix)
    .replace(/(\bimport\s*\(\s*)(['"])([^'"\n]+)\2/g, fix)
    .replace(/(\bimport\s+)(['"])([^'"\n]+)\2/g, fix);
}

/** A file under `root` for URL path `rel`, or null (never outside `root`). */
function fileUnder(root, rel) {
  const file = path.join(root, rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return fileUnder(root, path.join(rel, 'index.html'));
  return stat?.isFile() ? file : null;
}

/**
 * Starts the demo server. Options: `port` (0: any free port), `host`, `hubUrl`, `hubDir`, `model`,
 * `sharedDir` (the offline fallback), `probe` (async () => whether huggingface.co answers).
 * Returns { url, source, model, message, close() }.
 */
export async function startDemoServer({
  port = 8080, host = '127.0.0.1', hubUrl = null, hubDir = null, model = null,
  sharedDir = defaultSharedModels, probe = () => hubReachable(),
} = {}) {
  let source;
  if (hubDir) {
    source = { kind: 'dir', dir: path.resolve(hubDir), note: `Hub-format folder ${path.resolve(hubDir)} (HUB_DIR)` };
  } else if (hubUrl) {
    source = { kind: 'url', url: hubUrl.replace(/\/?$/, '/'), note: `Hub-compatible server ${hubUrl} (HUB_URL)` };
  } else if (await probe()) {
    source = { kind: 'hub', url: HF_HUB, note: `the Hugging Face Hub (${HF_HUB})` };
  } else if (fs.existsSync(sharedDir)) {
    source = {
      kind: 'dir', dir: path.resolve(sharedDir), fallback: true,
      note: `offline mirror ${path.resolve(sharedDir)} — ${HF_HUB} could not be reached, so the demo falls back to the shared test models`,
    };
  } else {
    source = {
      kind: 'none',
      note: `none — ${HF_HUB} could not be reached and ${sharedDir} does not exist; set HUB_URL or HUB_DIR`,
    };
  }
  if (source.kind === 'dir' && !fs.statSync(source.dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`HUB_DIR ${source.dir} is not a folder`);
  }

  const hub = source.kind === 'dir' ? await startHubServer({ root: source.dir, port: 0 }) : null;
  const models = source.kind === 'dir' ? listModels(source.dir) : [];
  const chosen = model || (source.kind === 'dir'
    ? (models.find((m) => m.id === DEFAULT_OFFLINE_MODEL) ?? models[0])?.id ?? DEFAULT_OFFLINE_MODEL
    : DEFAULT_ONLINE_MODEL);
  const demoConfig = {
    source: source.kind,
    fallback: Boolean(source.fallback),
    remoteHost: source.kind === 'dir' ? '/hub/' : source.url ?? null,
    // Where "the model's Hub page" is: the real Hub for Hub ids; the mirror's files otherwise.
    hubPage: source.kind === 'url' ? source.url : HF_HUB,
    model: chosen,
    models,
    note: source.note,
  };

  function send(res, status, body, headers = {}) {
    res.writeHead(status, { ...ISOLATION, 'Cache-Control': 'no-cache', ...headers });
    res.end(body);
  }

  function proxyToHub(req, res, rest) {
    const upstream = http.request({
      host: '127.0.0.1', port: hub.port, method: req.method, path: rest,
      headers: Object.fromEntries(['range', 'authorization', 'if-none-match'].filter((h) => req.headers[h]).map((h) => [h, req.headers[h]])),
    }, (answer) => {
      res.writeHead(answer.statusCode, { ...answer.headers, ...ISOLATION });
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : send(res, 502, 'hub folder server failed')));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  const server = http.createServer((req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(res, 400, 'bad URL');
    }
    if (hub && urlPath.startsWith('/hub/')) return proxyToHub(req, res, req.url.slice('/hub'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    if (urlPath === '/demo-config.json') {
      return send(res, 200, JSON.stringify(demoConfig), { 'Content-Type': TYPES['.json'] });
    }
    let file = null;
    if (urlPath.startsWith('/js/')) file = fileUnder(path.join(repoRoot, 'js'), urlPath.slice(4));
    else if (urlPath.startsWith('/node_modules/')) file = fileUnder(path.join(repoRoot, 'node_modules'), urlPath.slice(14));
    else file = fileUnder(here, urlPath === '/' ? 'index.html' : urlPath.slice(1));
    if (!file || path.basename(file) === 'server.mjs') return send(res, 404, 'not found', { 'Content-Type': 'text/plain' });
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (/\.m?js$/.test(file) && !file.startsWith(here + path.sep)) {
      return send(res, 200, req.method === 'HEAD' ? undefined : rewriteBareImports(fs.readFileSync(file, 'utf8')), { 'Content-Type': type });
    }
    res.writeHead(200, { ...ISOLATION, 'Cache-Control': 'no-cache', 'Content-Type': type, 'Content-Length': fs.statSync(file).size });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`,
    port: actual,
    source: source.kind,
    fallback: Boolean(source.fallback),
    model: chosen,
    note: source.note,
    hubRequests: hub?.requests ?? [],
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await hub?.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env;
  const demo = await startDemoServer({
    port: Number(env.PORT || 8080), host: env.HOST || '127.0.0.1',
    hubUrl: env.HUB_URL || null, hubDir: env.HUB_DIR || null, model: env.MODEL || null,
  });
  console.log(`hubwasm demo: open ${demo.url}`);
  console.log(`model source: ${demo.note}`);
  if (demo.source !== 'none') console.log(`model: ${demo.model} (type another id in the page, or add ?model=org/name)`);
  else console.log('the page will say that no model source is reachable');
  console.log('Ctrl-C stops the server.');
  const stop = async () => { await demo.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
