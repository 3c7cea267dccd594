/**
 * Base class for objects that are called like functions (`await model(inputs)`,
 * `await extractor(texts)`), as in transformers.js: the instance is a closure
 * whose prototype is the subclass's, and calling it runs `_call`.
 */
export class Callable {
  constructor() {
    const closure = (...args) => closure._call(...args);
    return Object.setPrototypeOf(closure, new.target.prototype);
  }
}
