import { env } from './env.js';

/**
 * `promise`, or an Error "`what` for <env.fetchTimeoutMs> ms" when it has not
 * settled by then: the bound on waits for the checksum worker and the cache.
 */
export async function inTime(promise, what) {
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} for ${env.fetchTimeoutMs} ms`)), env.fetchTimeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
