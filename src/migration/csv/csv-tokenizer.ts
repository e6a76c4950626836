/**
 * Limits of a row, and bounds that keep one hostile row from taking the memory of the process: a
 * field longer than MAX_FIELD_CHARS or a line longer than MAX_LINE_CHARS is a malformed row, and
 * whatever its size only KEPT_FIELD_CHARS of each field and the first fields (one more than the
 * table has, at most MAX_COLUMNS + 1) are kept: no valid value is that long, the reject log keeps
 * 1 KB of a value, and a batch of a thousand hostile rows stays a few megabytes.
 */
export const MAX_FIELD_CHARS = 65_536;
export const MAX_LINE_CHARS = 1_048_576;
export const MAX_COLUMNS = 64;
export const KEPT_FIELD_CHARS = 1025;

/** One row as it came: the physical line it starts on, its values and what made it malformed. */
export interface CsvRow {
  line: number;
  values: string[];
  /** Columns found, even beyond the kept ones. */
  columns: number;
  /** Why the row could not be read as RFC 4180, when it could not. */
  malformed?: string;
  /**
   * The row's text exactly as it was sent (its physical lines, quotes and all, without the line
   * end and without a byte-order mark); undefined for a row longer than MAX_LINE_CHARS, which is
   * never kept cut. Only rows read from CSV have it.
   */
  rawText?(): string | undefined;
}

/**
 * A row read by the tokenizer. It keeps where its text lies in the chunk it came from (a
 * reference and two numbers) and slices it only when asked, so valid rows pay almost nothing.
 */
class TokenizedRow implements CsvRow {
  readonly #source: string;
  readonly #from: number;
  readonly #to: number;
  readonly #chars: number;

  constructor(
    readonly line: number,
    public values: string[],
    public columns: number,
    public malformed: string | undefined,
    source: string,
    from: number,
    to: number,
    chars: number,
  ) {
    this.#source = source;
    this.#from = from;
    this.#to = to;
    this.#chars = chars;
  }

  rawText(): string | undefined {
    return this.#chars > MAX_LINE_CHARS ? undefined : this.#source.slice(this.#from, this.#to);
  }
}

/** The field delimiters a file may use; quoting rules are the same for each. */
export const CSV_DELIMITERS = [',', ';', '|', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

const QUOTE = 34;
const CR = 13;
const LF = 10;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterQuoted,
}

/**
 * An RFC 4180 tokenizer fed with text chunks, its fields separated by `,` or another delimiter. It
 * counts physical lines itself (CRLF, LF or CR, inside quotes too), skips blank lines without
 * losing count, and caps fields and columns so memory stays bounded whatever the input. Linear in
 * the input: nothing is rescanned.
 * Hand-written rather than fast-csv because fast-csv's per-row cost would dominate a large load
 * (docs/performance.md), it knows physical lines, and fast-csv rescans a long unfinished row on
 * every chunk (quadratic on a broken quote) and throws away the rest of the file on a bad quote.
 */
export class CsvTokenizer {
  private readonly keptColumns: number;
  private readonly delimiter: number;
  private values: string[] = [];
  private columns = 0;
  private field = '';
  /** The current field's and row's real lengths in characters, beyond what is kept. */
  private fieldChars = 0;
  private rowChars = 0;
  private state = State.FieldStart;
  private line = 1;
  private rowLine = 1;
  private rowHasContent = false;
  private lastWasCR = false;
  private malformed: string | undefined;
  private started = false;
  /** The text of the current row that came in earlier chunks (at most MAX_LINE_CHARS of it). */
  private carried = '';
  /** How long the current row's text is so far, counting what `carried` could not keep. */
  private carriedChars = 0;

