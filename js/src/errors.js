/**
 * Every error hubwasm throws on purpose is a HubwasmError with a stable `code`:
 * INVALID_ARGUMENT, INVALID_FILE, MISSING_FILE, INVALID_CONFIG, CONFIG_MISMATCH,
 * MISSING_TENSOR, UNSUPPORTED_MODEL, UNSUPPORTED_FEATURE, OUT_OF_MEMORY (from
 * the WebAssembly core), HTTP_ERROR, NETWORK_ERROR (from the Hub client),
 * IO_ERROR (a local file could not be written or read: disk full,
 * permissions; Node) and MODEL_TOO_LARGE (refused before download:
 * memory_budget.js).
 */
export class HubwasmError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'HubwasmError';
    this.code = code;
    Object.assign(this, details);
  }
}

/** Throws the error the WebAssembly core parked, if any; else returns `result`. */
export function checkNative(native, result, context = '') {
  const error = native.takeError();
  if (error) {
    throw new HubwasmError(error.code, context ? `${context}: ${error.message}` : error.message);
  }
  return result;
}
