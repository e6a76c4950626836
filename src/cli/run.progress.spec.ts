import type { Run } from './api.types';
import { RunProgress, renderRunProgressLine } from './run.progress';
import type { Terminal } from './terminal';

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

describe('RunProgress', () => {
  function fileRun(id: number, file: string, rowsRead: number, bytesRead: number, bytesTotal: number): Run {
    return {
      id,
      table: file.replace('.csv', ''),
      file,
      status: 'running',
      batchSize: 1000,
      rejectMode: 'row',
      rowsRead,
      rowsInserted: rowsRead,
      rowsRejected: 0,
      batchesTotal: 0,
      batchesCommitted: 0,
      batchesRejected: 0,
      startedAt: '2024-01-01T00:00:00.000Z',
      finishedAt: null,
      durationMs: null,
      progress: { bytesRead, bytesTotal },
    };
  }

  it('should count rows and percent over the whole load when a later file is loading', () => {
    const lines: string[] = [];
    const terminal: Terminal = { out: () => undefined, err: (t) => lines.push(t), errIsTty: true, errColumns: 120 };
    const first = fileRun(1, 'departments.csv', 0, 0, 100);
    const second = fileRun(2, 'hired_employees.csv', 0, 0, 300);
    const progress = new RunProgress(terminal, [first, second]);
    progress.follow(first);
    progress.ended({ ...first, status: 'completed', rowsRead: 10, progress: { bytesRead: 100, bytesTotal: 100 } });
    progress.follow(second);
    progress.update({ ...second, rowsRead: 500, progress: { bytesRead: 100, bytesTotal: 300 } });
    (progress as unknown as { redraw(): void }).redraw();
    progress.stop();
    expect(lines.join('')).toMatch(/loading hired_employees\.csv \[█+░+\] {2}50% {2}510 rows/);
  });

  it('should say what was read, written and rejected, not loaded, when a run ends in a log', () => {
    const lines: string[] = [];
    const terminal: Terminal = { out: () => undefined, err: (t) => lines.push(t), errIsTty: false, errColumns: 80 };
    const employees = fileRun(3, 'hired_employees.csv', 0, 0, 100);
    const progress = new RunProgress(terminal, [employees]);
    progress.follow(employees);
    progress.ended({
      ...employees,
      status: 'completed',
      rowsRead: 1999,
      rowsInserted: 1929,
      rowsRejected: 70,
      durationMs: 2100,
    });
    progress.stop();
    expect(lines.join('')).toContain('hired_employees.csv: read 1,999, wrote 1,929, rejected 70 in 2.10s\n');
    expect(lines.join('')).not.toContain('loaded');
  });
});
