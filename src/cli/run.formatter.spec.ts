import type { Run, RunDetail } from './api.types';
import { loadExitCode } from './commands/load.command';
import { formatLoadSummary, formatRunDetail, formatRunList } from './run.formatter';

function run(overrides: Partial<Run>): Run {
  return {
    id: 1,
    table: 'departments',
    file: 'departments.csv',
    status: 'completed',
    batchSize: 1000,
    rejectMode: 'row',
    rowsRead: 12,
    rowsInserted: 12,
    rowsRejected: 0,
    batchesTotal: 1,
    batchesCommitted: 1,
    batchesRejected: 0,
    startedAt: '2026-11-25T20:15:00.000Z',
    finishedAt: '2026-11-25T20:15:00.050Z',
    durationMs: 50,
    ...overrides,
  };
}

const runs = [
  run({}),
  run({
    id: 2,
    table: 'hired_employees',
    file: 'hired_employees.csv',
    rowsRead: 1999,
    rowsInserted: 1929,
    rowsRejected: 70,
    batchesTotal: 2,
    batchesCommitted: 2,
    durationMs: 1500,
  }),
];

describe('formatLoadSummary', () => {
  it('should print one line per run, a total line and where to see the rejects when rows were rejected', () => {
    const lines = formatLoadSummary(runs).split('\n');
    expect(lines[0]).toMatch(/^table\s+file\s+read\s+inserted\s+rejected\s+batches\s+time$/);
    expect(lines[2]).toMatch(/^departments\s+departments\.csv\s+12\s+12\s+0\s+1\/1\s+50ms$/);
    expect(lines[3]).toMatch(/^hired_employees\s+hired_employees\.csv\s+1,999\s+1,929\s+70\s+2\/2\s+1\.50s$/);
    expect(lines[5]).toMatch(/^total\s+2,011\s+1,941\s+70\s+3\/3\s+1\.55s$/);
    expect(lines).toContain(
      'See the rejects: hr-migrate run 2   (hired_employees.csv: 70 rows); the rows to fix: hr-migrate rejects 2 -o fix.csv',
    );
    expect(lines.filter((l) => l.startsWith('See the rejects'))).toHaveLength(1);
  });

  it('should say that nothing was written and how to write the good rows when every batch was rejected', () => {
    const hint = 'every batch held a rejected row, so no row was written: rejectMode=row writes the good rows';
    const allRejected = run({
      id: 9,
      table: 'hired_employees',
      file: 'hired_employees.csv',
      rejectMode: 'batch',
      rowsRead: 1999,
      rowsInserted: 0,
      rowsRejected: 1999,
      hint,
    });
    expect(formatLoadSummary([allRejected])).toContain(
      'Nothing written from hired_employees.csv (run 9: read 1,999, wrote 0, rejected 1,999): every batch held a ' +
        'rejected row, so no row was written: rejectMode=row (--reject-mode row) writes the good rows; ' +
        'see why: hr-migrate run 9',
    );
  });

  it('should point at a failed run when a run failed', () => {
    const failed = run({ id: 7, status: 'failed', error: 'maxRejected=10 was reached' });
    expect(formatLoadSummary([failed])).toContain('failed: maxRejected=10 was reached; see: hr-migrate run 7');
  });
});

describe('loadExitCode', () => {
  it('should be 0 when every row loaded, 1 when some were rejected and 2 when a run failed', () => {
    expect(loadExitCode([runs[0]])).toBe(0);
    expect(loadExitCode(runs)).toBe(1);
    expect(loadExitCode([...runs, run({ status: 'failed' })])).toBe(2);
  });
});

describe('formatRunList', () => {
  it('should say how many runs there are when the list is a page of them', () => {
    const text = formatRunList({ items: runs, total: 9 });
    expect(text).toMatch(/^id\s+started \(UTC\)\s+table/);
    expect(text).toContain('2 of 9 runs (newest first)');
  });

  it('should say how to make one when there are no runs', () => {
    expect(formatRunList({ items: [], total: 0 })).toMatch(/^No runs yet/);
  });
});

describe('formatRunDetail', () => {
  it('should print why the run failed when it failed', () => {
    const failed = run({ id: 7, status: 'failed', error: 'The file has a header but no rows' });
    const text = formatRunDetail({ ...failed, rejected: [], rejectedTotal: 0 });
    expect(text).toContain('The run failed: The file has a header but no rows\n');
    expect(text).toContain('No rejected rows.');
  });

  it('should list every rejected row with its line, field, value and reason when the run has rejects', () => {
    const detail: RunDetail = {
      ...runs[1],
      rejectedTotal: 2,
      rejected: [
        {
          batch: 1,
          firstLine: 1,
          lastLine: 1000,
          rows: [{ line: 4 }, { line: 9 }],
          errors: [
            { line: 4, field: 'department_id', value: '', reason: 'must be a positive integer' },
            { line: 9, field: 'datetime', value: null, reason: 'is missing' },
          ],
        },
      ],
    };
    const lines = formatRunDetail(detail).split('\n');
    expect(lines).toContain('70 rows rejected; 2 reasons:');
    expect(lines.find((l) => l.includes('department_id'))).toMatch(
      /^\s*1\s+4\s+department_id\s+""\s+must be a positive integer$/,
    );
    expect(lines.find((l) => l.includes('datetime'))).toMatch(/\(missing\)\s+is missing$/);
  });

  it('should say how many rows the rejected batches left out when the run rejected whole batches', () => {
    const detail: RunDetail = {
      ...runs[1],
      rejectMode: 'batch',
      rowsRejected: 1000,
      batchesRejected: 1,
      rejectedTotal: 1000,
      rejected: [
        {
          batch: 1,
          firstLine: 1,
          lastLine: 1000,
          rows: Array.from({ length: 100 }, (_, i) => ({ line: i + 1 })),
          errors: [{ line: 4, field: 'id', value: 'x', reason: 'bad' }],
        },
      ],
    };
    expect(formatRunDetail(detail)).toContain('1 batch rejected (1,000 rows left out); 1 reason:');
  });

  it('should say which rows it shows and give the command for the next page when more rejected rows follow', () => {
    const detail: RunDetail = {
      ...runs[1],
      id: 7,
      rejectedTotal: 200_000,
      rejected: [
        { batch: 2, firstLine: 1001, lastLine: 2000, rows: [{ line: 1101 }], errors: [] },
        { batch: 3, firstLine: 2001, lastLine: 3000, rows: [{ line: 2001 }], errors: [] },
      ],
    };
    expect(formatRunDetail(detail, 100)).toContain(
      'Rejected rows 101-102 of 200,000 shown; the next ones: hr-migrate run 7 --offset 102',
    );
    expect(formatRunDetail({ ...detail, rejectedTotal: 102 }, 100)).not.toContain('the next ones');
  });

  it('should say how many rows there are when the offset is past the last rejected row', () => {
    expect(formatRunDetail({ ...runs[1], rejected: [], rejectedTotal: 70 }, 500)).toContain(
      'No rejected rows from row 501 on (70 in all).',
    );
  });

  it('should say so when the run has no rejected rows', () => {
    expect(formatRunDetail({ ...runs[0], rejected: [], rejectedTotal: 0 })).toContain('No rejected rows.');
  });
});
