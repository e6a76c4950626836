import { escape } from 'mysql2';
import { TABLE_COLUMNS, type TableName } from './tables';

/** A value as the HR tables store it: integers, and text (datetimes as `YYYY-MM-DD HH:MM:SS.mmm`). */
export type StoredValue = string | number;

/**
 * A multi-row INSERT for MySQL with the values written in (`valuesText`): as mysql2 would write
 * them from placeholders, except for numbers: mysql2 writes them with `'' + n`, and V8 keeps the
 * text of every number so made in a cache that outlives young collections, so each new id's text
 * reached the old generation and stayed there, as garbage, until the next full collection (the
 * peak memory of a long load). `upsert` adds ON DUPLICATE KEY UPDATE of every column but the id.
 */
export function insertText(table: TableName, rows: readonly (readonly StoredValue[])[], upsert: boolean): string {
  const columns = TABLE_COLUMNS[table].map((c) => c.name);
  const insert = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${valuesText(rows)}`;
  if (!upsert) return insert;
  return `${insert} ON DUPLICATE KEY UPDATE ${columns
    .slice(1)
    .map((c) => `${c}=VALUES(${c})`)
    .join(',')}`;
}

/**
 * The tuples of a multi-row INSERT, `(…),(…)`, for values of any kind: integers from fixed texts,
 * plain text quoted as it is, other text, booleans and buffers escaped as mysql2 escapes them,
 * null as NULL.
 */
export function valuesText(rows: readonly (readonly (string | number | boolean | Buffer | null)[])[]): string {
  // Pieces joined once, in an array of the final size: concatenating short strings copies them at every step.
  const width = rows.length > 0 ? rows[0].length : 0;
  const pieces = new Array<string>(rows.length * (width * 2 + 1));
  let p = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    pieces[p++] = r === 0 ? '(' : ',(';
    for (let c = 0; c < row.length; c++) {
      const value = row[c];
      pieces[p++] =
        typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
          ? integerText(value)
          : typeof value === 'string' && plainText(value)
            ? `'${value}'`
            : escape(value);
      pieces[p++] = c === row.length - 1 ? ')' : ',';
    }
  }
  pieces.length = p;
  return pieces.join('');
}

/**
 * Text that needs nothing escaped inside single quotes: no quote, no backslash, no control
 * character. mysql2 would also escape its double quotes (JSON, most of the reject log), which a
 * single-quoted literal does not need; any other text goes through mysql2's escaping.
 */
function plainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 92 || c < 32) return false;
  }
  return true;
}

const THOUSAND = Array.from({ length: 1000 }, (_, i) => String(i));
const PADDED = THOUSAND.map((text) => text.padStart(3, '0'));

/** The decimal text of a non-negative integer, built from fixed pieces, outside V8's number-to-text cache. */
export function integerText(n: number): string {
  if (n < 1000) return THOUSAND[n];
  return integerText(Math.floor(n / 1000)) + PADDED[n % 1000];
}

/** A value LOAD DATA's text can carry. */
export type LoadDataValue = string | number | boolean | null;

/**
 * The rows as LOAD DATA's default text format reads them: fields separated by tabs, rows ended by
 * newlines, and in text the backslash, tab, newline, carriage return and NUL escaped with a
 * backslash (so no text reads as `\N`, NULL). Non-negative integers from fixed texts, as in
 * `insertText`; booleans as 1 and 0; null as `\N`.
 */
export function loadDataText(rows: readonly (readonly LoadDataValue[])[]): string {
  return loadDataTextOf(rows) as string;
}

/**
 * `loadDataText` of any values a statement takes, or null when one is a Buffer: its bytes need
 * not be text, and LOAD DATA reads the file as utf8mb4 text.
 */
export function loadDataTextOf(rows: readonly (readonly (LoadDataValue | Buffer)[])[]): string | null {
  // One string grown piece by piece: V8 links the pieces and copies them once, when the text is
  // encoded, which costs less than an array of pieces joined.
  let text = '';
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const value = row[c];
      if (typeof value === 'string') text += escapeLoadDataText(value);
      else if (typeof value === 'number')
        text += Number.isSafeInteger(value) && value >= 0 ? integerText(value) : String(value);
      else if (typeof value === 'boolean') text += value ? '1' : '0';
      else if (value == null) text += '\\N';
      else return null;
      text += c === row.length - 1 ? '\n' : '\t';
    }
  }
  return text;
}

const LOAD_DATA_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const NEEDS_LOAD_DATA_ESCAPE = /[\\\t\n\r\0]/;

function escapeLoadDataText(text: string): string {
  // A regex test runs in V8's compiled matcher: faster than a loop over char codes, most of all
  // on the reject log's long JSON.
  return NEEDS_LOAD_DATA_ESCAPE.test(text) ? text.replace(/[\\\t\n\r\0]/g, (s) => LOAD_DATA_ESCAPES[s]) : text;
}

/**
 * The LOAD DATA statement that reads `loadDataText` rows of `table` from the client, in utf8mb4;
 * with REPLACE a row whose id exists is replaced (without, LOCAL skips it with a warning).
 */
export function loadDataStatement(table: TableName, mode: '' | 'REPLACE' = ''): string {
  return loadDataInto(
    table,
    TABLE_COLUMNS[table].map((c) => c.name),
    mode,
  );
}

/** The LOAD DATA statement that reads `loadDataText` rows into `columns` of any table. */
export function loadDataInto(table: string, columns: readonly string[], mode: '' | 'REPLACE' = ''): string {
  const replace = mode ? ` ${mode}` : '';
  return `LOAD DATA LOCAL INFILE 'rows.tsv'${replace} INTO TABLE ${table} CHARACTER SET utf8mb4 (${columns.join(',')})`;
}

const LOAD_DATA_UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0' };

/** The rows of `loadDataText` again (ids and references as numbers): its exact inverse. */
export function rowsOfLoadDataText(table: TableName, text: string): StoredValue[][] {
  const columns = TABLE_COLUMNS[table];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) =>
    line.split('\t').map((field, c) => {
      const kind = columns[c]?.kind;
      if (kind === 'id' || kind === 'reference') return Number(field);
      return field.replace(/\\(.)/g, (_, e: string) => LOAD_DATA_UNESCAPES[e] ?? e);
    }),
  );
}

/** Whether another table's rows point at `table`'s (REPLACE would delete rows they reference). */
export function isReferenced(table: TableName): boolean {
  return Object.values(TABLE_COLUMNS).some((columns) => columns.some((c) => c.references === table));
}
