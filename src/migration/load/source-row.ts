import type { CsvRow } from '../csv/csv-tokenizer';

/** A row to load, from a CSV line or a JSON array element; `line` is the line (or the array position). */
export interface SourceRow extends CsvRow {
  /** The row as it came when it was not CSV (a JSON object), for the reject log. */
  original?: unknown;
}

const KEPT_VALUE_CHARS = 1024;

/**
 * A rejected row as the reject log keeps it: the values as they came, but at most one column more
 * than the table has and 1 KB a value, so one hostile line cannot fill the log.
 */
export function rawRow(row: SourceRow, tableColumns: number): Record<string, unknown> {
  if (row.original !== undefined) return { line: row.line, values: row.original };
  // Most rows are kept as they are: no copy of their values.
  if (row.columns === row.values.length && row.values.length <= tableColumns + 1 && row.values.every(isShort))
    return { line: row.line, values: row.values };
  const values = row.values
    .slice(0, tableColumns + 1)
    .map((v) => (isShort(v) ? v : `${v.slice(0, KEPT_VALUE_CHARS)}…`));
  return row.columns > values.length ? { line: row.line, values, columns: row.columns } : { line: row.line, values };
}

function isShort(value: string): boolean {
  return value.length <= KEPT_VALUE_CHARS;
}

export function keptValue(value: string | null): string | null {
  return value === null || isShort(value) ? value : `${value.slice(0, KEPT_VALUE_CHARS)}…`;
}

/** What a kept value may not hold for a row's text to be written back from its values. */
const NOT_PLAIN = /["\r\n\t,;|]/;
const COMMA = 44;
const SEMICOLON = 59;
const BAR = 124;

/**
 * Whether `rejects.csv` writes `text`, the row's text as sent, back from the row's kept values byte
 * for byte, with or without the reasons columns, so that the reject log need not keep the text: the
 * values are all there and uncut, none holds a quote, a line end, a tab or any delimiter (so none is
 * quoted, and a formula is neutralized the same in the line as in its cells), and the text is them
 * joined by one delimiter.
 */
export function textFromValues(row: SourceRow, text: string, tableColumns: number): boolean {
  const { values } = row;
  if (row.original !== undefined || row.columns !== values.length || values.length > tableColumns + 1) return false;
  let at = 0;
  let separator = -1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) {
      const c = text.charCodeAt(at);
      if (separator === -1 && (c === COMMA || c === SEMICOLON || c === BAR)) separator = c;
      if (c !== separator) return false;
      at++;
    }
    if (!isShort(value) || NOT_PLAIN.test(value) || !text.startsWith(value, at)) return false;
    at += value.length;
  }
  return at === text.length;
}
