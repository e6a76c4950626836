// @ts-check
/** What the page's modules share: elements by id, table cells, number formats, name order and downloads. */
import { fetchFile, hasReadKey } from './api.js';

/** Every count on the page, in charts and tables alike: English digits with thousands separators (1,929). */
export const number = new Intl.NumberFormat('en');
/** Means, sizes and seconds: the same, with at most one decimal (136.9). */
export const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

const baseLetters = new Intl.Collator('und', { sensitivity: 'base' });

/**
 * Names in the reports' order: the Unicode root collation ignoring case and accents, ties broken by
 * the exact text, so that the table sorts as the service does (src/common/name-order.ts).
 * @param {string} a
 * @param {string} b
 */
export function compareNames(a, b) {
  return baseLetters.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

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

/**
 * A link that downloads a file of the API. With a read key the file is fetched with it and saved
 * from a blob URL, since a plain link cannot send an Authorization header.
 * @param {HTMLAnchorElement} link
 * @param {(message: string) => void} onError
 */
export function keyedDownload(link, onError) {
  link.addEventListener('click', (event) => {
    if (!hasReadKey()) return;
    event.preventDefault();
    fetchFile(link.href).then(
      (blob) => {
        const a = document.createElement('a');
        a.href = window.URL.createObjectURL(blob);
        a.download = link.getAttribute('download') || link.pathname.split('/').pop() || 'download';
        a.click();
        window.setTimeout(() => window.URL.revokeObjectURL(a.href), 0);
      },
      (/** @type {Error} */ error) => onError(`The file could not be downloaded: ${error.message}`),
    );
  });
  return link;
}

/**
 * @param {string} href
 * @param {string} text
 * @param {string} fileName
 * @param {(message: string) => void} onError
 */
export function downloadLink(href, text, fileName, onError) {
  const link = cell('a', text, 'download');
  link.href = href;
  link.download = fileName;
  return keyedDownload(link, onError);
}

/**
 * A scrolling box that keyboard users can reach and scroll, named for screen readers.
 * @param {HTMLElement} element
 * @param {string} label
 */
export function scrollRegion(element, label) {
  element.tabIndex = 0;
  element.setAttribute('role', 'region');
  element.setAttribute('aria-label', label);
  return element;
}
