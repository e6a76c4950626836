import fc from 'fast-check';
import { rawRow } from './source-row';

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
