import { env } from './env.js';
import { HubwasmError } from './errors.js';

/** URL of `file` in repo `model` at `revision`, as the Hub serves it. */
export function fileUrl(model, file, { revision = 'main' } = {}) {
  const path = env.remotePathTemplate
    .replaceAll('{model}', model)
    .replaceAll('{revision}', encodeURIComponent(revision));
  return new URL(path + file, env.remoteHost).href;
}

function httpError(url, response) {
  const status = response.status;
  let hint = '';
  if (status === 401 || status === 403) {
    hint = ': the repo is private or gated; accept its licence on the Hub and pass an access token';
  } else if (status === 404) {
    hint = ': no such repo, revision or file';
  }
  return new HubwasmError('HTTP_ERROR', `GET ${url} failed with HTTP ${status}${hint}`, { status, url });
}

async function request(url, method = 'GET') {
  if (!env.allowRemoteModels) {
    throw new HubwasmError('NETWORK_ERROR', `cannot fetch ${url}: env.allowRemoteModels is false`, { url });
  }
  try {
    return await fetch(url, { method });
  } catch (cause) {
    throw new HubwasmError('NETWORK_ERROR', `GET ${url} failed: ${cause.message}`, { url, cause });
  }
}

/** True when the repo has `file` (HEAD answers 2xx), false on 404. */
export async function fileExists(model, file, options) {
  const url = fileUrl(model, file, options);
  const response = await request(url, 'HEAD');
  if (response.ok) return true;
  if (response.status === 404) return false;
  throw httpError(url, response);
}

/**
 * Downloads `file`. With `optional`, a 404 gives null instead of an error.
 * @returns {Promise<Response|null>}
 */
export async function fetchFile(model, file, { optional = false, ...options } = {}) {
  const url = fileUrl(model, file, options);
  const response = await request(url);
  if (response.ok) return response;
  if (optional && response.status === 404) return null;
  throw httpError(url, response);
}

/** Downloads a JSON file; null when `optional` and absent. */
export async function fetchJson(model, file, options = {}) {
  const response = await fetchFile(model, file, options);
  if (!response) return null;
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new HubwasmError('INVALID_FILE', `${file} of ${model}: not valid JSON`);
  }
}

/**
 * Streams a response body into memory that `reserve(size)` provides (an
 * address in WebAssembly memory), so that the file is never held twice.
 * Checks that the body has exactly the announced length.
 */
export async function readInto(response, file, reserve, heap) {
  const announced = Number(response.headers.get('content-length'));
  if (!Number.isFinite(announced) || response.headers.get('content-encoding')) {
    // Unknown length (chunked or compressed): buffer, then copy once.
    const bytes = new Uint8Array(await response.arrayBuffer());
    heap().set(bytes, reserve(bytes.length));
    return bytes.length;
  }
  const address = reserve(announced);
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length > announced) {
        throw new HubwasmError('INVALID_FILE', `${file}: the server sent more than the announced ${announced} bytes`);
      }
      heap().set(value, address + received);  // heap() again: memory growth replaces the view
      received += value.length;
    }
  } catch (cause) {
    if (cause instanceof HubwasmError) throw cause;
    throw new HubwasmError('NETWORK_ERROR', `${file}: download interrupted after ${received} of ${announced} bytes: ${cause.message}`, { cause });
  }
  if (received !== announced) {
    throw new HubwasmError('NETWORK_ERROR', `${file}: download truncated at ${received} of ${announced} bytes`);
  }
  return received;
}
