import fc from 'fast-check';
import {
  entryChars,
  logEntries,
  MAX_PACKED_CHARS,
  MAX_PACKED_ROWS,
  unpackEntry,
  type LoggedRowInput,
} from './reject-log-entries';

describe('the reject log entries', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ minLength: 3000, maxLength: 3100 }),
  );
  const reason = fc.record({
    line: fc.nat(),
    field: fc.option(fc.string({ maxLength: 5 })),
    value: fc.option(text),
    reason: fc.string({ maxLength: 20 }),
  });
  const row: fc.Arbitrary<LoggedRowInput> = fc.oneof(
    // A CSV row: its values and its text as sent.
    fc
      .record({ line: fc.nat(), values: fc.array(text, { maxLength: 6 }), errors: fc.array(reason, { maxLength: 3 }) })
      .map(({ line, values, errors }) => ({
        line,
        row: { line, values },
        text: values.join(','),
        textLeftOut: false,
        errors,
      })),
    // A CSV row written back from its values: its text not kept, its length counted.
    fc
      .record({ line: fc.nat(), values: fc.array(fc.string({ maxLength: 10 }), { maxLength: 6 }) })
      .map(({ line, values }) => ({
        line,
        row: { line, values },
        text: null,
        textChars: values.join(',').length,
        textLeftOut: false,
        errors: [],
      })),
    // A JSON batch's row: no text.
    fc
      .record({
        line: fc.nat(),
        values: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
        errors: fc.array(reason, { maxLength: 2 }),
      })
      .map(({ line, values, errors }) => ({ line, row: { line, values }, text: null, textLeftOut: false, errors })),
    // A row too long to keep.
    fc.nat().map((line) => ({
      line,
      row: { line, values: ['x'] },
      text: null,
      textLeftOut: true,
      errors: [{ line, field: null, value: null, reason: 'too long' }],
    })),
  );
  const batch = fc.oneof(fc.array(row, { maxLength: 40 }), fc.array(row, { minLength: 150, maxLength: 260 }));

  it('should give back every row as it came, in order, from the entries that store it', () => {
    fc.assert(
      fc.property(batch, (rows) => {
        const read = logEntries(rows).flatMap((entry) => unpackEntry(entry));
        expect(read).toEqual(
          rows.map((r, rowNo) => ({
            rowNo,
            line: r.line,
            rawRow: JSON.stringify(r.row),
            errors: JSON.stringify(r.errors),
            text: r.text,
          })),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('should key each entry by its first row, keep rows too long to keep alone, and bound each entry', () => {
    fc.assert(
      fc.property(batch, (rows) => {
        let next = 0;
        for (const entry of logEntries(rows)) {
          expect(entry.rowNo).toBe(next);
          expect(entry.line).toBe(rows[next].line);
          expect(entry.packedRows).toBeGreaterThanOrEqual(1);
          expect(entry.packedRows).toBeLessThanOrEqual(MAX_PACKED_ROWS);
          const own = rows.slice(next, next + entry.packedRows);
          if (entry.packedRows > 1) {
            expect(own.some((r) => r.textLeftOut)).toBe(false);
            // Rows join an entry until it holds MAX_PACKED_CHARS (as entryChars counts them) or MAX_PACKED_ROWS.
            const before = own.slice(0, -1).reduce((n, r) => n + entryChars(r), 0);
            expect(before).toBeLessThan(MAX_PACKED_CHARS);
          }
          const after = rows[next + entry.packedRows];
          if (after && !after.textLeftOut && !own[0].textLeftOut && entry.packedRows < MAX_PACKED_ROWS)
            expect(own.reduce((n, r) => n + entryChars(r), 0)).toBeGreaterThanOrEqual(MAX_PACKED_CHARS);
          // The length of the texts as sent, kept or written back from the values.
          const chars = own.map((r) => r.text?.length ?? r.textChars ?? null);
          expect(entry.textChars).toBe(
            chars.every((c) => c === null) ? null : chars.reduce<number>((n, c) => n + (c ?? 0), 0),
          );

          expect(entry.textLeftOut).toBe(entry.packedRows === 1 && own[0].textLeftOut);
          next += entry.packedRows;
        }
        expect(next).toBe(rows.length);
      }),
      { numRuns: 60 },
    );
  });

  it('should store a batch of plain rows in a few entries, a page of rows each', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      line: i + 2,
      row: { line: i + 2, values: [String(i), `Name ${i}`, '2021-01-01T00:00:00Z', '1', '1'] },
      text: `${i},Name ${i},2021-01-01T00:00:00Z,1,1`,
      textLeftOut: false,
      errors: i === 500 ? [{ line: i + 2, field: 'id', value: 'x', reason: 'bad' }] : [],
    }));
    expect(logEntries(rows).map((e) => e.packedRows)).toEqual(
      Array.from({ length: 1000 / MAX_PACKED_ROWS }, () => MAX_PACKED_ROWS),
    );
  });
});
