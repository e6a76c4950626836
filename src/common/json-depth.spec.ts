import { nestedDeeperThan } from './json-depth';

describe('nestedDeeperThan', () => {
  it('should accept the shape of a batch of rows', () => {
    expect(nestedDeeperThan([{ id: 1, department: 'x' }], 2)).toBe(false);
    expect(nestedDeeperThan('text', 0)).toBe(false);
  });

  it('should find nesting past the limit without recursing when the body is a million levels deep', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    expect(nestedDeeperThan(deep, 32)).toBe(true);
    expect(nestedDeeperThan([{ a: { b: [1] } }], 3)).toBe(true);
  });
});
