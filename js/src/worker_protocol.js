// What crosses between the page and the pipeline worker: Tensors as
// {__tensor: {type, data, dims}} with their buffers transferred, errors as
// plain objects that become HubwasmErrors again.
import { HubwasmError } from './errors.js';

export function toTransferable(value, TensorClass) {
  const transfer = [];
  const walk = (v) => {
    if (v instanceof TensorClass) {
      transfer.push(v.data.buffer);
      return { __tensor: { type: v.type, data: v.data, dims: v.dims } };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && v.constructor === Object) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return { value: walk(value), transfer };
}

export function fromTransferable(value, TensorClass) {
  if (Array.isArray(value)) return value.map((v) => fromTransferable(v, TensorClass));
  if (value && typeof value === 'object') {
    if (value.__tensor) return new TensorClass(value.__tensor.type, value.__tensor.data, value.__tensor.dims);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromTransferable(v, TensorClass)]));
  }
  return value;
}

export function serializeError(error) {
  return { name: error.name, code: error.code ?? 'INTERNAL', message: error.message, status: error.status, url: error.url };
}

export function deserializeError({ code, message, status, url }) {
  return new HubwasmError(code, message, { ...(status !== undefined && { status }), ...(url !== undefined && { url }) });
}
