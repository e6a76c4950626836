import fc from 'fast-check';
import { RowFormat } from '../rejects-csv.service';
import { rawRow, textFromValues } from './source-row';

describe('rawRow', () => {
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 1020, maxLength: 1030 }));
  const row = fc
    .record({
      line: fc.nat(),
      values: fc.array(value, { maxLength: 9 }),
      extraColumns: fc.nat({ max: 3 }),
    })
    .map(({ line, values, extraColumns }) => ({ line, values, columns: values.length + extraColumns }));

  it('should keep at most one column more than the table has, each value cut to 1 KB, and say how many there were', () => {
    fc.assert(
      fc.property(row, fc.integer({ min: 1, max: 5 }), (source, tableColumns) => {
        const kept = rawRow(source, tableColumns) as { line: number; values: string[]; columns?: number };
        const expectedLength = Math.min(source.values.length, tableColumns + 1);
        expect(kept.line).toBe(source.line);
        expect(kept.values).toHaveLength(expectedLength);
        kept.values.forEach((v, i) => {
          const original = source.values[i];
          expect(v).toBe(original.length > 1024 ? `${original.slice(0, 1024)}…` : original);
        });
        if (source.columns > expectedLength) expect(kept.columns).toBe(source.columns);
        else expect(Object.keys(kept)).toEqual(['line', 'values']);
      }),
    );
  });

  it("should keep a JSON row's object as it came", () => {
    const original = { id: 1, name: 'x'.repeat(2000) };
    expect(rawRow({ line: 3, values: [], columns: 0, original }, 5)).toEqual({ line: 3, values: original });
  });
});

describe('textFromValues', () => {
  const tableColumns = 5;
  const fieldChar = fc.constantFrom(
    'a',
    'Z',
    ' ',
    '=',
    '+',
    '-',
    '@',
    "'",
    'é',
    '"',
    ',',
    ';',
    '|',
    '\t',
    '\r',
    '\n',
    '1',
  );
  const field = fc.string({ unit: fieldChar, maxLength: 6 });
  const delimiter = fc.constantFrom(',', ';', '|', '\t');
  const run = (d: string) => ({ delimiter: d, tableName: 'jobs', headerText: null, fileName: 'jobs.csv' }) as never;
  /** Two ways to store the row; rejects.csv writes both the same. */
  const entries = (values: string[], text: string) => {
    const common = { batchNo: 1, rowNo: 0, line: 7, errors: '[]', textLeftOut: false, firstLine: 7, lastLine: 7 };
    return [
      { ...common, rawRow: JSON.stringify({ line: 7, values }), text },
      { ...common, rawRow: JSON.stringify({ line: 7, values }), text: null },
    ];
  };

  it('should say a text is written back from its values only when rejects.csv writes it byte for byte, reasons or not', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), delimiter, fc.boolean(), (values, d, sent) => {
        // The text as sent: the values joined, or as a sender may have quoted them.
        const text = sent ? values.join(d) : values.map((v) => `"${v}"`).join(d);
        if (!textFromValues({ line: 7, values, columns: values.length }, text, tableColumns)) return;
        for (const reasons of [false, true]) {
          const format = new RowFormat(run(d), reasons);
          const [kept, written] = entries(values, text);
          expect(format.row(written)).toBe(format.row(kept));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('should write back plain rows, and keep the text of rows with quotes, cut values or a JSON object', () => {
    const row = (values: string[], columns = values.length) => ({ line: 2, values, columns });
    expect(
      textFromValues(row(['1', 'Ann', '2021-01-01T00:00:00Z', '2', '3']), '1,Ann,2021-01-01T00:00:00Z,2,3', 5),
    ).toBe(true);
    expect(textFromValues(row(['1', '=SUM(A1)', '']), '1;=SUM(A1);', 5)).toBe(true);
    expect(textFromValues(row(['1', 'Ann']), '1,"Ann"', 5)).toBe(false);
    expect(textFromValues(row(['1', 'Ann']), '1,Ann ', 5)).toBe(false);
    expect(textFromValues(row(['1', 'Ann'], 9), '1,Ann', 5)).toBe(false);
    expect(textFromValues(row(['1', 'A'.repeat(1025)]), `1,${'A'.repeat(1025)}`, 5)).toBe(false);
    expect(textFromValues(row(['1', 'A', 'b']), '1,A;b', 5)).toBe(false);
    expect(textFromValues(row(['1', 'A']), '1\tA', 5)).toBe(false);
    expect(textFromValues({ ...row([]), original: { id: 1 } }, '{}', 5)).toBe(false);
  });
});
