/**
 * How the reject log stores a batch's rejected rows in `rejected_rows`. Consecutive rows share one
 * entry, up to `MAX_PACKED_ROWS` rows and about `MAX_PACKED_CHARS` characters: `raw_row` is then the
 * JSON array of their rows, `errors` the JSON array of their reason lists, `raw_text` the JSON array
 * of their texts as kept (null when none keeps one: JSON rows, and rows `rejects.csv` writes back from
 * their values), `text_chars` the sum of the lengths of their texts as sent, and `packed_rows` how
 * many rows the entry holds. A row whose text was too long to
 * keep is an entry of its own, as is a row alone. A rejected batch of 1,000 rows is then about ten
 * entries for the database to store, not 1,000, while a page of the log still reads a few dozen KB at
 * most. Entries are keyed by the number of their first row, so a row's place in the log (batch, row
 * number) is the same however it is stored.
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
  /** The length of the row's text as sent when `text` is null but the text is written back from the values. */
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

/** The entries that store a batch's rejected rows, in row order. */
export function logEntries(rows: readonly LoggedRowInput[]): LogEntry[] {
  const entries: LogEntry[] = [];
  let rowNo = 0;
  while (rowNo < rows.length) {
    const first = rows[rowNo];
    const rawRow = JSON.stringify(first.row);
    const errors = errorsJson(first);
    if (first.textLeftOut || rows[rowNo + 1] === undefined || rows[rowNo + 1].textLeftOut) {
      const textChars = charsOf(first);
      entries.push({
        rowNo,
        packedRows: 1,
        line: first.line,
        rawRow,
        errors,
        text: first.text,
        textChars,
        textLeftOut: first.textLeftOut,
      });
      rowNo++;
      continue;
    }
    const raws = [rawRow];
    const reasons = [errors];
    const texts = [first.text];
    let textChars = charsOf(first);
    let chars = rawRow.length + errors.length + (first.text?.length ?? 0);
    let next = rowNo + 1;
    while (next < rows.length && !rows[next].textLeftOut && raws.length < MAX_PACKED_ROWS && chars < MAX_PACKED_CHARS) {
      const row = rows[next];
      const raw = JSON.stringify(row.row);
      const own = errorsJson(row);
      raws.push(raw);
      reasons.push(own);
      texts.push(row.text);
      const rowChars = charsOf(row);
      if (rowChars !== null) textChars = (textChars ?? 0) + rowChars;
      chars += raw.length + own.length + (row.text?.length ?? 0) + 2;
      next++;
    }
    const anyText = texts.some((text) => text !== null);
    entries.push({
      rowNo,
      packedRows: raws.length,
      line: first.line,
      rawRow: `[${raws.join(',')}]`,
      errors: `[${reasons.join(',')}]`,
      text: anyText ? JSON.stringify(texts) : null,
      textChars,
      textLeftOut: false,
    });
    rowNo = next;
  }
  return entries;
}

/** The rows an entry holds, each with its own line, values, reasons and text (null when not read). */
export function unpackEntry(entry: {
  rowNo: number;
  packedRows: number;
  line: number;
  rawRow: string;
  errors: string;
  text: string | null;
}): LoggedRow[] {
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
