import { IdLines } from './id-lines';

describe('IdLines', () => {
  it('should remember the first line of ids that come in runs', () => {
    const seen = new IdLines();
    for (let id = 1; id <= 100_000; id++) seen.set(id, id + 1);

    expect(seen.get(1)).toBe(2);
    expect(seen.get(100_000)).toBe(100_001);
    expect(seen.get(100_001)).toBeUndefined();
    expect(seen.size).toBe(100_000);
  });

  it('should remember scattered ids, including the largest, as a Map would', () => {
    const seen = new IdLines();
    const expected = new Map<number, number>();
    let x = 12345;
    for (let line = 1; line <= 50_000; line++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      const id = x === 0 ? 1 : x;
      if (expected.has(id)) continue;
      expected.set(id, line);
      seen.set(id, line);
    }
    seen.set(2_147_483_647, 7);
    expected.set(2_147_483_647, 7);

    for (const [id, line] of expected) expect(seen.get(id)).toBe(line);
    expect(seen.get(3)).toBeUndefined();
    expect(seen.size).toBe(expected.size);
  });

  it('should keep what it knew when ids turn scattered after a dense start', () => {
    const seen = new IdLines();
    for (let id = 1; id <= 5000; id++) seen.set(id, id);
    for (let i = 1; i <= 5000; i++) seen.set(i * 400_009, 10_000 + i);

    expect(seen.get(1)).toBe(1);
    expect(seen.get(5000)).toBe(5000);
    expect(seen.get(400_009)).toBe(10_001);
    expect(seen.get(5000 * 400_009)).toBe(15_000);
    expect(seen.get(5001)).toBeUndefined();
  });
});
