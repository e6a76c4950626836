import fc from 'fast-check';
import { KeptRows } from './kept-rows';
import type { SourceRow } from './source-row';

describe('KeptRows', () => {
  it('should give back every row as it came, values and text, whatever they hold', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    const row = fc.record({
      line: fc.nat({ max: 1_000_000 }),
      values: fc.array(text, { minLength: 3, maxLength: 3 }),
      text,
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const source: SourceRow[] = rows.map((r) => ({ ...r, columns: 3, rawText: () => r.text }));
        const kept = KeptRows.keep(source, 3);
        expect(kept?.count).toBe(rows.length);
        expect(kept?.rows().map((r) => [r.line, r.values, r.columns, r.rawText?.()])).toEqual(
          rows.map((r) => [r.line, r.values, 3, r.text]),
        );
      }),
    );
  });

  it('should keep nothing when a row came from JSON, has no text or has another number of values', () => {
    const csv = { line: 1, values: ['1', 'a'], columns: 2, rawText: () => '1,a' };
    expect(KeptRows.keep([csv, { ...csv, original: { id: 1 } }], 2)).toBeNull();
    expect(KeptRows.keep([csv, { line: 2, values: ['2', 'b'], columns: 2 }], 2)).toBeNull();
    expect(KeptRows.keep([csv, { ...csv, rawText: () => undefined }], 2)).toBeNull();
    expect(KeptRows.keep([csv, { ...csv, values: ['1'] }], 2)).toBeNull();
  });
});
