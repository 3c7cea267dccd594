import { HubwasmError } from './errors.js';
import { fileUrl, request, withRetries } from './hub.js';

/**
 * Bytes [first, last] of a file on the Hub, by an HTTP Range request, and the
 * file's size. A server that ignores Range answers 200 with the whole file:
 * only the bytes needed are read, then the download is cancelled.
 */
async function fetchRange(url, first, last, options) {
  return withRetries(async () => {
    const { response, stall } = await request(url, { range: [first, last], accessToken: options.accessToken });
    const partial = response.status === 206;
    const total = partial ? Number(response.headers.get('content-range')?.split('/')[1]) : Number(response.headers.get('content-length'));
    const skip = partial ? 0 : first;
    const want = last - first + 1;
    const out = new Uint8Array(want);
    let received = 0;  // bytes of the body read so far
    const reader = response.body.getReader();
    try {
      while (received < skip + want) {
        const { done, value } = await reader.read();
        if (done) break;
        stall.touch();
        const from = Math.max(0, skip - received);
        const to = Math.min(value.length, skip + want - received);
        if (to > from) out.set(value.subarray(from, to), received + from - skip);
        received += value.length;
      }
    } catch (cause) {
      throw new HubwasmError('NETWORK_ERROR', `${url}: reading bytes ${first}-${last} failed: ${cause.message}`, { url, cause });
    } finally {
      stall.done();
      await reader.cancel().catch(() => {});
    }
    if (received < skip + want) {
      throw new HubwasmError('INVALID_FILE', `${url}: the file ends before byte ${last} (not a safetensors file?)`, { url });
    }
    return { bytes: out, total };
  });
}

/**
 * The tensor table ({name: {dtype, shape, data_offsets}}) and size of each
 * safetensors file in `files` of repo `model`, read from the Hub by two Range
 * requests per file (the 8-byte header length, then the JSON header) without
 * downloading the weights.
 */
export async function readSafetensorsHeaders(model, files, options = {}) {
  return Promise.all(files.map(async (file) => {
    const url = fileUrl(model, file, options);
    const { bytes: prefix, total } = await fetchRange(url, 0, 7, options);
    const length = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (!(length > 1 && length <= 100 * 2 ** 20 && (!total || 8 + length <= total))) {
      throw new HubwasmError('INVALID_FILE', `${file} of ${model}: invalid safetensors header length ${length}`);
    }
    const { bytes } = await fetchRange(url, 8, 8 + length - 1, options);
    let header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new HubwasmError('INVALID_FILE', `${file} of ${model}: the safetensors header is not valid JSON`);
    }
    const tensors = Object.entries(header).filter(([name]) => name !== '__metadata__').map(([, t]) => t);
    if (tensors.some((t) => typeof t?.dtype !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0))) {
      throw new HubwasmError('INVALID_FILE', `${file} of ${model}: a tensor of the safetensors header has no valid dtype or shape`);
    }
    return { file, tensors, size: total || 8 + length };
  }));
}
