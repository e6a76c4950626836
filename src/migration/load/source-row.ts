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
