// A local stand-in for the Hugging Face Hub's file endpoints, for node:test.
//
//   const hub = await startHubServer({ faults: [{ match: 'config.json', kind: 'status:500', times: 1 }] });
//   await fetch(`${hub.url}hubwasm-fixtures/micro-bert/resolve/main/config.json`);  // 500, then 200
//   await hub.close();
//
// It serves `root/<org>--<name>/<path>` as `GET|HEAD /<org>/<name>/resolve/<revision>/<path>` (any
// revision) with the Hub's headers: ETag (sha256 for LFS files, git blob sha1 otherwise), X-Linked-Etag
// and X-Linked-Size for LFS files, X-Repo-Commit, byte ranges, X-Error-Code on 404, CORS. With
// `redirect: true`, resolve URLs of LFS files answer 302 to `/cdn/<org>--<name>/<path>`, as the Hub
// sends LFS files to its CDN. It listens on 127.0.0.1 only.
//
// Fault rules `{ match, kind, times = Infinity, token, ranged = false }`: `match` is a substring of, or a
// RegExp tested on, the request path; each rule applies to at most `times` requests, and to Range
// requests (hubwasm reads safetensors headers with them before a download) only when `ranged`. Kinds:
//   status:<code>          answer <code> with a JSON error body
//   auth                   answer 401 unless `Authorization: Bearer <token>`
//   slow-first-byte:<ms>   wait <ms> before answering
//   reset                  send the headers and half the body, then reset the connection
//   truncate               announce the full Content-Length, send half the body, then close
//   bad-checksum           send the full body with one byte flipped (same ETag)
//   no-length              send the full body intact, but chunked (no Content-Length), as a streaming server
// The first three are checked, in order, on every request; the last four only on responses that send
// file bytes (GET 200/206), so a redirect does not use them up. A body fault with `chunked: true` also
// leaves out Content-Length (chunked transfer), so the client cannot know the size before the end.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared model folders: $HUBWASM_SHARED/models, by default <repo>/../shared/models. */
export const defaultRoot = path.join(process.env.HUBWASM_SHARED ?? path.join(repoRoot, '..', 'shared'), 'models');

// Files the Hub stores in LFS: its default .gitattributes patterns we use, and anything over 10 MB.
const LFS_EXTENSIONS = new Set(['.safetensors', '.bin', '.onnx', '.model']);
const LFS_MIN_SIZE = 10 * 1024 * 1024;
const isLfs = (file, stat) => stat.size > LFS_MIN_SIZE || LFS_EXTENSIONS.has(path.extname(file));

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Content-Length, Content-Range, Accept-Ranges, X-Linked-Etag, ' +
    'X-Linked-Size, X-Repo-Commit, X-Error-Code, X-Error-Message',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const CONTENT_TYPES = { '.json': 'application/json', '.txt': 'text/plain; charset=utf-8' };

const PRE_KINDS = new Set(['status', 'auth', 'slow-first-byte']);
const BODY_KINDS = new Set(['reset', 'truncate', 'bad-checksum', 'no-length']);

// Hashes by file, size and mtime: computed once per file content.
const hashCache = new Map();

function fileHash(file, stat, lfs) {
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  if (!hashCache.has(key)) {
    hashCache.set(key, (async () => {
      const hash = createHash(lfs ? 'sha256' : 'sha1');
      if (!lfs) hash.update(`blob ${stat.size}\0`); // git's object id of a blob
      for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
      return hash.digest('hex');
    })());
  }
  return hashCache.get(key);
}

/** Parses a single `bytes=` range. Returns null to serve the whole file (no, invalid or multiple
 * ranges: RFC 9110 lets a server ignore those), 'unsatisfiable', or { start, end } (inclusive). */
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start;
  let end = size - 1;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2])); // suffix range: the last N bytes
    if (Number(m[2]) === 0) return 'unsatisfiable';
  } else {
    start = Number(m[1]);
    if (m[2] !== '') {
      if (Number(m[2]) < start) return null;
      end = Math.min(end, Number(m[2]));
    }
  }
  return start >= size ? 'unsatisfiable' : { start, end };
}

