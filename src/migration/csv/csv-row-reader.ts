import type { Readable } from 'node:stream';
import { TABLE_COLUMNS, type TableName } from '../../database/tables';
import { REASONS, textProblem } from '../rules/row-rules';
import { CSV_DELIMITERS, CsvTokenizer, type CsvDelimiter, type CsvRow } from './csv-tokenizer';
import { readHeader, REASON_COLUMNS } from './csv-header';
import { NOT_UTF8_MARK, Utf8Text } from './utf8-text';

export type HeaderMode = 'auto' | 'true' | 'false';

export interface CsvReadOptions {
  /** auto: a first line of the column names is a header; true: the first line must be one; false: no header. */
  header: HeaderMode;
  /** `,` when not given. */
  delimiter?: CsvDelimiter;
}

/** A first line that had to be a header (header=true) and is not one; the message names the columns. */
export class CsvHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvHeaderError';
  }
}

/**
 * Reads CSV rows from a byte stream, a chunk at a time: the stream is only read when the consumer
 * asks for more, so a slow database slows the upload down instead of filling memory. Rows come
 * with their values in the table's column order, whatever the order of the file's header.
 */
export class CsvRowReader {
  private readonly columns: readonly string[];
  private skipped = false;
  private headerLine: string | undefined;
  private fileOrder: readonly string[];
  /** For each column of the table, its position in the file, when the header orders them otherwise. */
  private positions: number[] | undefined;
  /** Columns after the table's that the header named (rejects.csv?reasons=true), ignored in every row. */
  private trailing = 0;

  constructor(
    private readonly table: TableName,
    private readonly options: CsvReadOptions,
  ) {
    this.columns = TABLE_COLUMNS[table].map((c) => c.name);
    this.fileOrder = this.columns;
  }

  /** Whether the first line was a header and was skipped. Known once reading has started. */
  get headerSkipped(): boolean {
    return this.skipped;
  }

  /** The header line exactly as it was sent, when the file had one. */
  get headerText(): string | undefined {
    return this.headerLine;
  }

  /** The table's columns in the order the file gives them: its header's, else the table's. */
  get columnOrder(): readonly string[] {
    return this.fileOrder;
  }

  /** Throws CsvHeaderError when header=true and the first line is not a header of the table. */
  async *read(source: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<CsvRow[]> {
    const decoder = new Utf8Text();
    // One value more than the table has is enough to show what was wrong with a longer row.
    // The reason columns of a rejects.csv?reasons=true header are kept too, to be recognised.
    const tokenizer = new CsvTokenizer(this.columns.length + 1 + REASON_COLUMNS.length, this.options.delimiter);
    let first = true;
    // A run that stops early must not destroy an upload's file stream: the upload drains it instead.
    const chunks = isReadable(source) ? source.iterator({ destroyOnReturn: false }) : source;
    for await (const chunk of chunks) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const rows = markNotText(tokenizer.push(text), typeof chunk !== 'string' && decoder.marked);
      if (first && rows.length > 0) {
        first = false;
        this.takeHeader(rows);
      }
      this.dropTrailing(rows);
      this.markOtherDelimiter(rows);
      if (this.positions !== undefined) reorder(rows, this.positions);
      if (rows.length > 0) yield rows;
    }
    const rows = tokenizer.push(decoder.end());
    rows.push(...tokenizer.end());
    markNotText(rows, decoder.marked);
    if (first && rows.length > 0) this.takeHeader(rows);
    this.dropTrailing(rows);
    this.markOtherDelimiter(rows);
    if (this.positions !== undefined) reorder(rows, this.positions);
    if (rows.length > 0) yield rows;
  }

  /** Rows of a rejects.csv?reasons=true file lose its line, field and reason cells; other widths are left to be rejected. */
  private dropTrailing(rows: CsvRow[]): void {
    if (this.trailing === 0) return;
    const n = this.columns.length;
    for (const row of rows) {
      if (row.columns !== n + this.trailing) continue;
      row.values.length = n;
      row.columns = n;
    }
  }

  /** A line of one column that holds another delimiter was most likely sent with the wrong one: say which. */
  private markOtherDelimiter(rows: CsvRow[]): CsvRow[] {
    const delimiter = this.options.delimiter ?? ',';
    for (const row of rows) {
      if (row.columns !== 1 || row.malformed !== undefined) continue;
      const other = CSV_DELIMITERS.find((d) => d !== delimiter && row.values[0].includes(d));
      if (other === undefined) continue;
      const [named, field] = other === '\t' ? ['tabs', 'tab'] : [`'${other}'`, other];
      row.malformed = `${REASONS.columns(this.columns.length, 1)}: the line is separated by ${named}, send delimiter=${field}`;
    }
    return rows;
  }

  private takeHeader(rows: CsvRow[]): void {
    const candidate = rows[0];
    const mode = this.options.header;
    if (mode === 'false' || (mode === 'auto' && candidate.line !== 1)) return;
    const header = readHeader(candidate, this.table, this.columns);
    if (!header.ok) {
      if (mode === 'true') throw new CsvHeaderError(header.problem);
      return;
    }
    rows.shift();
    this.skipped = true;
    this.headerLine = candidate.rawText?.();
    this.fileOrder = header.names;
    this.trailing = header.trailing;
    const positions = this.columns.map((column) => header.names.indexOf(column));
    if (positions.some((p, i) => p !== i)) this.positions = positions;
  }
}

/** Puts each row's values in the table's order; a row of another width is left as it is, to be rejected. */
function reorder(rows: CsvRow[], positions: number[]): void {
  const n = positions.length;
  for (const row of rows) {
    if (row.columns !== n) continue;
    const values = row.values;
    const ordered: string[] = [];
    for (let i = 0; i < n; i++) ordered.push(values[positions[i]]);
    row.values = ordered;
  }
}

/**
 * Rows holding bytes that are not UTF-8 or control characters are malformed: no field of any table
 * holds them. A row's bad bytes (marked while decoding) read as U+FFFD in the reject log.
 */
function markNotText(rows: CsvRow[], marked: boolean): CsvRow[] {
  for (const row of rows) {
    if (marked && row.values.some((v) => v.includes(NOT_UTF8_MARK))) {
      row.values = row.values.map((v) => v.replaceAll(NOT_UTF8_MARK, '\uFFFD'));
      // Such bytes in a file are most often an Excel "CSV" saved in the Windows code page (cp1252).
      row.malformed ??= `line ${row.line} holds bytes that are not UTF-8 text: save the file as "CSV UTF-8"`;
      continue;
    }
    if (row.malformed !== undefined) continue;
    const problem = textProblem(row.values, 'line', row.line);
    if (problem !== undefined) row.malformed = problem;
  }
  return rows;
}

function isReadable(source: unknown): source is Readable {
  return typeof (source as Readable).iterator === 'function' && typeof (source as Readable).resume === 'function';
}
