/**
 * The one order of names in every answer, whatever the database: the Unicode Collation Algorithm's
 * root order ignoring case and accents, ties broken by the exact text (UTF-16 code units), so that
 * names differing only in case or accents sit side by side in a fixed order. Databases are not
 * asked to sort names: SQLite lowercases only ASCII, and MySQL's collations tie such names and may
 * return them in either order.
 */
const baseLetters = new Intl.Collator('und', { sensitivity: 'base' });

export function compareNames(a: string, b: string): number {
  return baseLetters.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