function normalizeFaults(rules = []) {
  return rules.map((rule) => {
    const [name, arg] = rule.kind.split(':');
    if (!PRE_KINDS.has(name) && !BODY_KINDS.has(name)) throw new Error(`unknown fault kind ${rule.kind}`);
    if ((name === 'status' || name === 'slow-first-byte') && !(Number(arg) >= 0)) {
      throw new Error(`fault kind ${rule.kind} needs a number`);
    }
    return { ...rule, name, arg: Number(arg), times: rule.times ?? Infinity };
  });
}

const matches = (rule, req, urlPath) =>
  rule.times > 0 && (!req.headers.range || rule.ranged) &&
  (typeof rule.match === 'string' ? urlPath.includes(rule.match) : urlPath.search(rule.match) >= 0);

/**
 * Starts the server. Options: `root` (folder of `<org>--<name>` repos, default `defaultRoot`),
 * `port` (0: any free port), `faults` (rules as above), `redirect` (LFS files via /cdn/),
 * `headers` (added to every answer).
 * Returns `{ url, port, requests, setFaults(rules), close() }`; `requests` logs `{ method, path, status, range? }`
 * (`range`: the Range header, when the request had one).
 */
export async function startHubServer({ root = defaultRoot, port = 0, faults, redirect = false, headers: extraHeaders = {} } = {}) {
  let rules = normalizeFaults(faults);
  const requests = [];
  const closing = new AbortController(); // ends slow-first-byte waits on close()

  async function handle(req, res) {
    const urlPath = new URL(req.url, 'http://127.0.0.1').pathname;
    const reply = (status, headers = {}) => {
      requests.push({ method: req.method, path: urlPath, status, ...(req.headers.range && { range: req.headers.range }) });
      res.writeHead(status, { ...CORS_HEADERS, ...extraHeaders, ...headers });
    };
    const replyError = (status, message, code) => {
      const body = JSON.stringify({ error: message });
      reply(status, {
        'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
        'X-Error-Message': message, ...(code && { 'X-Error-Code': code }),
      });
      res.end(body);
    };

    if (req.method === 'OPTIONS') { // CORS preflight (Range and Authorization are not safelisted)
      reply(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Range, Content-Type',
        'Access-Control-Max-Age': '86400',
      });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return replyError(405, 'Method not allowed');

    for (const rule of rules) {
      if (!PRE_KINDS.has(rule.name) || !matches(rule, req, urlPath)) continue;
      rule.times--;
      if (rule.name === 'slow-first-byte') await sleep(rule.arg, undefined, { signal: closing.signal });
      else if (rule.name === 'status') return replyError(rule.arg, `${http.STATUS_CODES[rule.arg]} (injected)`);
      else if (req.headers.authorization !== `Bearer ${rule.token}`) {
        return replyError(401, 'Invalid credentials in Authorization header');
      }
    }

    const resolve = /^\/([^/]+)\/([^/]+)\/resolve\/[^/]+\/(.+)$/.exec(urlPath);
    const cdn = /^\/cdn\/([^/]+)\/(.+)$/.exec(urlPath);
    if (!resolve && !cdn) return replyError(404, 'Not found');
    let repo, segments;
    try {
      repo = resolve ? `${decodeURIComponent(resolve[1])}--${decodeURIComponent(resolve[2])}`
        : decodeURIComponent(cdn[1]);
      segments = (resolve ? resolve[3] : cdn[2]).split('/').map(decodeURIComponent);
    } catch {
      return replyError(400, 'Invalid URL encoding');
    }
    const repoDir = path.join(root, repo);
    if (repo.includes('/') || repo.startsWith('.') || !fs.statSync(repoDir, { throwIfNoEntry: false })?.isDirectory()) {
      return replyError(404, 'Repository not found', 'RepositoryNotFound');
    }
    // No '..', '.' or empty segments, and no '/' hidden in an encoded segment: stay inside the repo.
    const inRepo = segments.every((s) => s && s !== '.' && s !== '..' && !s.includes('/'));
    const file = path.join(repoDir, ...segments);
    const stat = inRepo ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!stat?.isFile()) return replyError(404, 'Entry not found', 'EntryNotFound');

    const lfs = isLfs(file, stat);
    const etag = `"${await fileHash(file, stat, lfs)}"`;
    const headers = {
      ETag: etag,
      ...(lfs && { 'X-Linked-Etag': etag, 'X-Linked-Size': String(stat.size) }),
      // A stable fake commit id per repo, as the Hub names the commit a revision resolved to.
      ...(resolve && { 'X-Repo-Commit': createHash('sha1').update(repo).digest('hex') }),
    };
    if (resolve && redirect && lfs) {
      reply(302, { ...headers, Location: `/cdn/${encodeURIComponent(repo)}/${resolve[3]}`, 'Content-Length': 0 });
      return res.end();
    }

    headers['Accept-Ranges'] = 'bytes';
    headers['Content-Type'] = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    const range = parseRange(req.headers.range, stat.size);
    if (range === 'unsatisfiable') {
      reply(416, { ...headers, 'Content-Range': `bytes */${stat.size}`, 'Content-Length': 0 });
      return res.end();
    }
    const { start, end } = range ?? { start: 0, end: stat.size - 1 };
    const fault = req.method === 'GET' && rules.find((rule) => BODY_KINDS.has(rule.name) && matches(rule, req, urlPath));
    if (fault) fault.times--;
    reply(range ? 206 : 200, {
      ...headers, ...(!fault?.chunked && fault?.name !== 'no-length' && { 'Content-Length': end - start + 1 }),
      ...(range && { 'Content-Range': `bytes ${start}-${end}/${stat.size}` }),
    });
    if (req.method === 'HEAD') return res.end();
    await sendBody(res, file, start, end, fault?.name);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // Mid-body (the client went away) or on close(): nothing left to answer.
      if (res.headersSent || closing.signal.aborted) return res.destroy();
      res.writeHead(500, CORS_HEADERS).end(String(err));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    requests,
    setFaults(newRules) { rules = normalizeFaults(newRules); },
    /** Hashes every file of the folder `repo` for its ETag now rather than on its first request (the
     * real Hub has them stored), so a benchmark's clock counts only the client's work. */
    async prehash(repo) {
      const dir = path.join(root, repo);
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name), stat = fs.statSync(file);
        if (stat.isFile()) await fileHash(file, stat, isLfs(file, stat));
      }
    },
    close() {
      closing.abort();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes bytes start..end (inclusive) of `file` to `res`, applying a body fault if given. */
async function sendBody(res, file, start, end, fault) {
  const length = end - start + 1;
  const count = fault === 'reset' || fault === 'truncate' ? Math.floor(length / 2) : length;
  const flipAt = fault === 'bad-checksum' ? start + Math.floor(length / 2) : -1;
  let pos = start;
  if (count > 0) {
    for await (const chunk of fs.createReadStream(file, { start, end: start + count - 1 })) {
      if (flipAt >= pos && flipAt < pos + chunk.length) chunk[flipAt - pos] ^= 0xff;
      pos += chunk.length;
      // Waiting for each chunk to be flushed gives back-pressure, and ensures that the bytes are out
      // before a reset or close below.
      await new Promise((resolve, reject) => res.write(chunk, (err) => (err ? reject(err) : resolve())));
    }
  }
  if (fault === 'reset') res.socket.resetAndDestroy();
  else if (fault === 'truncate') res.socket.end();
  else res.end();
}
