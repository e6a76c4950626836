import { IdLines, IdPage } from './id-lines';

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

describe('IdPage', () => {
  it('should give each id its line when ids sit at the same distance from their lines', () => {
    const page = new IdPage(3);
    for (const id of [2048, 2050, 3071]) page.set(id, id + 3);

    expect(page.get(2048)).toBe(2051);
    expect(page.get(2050)).toBe(2053);
    expect(page.get(3071)).toBe(3074);
    expect(page.get(2049)).toBe(0);
  });

  it('should keep every line when an id breaks the distance', () => {
    const page = new IdPage(0);
    for (let id = 1024; id < 1524; id++) page.set(id, id);
    page.set(1600, 7);
    page.set(1601, 1601);

    expect(page.get(1024)).toBe(1024);
    expect(page.get(1523)).toBe(1523);
    expect(page.get(1600)).toBe(7);
    expect(page.get(1601)).toBe(1601);
    expect(page.get(1524)).toBe(0);
  });
});
