import { renderRunProgressLine } from './run.progress';

describe('renderRunProgressLine', () => {
  it('should show the bar, percent, rows and rate when the file size is known', () => {
    const line = renderRunProgressLine(
      { file: 'hired_employees.csv', rowsRead: 450_000, bytesRead: 45, bytesTotal: 100, rowsPerSecond: 30_000.4 },
      120,
    );
    expect(line).toMatch(/^loading hired_employees\.csv \[█+░+\] {2}45% {2}450,000 rows {2}30,000 rows\/s$/);
  });

  it('should show rows only when the size is unknown and there is no rate yet', () => {
    const line = renderRunProgressLine(
      { file: 'jobs.csv', rowsRead: 0, bytesRead: 0, bytesTotal: null, rowsPerSecond: null },
      80,
    );
    expect(line).toBe('loading jobs.csv  0 rows');
  });

  it('should fit the line in the terminal when the terminal is narrow', () => {
    const state = { file: 'x'.repeat(60), rowsRead: 1_000_000, bytesRead: 1, bytesTotal: 3, rowsPerSecond: 99_999 };
    expect(renderRunProgressLine(state, 80).length).toBeLessThanOrEqual(80);
  });
});
