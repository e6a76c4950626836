import { jsonShapeProblem } from './json-depth';

describe('jsonShapeProblem', () => {
  it('should accept the shape of a batch of rows', () => {
    expect(jsonShapeProblem([{ id: 1, department: 'x' }], 2, 10)).toBeNull();
  });

  it('should find nesting past the limit without recursing when the body is a million levels deep', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    expect(jsonShapeProblem(deep, 32, 100)).toBe('deep');
    expect(jsonShapeProblem([{ a: { b: [1] } }], 3, 100)).toBe('deep');
  });

  it('should find too many values when an array is huge', () => {
    expect(jsonShapeProblem({ file: new Array(101).fill(1) }, 32, 100)).toBe('large');
    expect(jsonShapeProblem(new Array(99).fill(1), 32, 100)).toBeNull();
  });
});
