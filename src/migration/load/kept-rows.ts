import type { SourceRow } from './source-row';

/**
 * The good rows of a batch, kept for the reject log in case the database refuses the batch: their
 * lines, values and text in one buffer outside the heap instead of a thousand row objects that
 * would live, and be promoted, while the batch waits for its turn and commits. Only CSV rows with
 * their text and exactly `columns` values are kept so; `keep` answers null for any other batch.
 */
export class KeptRows {
  private constructor(
    private readonly text: Buffer,
    /** For each row, the lengths (in UTF-16 units) of its `columns` values and then of its text. */
    private readonly lengths: Int32Array,
    private readonly lines: Int32Array,
    private readonly columns: number,
  ) {}

  get count(): number {
    return this.lines.length;
  }

  static keep(rows: readonly SourceRow[], columns: number): KeptRows | null {
    const width = columns + 1;
    const lengths = new Int32Array(rows.length * width);
    const lines = new Int32Array(rows.length);
    const pieces = new Array<string>(rows.length * width);
    let p = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row.original !== undefined || !row.rawText || row.values.length !== columns || row.line > 0x7fffffff)
        return null;
      const text = row.rawText();
      if (text === undefined) return null;
      for (const value of row.values) {
        lengths[p] = value.length;
        pieces[p++] = value;
      }
      lengths[p] = text.length;
      pieces[p++] = text;
      lines[r] = row.line;
    }
    // UTF-16 as the strings are: every string comes back exactly, whatever it holds.
    return new KeptRows(Buffer.from(pieces.join(''), 'utf16le'), lengths, lines, columns);
  }

  /** The rows again, as they came. */
  rows(): SourceRow[] {
    const all = this.text.toString('utf16le');
    const rows: SourceRow[] = [];
    let at = 0;
    let p = 0;
    for (let r = 0; r < this.lines.length; r++) {
      const values: string[] = [];
      for (let c = 0; c < this.columns; c++) {
        values.push(all.slice(at, at + this.lengths[p]));
        at += this.lengths[p++];
      }
      const text = all.slice(at, at + this.lengths[p]);
      at += this.lengths[p++];
      rows.push({ line: this.lines[r], values, columns: this.columns, rawText: () => text });
    }
    return rows;
  }
}
