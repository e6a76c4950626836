import { CSV_DELIMITERS, CsvTokenizer, MAX_LINE_CHARS, type CsvDelimiter, type CsvRow } from './csv-tokenizer';

/** Tokenizes `text` pushed in chunks of `chunkSize` characters. */
function tokenize(text: string, chunkSize = text.length || 1, delimiter: CsvDelimiter = ','): CsvRow[] {
  const tokenizer = new CsvTokenizer(undefined, delimiter);
  const rows: CsvRow[] = [];
  for (let i = 0; i < text.length; i += chunkSize) rows.push(...tokenizer.push(text.slice(i, i + chunkSize)));
  rows.push(...tokenizer.end());
  return rows;
}

const raw = (rows: CsvRow[]) => rows.map((r) => r.rawText?.());

describe('CsvTokenizer', () => {
  describe.each(CSV_DELIMITERS.map((d) => [JSON.stringify(d), d]))('with the delimiter %s', (_, d) => {
    it('should split fields on the delimiter and keep it inside quotes with the quoting rules unchanged', () => {
      const text = `1${d}"a${d}b ""c"""${d}x\r\n2${d}${d}"z\r\nw"\r\n`;
      expect(tokenize(text, undefined, d).map((r) => [r.line, r.values])).toEqual([
        [1, ['1', `a${d}b "c"`, 'x']],
        [2, ['2', '', 'z\r\nw']],
      ]);
    });

    it('should keep the other delimiters as text', () => {
      const others = CSV_DELIMITERS.filter((o) => o !== d).join('');
      expect(tokenize(`1${d}a${others}b`, undefined, d)[0].values).toEqual(['1', `a${others}b`]);
    });

    it('should mark text after a closing quote malformed', () => {
      expect(tokenize(`1${d}"a"b${d}c`, undefined, d)[0].malformed).toMatch(/text after a closing quote/);
    });
  });

  it('should refuse a delimiter it does not support', () => {
    expect(() => new CsvTokenizer(undefined, ':' as CsvDelimiter)).toThrow('Unsupported CSV delimiter ":"');
  });

  describe('rawText', () => {
    const text = '\ufeff1,"Lee, ""Ann"""\r\n\r\n2,"Roe\r\nBob"\r\n  \r\n3,c\n4,d\r5,"e"';
    const expected = ['1,"Lee, ""Ann"""', '2,"Roe\r\nBob"', '  ', '3,c', '4,d', '5,"e"'];

    it('should give each row as it was sent, without the line end or the byte-order mark, whatever the chunks', () => {
      for (let size = 1; size <= text.length; size++)
        expect([size, raw(tokenize(text, size))]).toEqual([size, expected]);
    });

    it('should give a row whose quote is never closed up to the end of the file', () => {
      for (const size of [1, 4, 100])
        expect(raw(tokenize('1,a\r\n2,"b\r\n3,c\r\n', size))).toEqual(['1,a', '2,"b\r\n3,c\r\n']);
    });

    it('should keep no text of a line longer than the line limit, never a cut one, and keep the next rows whole', () => {
      const long = `1,${'x'.repeat(MAX_LINE_CHARS * 2)}`;
      const limit = `1,${'y'.repeat(MAX_LINE_CHARS - 2)}`;
      for (const size of [65_536, long.length + 8]) {
        const rows = tokenize(`${long}\r\n2,"b"\r\n${limit}\r\n${long}`, size);
        expect(rows.map((r) => r.rawText?.()?.length)).toEqual([undefined, 5, MAX_LINE_CHARS, undefined]);
        expect(rows[1].rawText?.()).toBe('2,"b"');
        expect(rows[3].malformed).toMatch(/^line 4/);
      }
    });
  });
});
