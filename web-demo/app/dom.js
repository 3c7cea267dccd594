// DOM helpers. Every string, above all anything a model or a repo provides (labels, tokens, generated
// text, error messages), becomes a text node or a property: this page never assigns HTML.

/** h('div', { class: 'x', onclick }, 'text', child, ...): an element; strings are text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function set(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '';
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A score in [0, 1] as a labelled bar (a <meter>-like row that screen readers read as text). */
export function scoreBar(label, score, { highlight = false } = {}) {
  const pct = Math.max(0, Math.min(1, Number(score) || 0)) * 100;
  return h('li', { class: `bar-row${highlight ? ' best' : ''}` },
    h('div', { class: 'bar-label' }, h('span', { class: 'bar-name' }, String(label)), h('span', { class: 'bar-value' }, `${pct.toFixed(1)}%`)),
    h('div', { class: 'bar-track', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill', style: { width: `${pct}%` } })));
}
