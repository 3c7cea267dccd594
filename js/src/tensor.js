const ARRAY_TYPES = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
};

/** A typed array with dimensions, as transformers.js's Tensor. */
export class Tensor {
  /**
   * @param {'float32'|'int64'|'int32'} type
   * @param {Float32Array|BigInt64Array|Int32Array|number[]} data
   * @param {number[]} dims
   */
  constructor(type, data, dims) {
    const ArrayType = ARRAY_TYPES[type];
    if (!ArrayType) throw new TypeError(`unsupported tensor type "${type}"`);
    this.type = type;
    this.data = data instanceof ArrayType ? data : ArrayType.from(data);
    this.dims = [...dims];
    if (this.size !== this.data.length) {
      throw new RangeError(`tensor data has ${this.data.length} elements but dims ${JSON.stringify(dims)} need ${this.size}`);
    }
  }

  get size() {
    return this.dims.reduce((a, b) => a * b, 1);
  }

  /** Nested arrays in the shape of `dims`. */
  tolist() {
    const build = (offset, depth) => {
      if (depth === this.dims.length) return this.data[offset];
      const stride = this.dims.slice(depth + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.dims[depth] }, (_, i) => build(offset + i * stride, depth + 1));
    };
    return this.dims.length === 0 ? [] : build(0, 0);
  }
}
