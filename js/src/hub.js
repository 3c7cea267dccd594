import { env } from './env.js';
import { HubwasmError } from './errors.js';

/** URL of `file` in repo `model` at `revision` (and `subfolder`), as the Hub serves it. */
export function fileUrl(model, file, { revision = 'main', subfolder = '' } = {}) {
  const path = env.remotePathTemplate
    .replaceAll('{model}', model)
    .replaceAll('{revision}', encodeURIComponent(revision));
  return new URL(path + (subfolder ? `${subfolder.replace(/\/+$/, '')}/` : '') + file, env.remoteHost).href;
}

function httpError(url, status) {
  let hint = '';
  if (status === 401 || status === 403) {
    hint = ': the repo is private or gated; accept its licence on the Hub and pass an access token (env.accessToken or the accessToken option)';
  } else if (status === 404) {
    hint = ': no such repo, revision or file';
  }
  return new HubwasmError('HTTP_ERROR', `GET ${url} failed with HTTP ${status}${hint}`, { status, url });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (error) => error.code === 'NETWORK_ERROR' || (error.code === 'HTTP_ERROR' && error.status >= 500);

/**
 * Runs `attempt()` up to 1 + env.maxRetries times with exponential backoff,
 * retrying network faults and 5xx answers, never 4xx or bad data.
 */
export async function withRetries(attempt) {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof HubwasmError) || !retryable(error) || i >= env.maxRetries) throw error;
      await sleep(env.retryDelayMs * 2 ** i);
    }
  }
}

/**
 * One request. A 404 gives null when `optional`; other non-2xx statuses and
 * network failures throw HubwasmError naming the URL. The response carries a
 * `stall` AbortController timer the body reader must `touch()` per chunk.
 * `range` ([first, last] byte, inclusive) asks for part of the file.
 * `noStore` keeps the answer out of the browser's HTTP cache: for a file
 * hubwasm's own cache keeps, where the HTTP cache would hold a second copy
 * (and writing it slowed a 475 MiB download in Chromium).
 */
export async function request(url, { method = 'GET', optional = false, accessToken, range, noStore = false } = {}) {
  if (!env.allowRemoteModels) {
    throw new HubwasmError('NETWORK_ERROR', `cannot fetch ${url}: env.allowRemoteModels is false`, { url });
  }
  const headers = {};
  const token = accessToken ?? env.accessToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (range) headers.Range = `bytes=${range[0]}-${range[1]}`;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), env.fetchTimeoutMs);
  const stall = {
    touch() {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), env.fetchTimeoutMs);
    },
    done() { clearTimeout(timer); },
  };
  let response;
  try {
    response = await fetch(url, { method, headers, signal: controller.signal, ...(noStore && { cache: 'no-store' }) });
  } catch (cause) {
    stall.done();
    const reason = controller.signal.aborted ? `no answer within ${env.fetchTimeoutMs} ms` : cause.message;
    throw new HubwasmError('NETWORK_ERROR', `${method} ${url} failed: ${reason}`, { url, cause });
  }
  if (response.ok) return { response, stall };
  stall.done();
  await response.body?.cancel();
  if (optional && response.status === 404) return null;
  throw httpError(url, response.status);
}
