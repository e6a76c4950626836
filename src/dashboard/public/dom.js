// @ts-check
/** What the page's modules share: elements by id, table cells, and number formats. */

export const number = new Intl.NumberFormat('en-US');
export const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * The element with this id, of the kind asked for; a missing one is a bug in the page, so it throws.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T }} [kind]
 * @returns {T}
 */
export function $(id, kind) {
  const element = document.getElementById(id);
  if (!(element instanceof (kind ?? HTMLElement))) throw new Error(`The page has no element #${id}`);
  return /** @type {T} */ (element);
}

/**
 * @param {string} id
 * @param {string} value
 */
export function setText(id, value) {
  $(id).textContent = value;
}

/**
 * A new element holding text (never HTML, so nothing from the API is parsed as markup).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} text
 * @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}
