/**
 * How the reject log stores a batch's rejected rows in `rejected_rows`. Consecutive rows share one
 * entry, up to `MAX_PACKED_ROWS` rows and about `MAX_PACKED_CHARS` characters: `raw_row` is then the
 * JSON array of their rows, `errors` the JSON array of their reason lists, `raw_text` the JSON array
 * of their texts as kept (null when none keeps one: JSON rows, and rows `rejects.csv` writes back from
 * their values), `text_chars` the sum of the lengths of their texts as sent, and `packed_rows` how
 * many rows the entry holds. A row whose text was too long to keep is an entry of its own, as is a
 * row alone. A rejected batch of 1,000 rows is then about ten entries for the database to store, not
 * 1,000, while a page of the log still reads a few dozen KB at most. Entries are keyed by the number
 * of their first row, so a row's place in the log (batch, row number) is the same however it is
 * stored.
 */

/**
 * At most this many rows in one entry (a page of `rejects.csv`, so that a page reads an entry or
 * two), and about this many characters of JSON and text.
 */
export const MAX_PACKED_ROWS = 100;
export const MAX_PACKED_CHARS = 65_536;

/** A rejected row as the batch writer gives it to the log. */
export interface LoggedRowInput {
  line: number;
  /** `{ line, values, columns? }`: the values as they came, or a JSON row's object with its line. */
  row: unknown;
  /** The row's text as sent; null for a JSON row, for a row too long to keep, or one written back from its values. */
  text: string | null;
  /** The length of the row's text as sent, kept or written back from the values. */
  textChars?: number;
  textLeftOut: boolean;
  /** The row's reasons; empty for a good row of a rejected batch. */
  errors: readonly unknown[];
}

/**
 * One entry of `rejected_rows` as written: one row, or `packedRows` consecutive rows (`rawRow`,
 * `errors` and `text` then JSON arrays, `textChars` the sum of the texts' lengths).
 */
export interface LogEntry {
  rowNo: number;
  packedRows: number;
  line: number;
  rawRow: string;
  errors: string;
  text: string | null;
  textChars: number | null;
  textLeftOut: boolean;
}

/** One row of the log as read back from its entry; `rawRow` and `errors` are JSON. */
export interface LoggedRow {
  rowNo: number;
  line: number;
  rawRow: string;
  errors: string;
  text: string | null;
}

/** The length of a row's text as sent, kept or not; null for a row without text. */
const charsOf = (row: LoggedRowInput): number | null => row.text?.length ?? row.textChars ?? null;

const errorsJson = (row: LoggedRowInput): string => (row.errors.length === 0 ? '[]' : JSON.stringify(row.errors));

/**
 * About how many characters a row adds to an entry: its values' and kept text's lengths, without
 * JSON's escapes (a CSV row's values are cut to 1 KB each, so escapes at most multiply this by six),
 * and its reasons' JSON, which few rows have.
 */
export function entryChars(row: LoggedRowInput): number {
  const values = (row.row as { values?: unknown } | null)?.values;
  let chars = 24 + (row.text?.length ?? 0) + (row.errors.length === 0 ? 2 : JSON.stringify(row.errors).length);
  if (!Array.isArray(values)) return chars + JSON.stringify(row.row).length;
  for (const value of values) chars += typeof value === 'string' ? value.length + 3 : 24;
  return chars;
}

/**
 * The entries that store a batch's rejected rows, in row order. A packed entry's arrays are each
 * written by one JSON.stringify: no text per row to build and join.
 */
export function logEntries(rows: readonly LoggedRowInput[]): LogEntry[] {
  const entries: LogEntry[] = [];
  let rowNo = 0;
  while (rowNo < rows.length) {
    const first = rows[rowNo];
    let next = rowNo + 1;
    if (!first.textLeftOut) {
      let chars = entryChars(first);
      while (
        next < rows.length &&
        !rows[next].textLeftOut &&
        next - rowNo < MAX_PACKED_ROWS &&
        chars < MAX_PACKED_CHARS
      ) {
        chars += entryChars(rows[next]);
        next++;
      }
    }
    if (next - rowNo === 1) {
      entries.push({
        rowNo,
        packedRows: 1,
        line: first.line,
        rawRow: JSON.stringify(first.row),
        errors: errorsJson(first),
        text: first.text,
        textChars: charsOf(first),
        textLeftOut: first.textLeftOut,
      });
    } else {
      const packed = rows.slice(rowNo, next);
      let textChars: number | null = null;
      let anyText = false;
      for (const row of packed) {
        const chars = charsOf(row);
        if (chars !== null) textChars = (textChars ?? 0) + chars;
        anyText ||= row.text !== null;
      }
      entries.push({
        rowNo,
        packedRows: packed.length,
        line: first.line,
        rawRow: JSON.stringify(packed.map((row) => row.row)),
        errors: JSON.stringify(packed.map((row) => row.errors)),
        text: anyText ? JSON.stringify(packed.map((row) => row.text)) : null,
        textChars,
        textLeftOut: false,
      });
    }
    rowNo = next;
  }
  return entries;
}

/** The rows an entry holds, each with its own line, values, reasons and text (null when not read). */
export function unpackEntry(
  entry: Pick<LogEntry, 'rowNo' | 'packedRows' | 'line' | 'rawRow' | 'errors' | 'text'>,
): LoggedRow[] {
  if (entry.packedRows <= 1)
    return [{ rowNo: entry.rowNo, line: entry.line, rawRow: entry.rawRow, errors: entry.errors, text: entry.text }];
  const raws = JSON.parse(entry.rawRow) as unknown[];
  const reasons = JSON.parse(entry.errors) as unknown[];
  const texts = entry.text === null ? [] : (JSON.parse(entry.text) as (string | null)[]);
  return raws.map((raw, i) => {
    const line = (raw as { line?: unknown } | null)?.line;
    return {
      rowNo: entry.rowNo + i,
      line: typeof line === 'number' ? line : entry.line,
      rawRow: JSON.stringify(raw),
      errors: JSON.stringify(reasons[i] ?? []),
      text: texts[i] ?? null,
    };
  });
}