  /** `keptColumns`: how many values of a row are kept (at most MAX_COLUMNS + 1). */
  constructor(keptColumns = MAX_COLUMNS + 1, delimiter: CsvDelimiter = ',') {
    if (!CSV_DELIMITERS.includes(delimiter)) throw new Error(`Unsupported CSV delimiter ${JSON.stringify(delimiter)}`);
    this.keptColumns = Math.min(Math.max(1, keptColumns), MAX_COLUMNS + 1);
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Tokenizes a chunk; returns the rows it completed. */
  push(chunk: string): CsvRow[] {
    const out: CsvRow[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    let rowStart = 0;
    const n = text.length;
    const delimiter = this.delimiter;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const wasCR = this.lastWasCR;
      this.lastWasCR = c === CR;
      switch (this.state) {
        case State.Quoted:
          if (c === QUOTE) {
            this.append(text, start, i);
            this.state = State.QuoteInQuoted;
          } else if (c === CR || (c === LF && !wasCR)) {
            this.line++;
          }
          continue;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            start = i; // an escaped quote: keep one of the two
            this.state = State.Quoted;
            continue;
          }
          this.state = State.AfterQuoted;
          break;
        case State.FieldStart:
          if (c === QUOTE) {
            this.rowHasContent = true;
            this.state = State.Quoted;
            start = i + 1;
            continue;
          }
          start = i;
          this.state = State.Unquoted;
          break;
        case State.Unquoted:
        case State.AfterQuoted:
          break;
      }
      // Unquoted or AfterQuoted: c is a delimiter, a line end or part of the field.
      if (c === delimiter) {
        if (this.state === State.Unquoted) this.append(text, start, i);
        this.rowHasContent = true;
        this.endField();
      } else if (c === CR || c === LF) {
        if (this.state === State.Unquoted) this.append(text, start, i);
        if (c === LF && wasCR) {
          this.state = State.FieldStart;
          rowStart = i + 1;
          continue;
        }
        this.endRow(out, text, rowStart, i);
        rowStart = i + 1;
        this.line++;
        this.rowLine = this.line;
      } else {
        this.rowHasContent = true;
        if (this.state === State.AfterQuoted && this.malformed === undefined) {
          this.malformed = `line ${this.line} has text after a closing quote; a quote inside a quoted field must be doubled ("")`;
        }
        if (this.state === State.AfterQuoted) {
          this.state = State.Unquoted;
          start = i;
        }
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) this.append(text, start, n);
    if (rowStart < n) this.carriedChars += n - rowStart;
    if (rowStart < n && this.carried.length < MAX_LINE_CHARS) {
      this.carried += text.slice(rowStart, Math.min(n, rowStart + MAX_LINE_CHARS - this.carried.length));
    }
    return out;
  }

  /** Ends the input; returns the last row, if any. */
  end(): CsvRow[] {
    const out: CsvRow[] = [];
    if (this.state === State.Quoted) {
      this.malformed = `the quote opened on line ${this.rowLine} is not closed before the end of the file`;
    }
    this.endRow(out, '', 0, 0);
    return out;
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.fieldChars += to - from;
    this.rowChars += to - from;
    if (this.field.length >= KEPT_FIELD_CHARS || this.values.length >= this.keptColumns) return;
    this.field += text.slice(from, Math.min(to, from + KEPT_FIELD_CHARS - this.field.length));
  }

  private endField(): void {
    this.columns++;
    if (this.fieldChars > MAX_FIELD_CHARS && this.malformed === undefined) {
      this.malformed = `line ${this.rowLine}: field ${this.columns} is longer than ${MAX_FIELD_CHARS} characters`;
    }
    this.rowChars++;
    this.fieldChars = 0;
    if (this.values.length < this.keptColumns) this.values.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  /** Ends the current row, whose text ends at `to` in `text` and began at `from` or in earlier chunks. */
  private endRow(out: CsvRow[], text: string, from: number, to: number): void {
    if (this.rowHasContent || this.field.length > 0) {
      this.endField();
      if (this.rowChars > MAX_LINE_CHARS + 1 && this.malformed === undefined) {
        this.malformed = `line ${this.rowLine} is longer than ${MAX_LINE_CHARS} characters`;
      }
      let source = text;
      const chars = this.carriedChars + to - from;
      if (this.carried.length > 0) {
        source = this.carried + text.slice(0, Math.min(to, MAX_LINE_CHARS - this.carried.length));
        from = 0;
        to = source.length;
      }
      out.push(new TokenizedRow(this.rowLine, this.values, this.columns, this.malformed, source, from, to, chars));
    }
    this.carried = '';
    this.carriedChars = 0;
    this.values = [];
    this.columns = 0;
    this.field = '';
    this.fieldChars = 0;
    this.rowChars = 0;
    this.state = State.FieldStart;
    this.rowHasContent = false;
    this.malformed = undefined;
  }
}
