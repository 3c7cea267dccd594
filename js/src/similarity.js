/** Cosine similarity of two vectors (arrays or typed arrays), as transformers.js's cos_sim. */
export function cos_sim(a, b) {
  if (a.length !== b.length) throw new RangeError(`cos_sim: lengths ${a.length} and ${b.length} differ`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
