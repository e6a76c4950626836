import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { textProblem } from '../rules/row-rules';
import { CsvTokenizer, type CsvRow } from './csv-tokenizer';

export type HeaderMode = 'auto' | 'true' | 'false';

/**
 * Reads CSV rows from a byte stream, a chunk at a time: the stream is only read when the consumer
 * asks for more, so a slow database slows the upload down instead of filling memory.
 */
export class CsvRowReader {
  private skipped = false;

  constructor(
    private readonly columns: readonly string[],
    private readonly header: HeaderMode,
  ) {}

  /** Whether the first line was a header and was skipped. Known once reading has started. */
  get headerSkipped(): boolean {
    return this.skipped;
  }

  async *read(source: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<CsvRow[]> {
    const decoder = new StringDecoder('utf8');
    // One value more than the table has is enough to show what was wrong with a longer row.
    const tokenizer = new CsvTokenizer(this.columns.length + 1);
    let first = true;
    // A run that stops early must not destroy an upload's file stream: the upload drains it instead.
    const chunks = isReadable(source) ? source.iterator({ destroyOnReturn: false }) : source;
    for await (const chunk of chunks) {
      const rows = markNotText(tokenizer.push(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
      if (first && rows.length > 0) {
        first = false;
        this.dropHeader(rows);
      }
      if (rows.length > 0) yield rows;
    }
    const rows = tokenizer.push(decoder.end());
    rows.push(...tokenizer.end());
    markNotText(rows);
    if (first && rows.length > 0) this.dropHeader(rows);
    if (rows.length > 0) yield rows;
  }

  private dropHeader(rows: CsvRow[]): void {
    const candidate = rows[0];
    if (this.header === 'false') return;
    if (this.header === 'true' || (candidate.line === 1 && isHeader(candidate, this.columns))) {
      rows.shift();
      this.skipped = true;
    }
  }
}

/** Rows holding bytes that are not UTF-8 or control characters are malformed: no field of any table holds them. */
function markNotText(rows: CsvRow[]): CsvRow[] {
  for (const row of rows) {
    if (row.malformed !== undefined) continue;
    const problem = textProblem(row.values, 'line', row.line);
    if (problem !== undefined) row.malformed = problem;
  }
  return rows;
}

function isReadable(source: unknown): source is Readable {
  return typeof (source as Readable).iterator === 'function' && typeof (source as Readable).resume === 'function';
}

/** A header is a first line whose trimmed fields are the table's column names, in any case. */
export function isHeader(row: CsvRow, columns: readonly string[]): boolean {
  return row.columns === columns.length && row.values.every((value, i) => value.trim().toLowerCase() === columns[i]);
}
