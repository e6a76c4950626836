import { BatchTransaction } from '../../src/database/batch-transaction';
import { ReadDatabase } from '../../src/database/read-database';
import {
  MigrationRunsRepository,
  type RejectedRowKey,
  type RejectedRowRecord,
} from '../../src/migration/repositories/migration-runs.repository';
import { MAX_PACKED_CHARS, MAX_PACKED_ROWS } from '../../src/migration/repositories/reject-log-entries';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

interface Logged extends RejectedRowRecord {
  batchNo: number;
  rowNo: number;
}

/** Rows of one batch: `kinds` says, row by row, plain (p), with reasons (e), too long to keep (l), JSON (j), long (L). */
function batchRows(batchNo: number, firstLine: number, kinds: string): Logged[] {
  return [...kinds].map((kind, rowNo) => {
    const line = firstLine + rowNo;
    const values = [String(line), kind === 'L' ? 'x'.repeat(1000) : `Name ${line}`, '2021-01-01T00:00:00Z', '1', '1'];
    const row = kind === 'j' ? { line, values: { id: line, name: `Json ${line}` } } : { line, values };
    return {
      batchNo,
      rowNo,
      line,
      row,
      text: kind === 'j' || kind === 'l' ? null : `${values.join(',')}${kind === 'e' ? ',"quoted, too"' : ''}`,
      textLeftOut: kind === 'l',
      errors:
        kind === 'e' || kind === 'l'
          ? [{ line, field: kind === 'e' ? 'name' : null, value: kind === 'e' ? `v${line}` : null, reason: `r${line}` }]
          : [],
    };
  });
}

describe.each(testEngines())('the reject log read in pages on %s', (engine) => {
  let t: TestApp;
  let runs: MigrationRunsRepository;
  let runId: number;
  const logged: Logged[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine);
    runs = t.app.get(MigrationRunsRepository);
    runId = (await runs.createRun({ table: 'hired_employees', file: 'e.csv', batchSize: 1000, rejectMode: 'batch' }))
      .id;
    // Batches with rows packed together, rows alone between them, a one-row batch, JSON rows, a gap in
    // the batch numbers, and long rows that make a batch take more than one packed entry.
    const longRows = Math.ceil(MAX_PACKED_CHARS / 1000) + 5;
    const batches = [
      batchRows(1, 2, 'ppeppllpppep'),
      batchRows(2, 20, 'p'),
      batchRows(3, 30, 'jjjejj'),
      batchRows(5, 50, 'lpl'),
      batchRows(6, 60, `pp${'L'.repeat(longRows)}ep`),
      batchRows(7, 200, 'pe'),
      batchRows(8, 300, `${'p'.repeat(MAX_PACKED_ROWS * 2)}e${'p'.repeat(10)}`),
    ];
    for (const rows of batches) {
      logged.push(...rows);
      await t.app.get(BatchTransaction).run((runner) =>
        runs.recordRejectedBatch(runner, {
          runId,
          batchNo: rows[0].batchNo,
          firstLine: rows[0].line,
          lastLine: rows[rows.length - 1].line,
          rows,
          errors: [],
        }),
      );
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const expected = (rows: Logged[], text: boolean) =>
    rows.map((r) => ({
      batchNo: r.batchNo,
      rowNo: r.rowNo,
      line: r.line,
      row: r.row,
      errors: r.errors,
      text: text ? r.text : null,
      textLeftOut: r.textLeftOut,
    }));
  const read = async (from: RejectedRowKey, limit: number, text: boolean) =>
    (await runs.findRejectedRows(runId, from, limit, { text })).map((r) => ({
      batchNo: r.batchNo,
      rowNo: r.rowNo,
      line: r.line,
      row: JSON.parse(r.rawRow) as unknown,
      errors: JSON.parse(r.errors) as unknown,
      text: r.text,
      textLeftOut: r.textLeftOut,
    }));

  it('should store consecutive rows together: far fewer entries than rows', async () => {
    const [{ n }]: { n: number | string }[] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM rejected_rows WHERE run_id = ${runId}`,
    );
    expect(Number(n)).toBeLessThan(logged.length / 3);
    expect(await runs.countRejectedRows(runId)).toBe(logged.length);
  });

  it('should read every page from every row, each row as it was recorded, with or without its text', async () => {
    for (let start = 0; start <= logged.length; start++) {
      const from = logged[start] ?? { batchNo: 8, rowNo: MAX_PACKED_ROWS * 2 + 11 };
      for (const limit of [1, 2, 3, 7, 40, 1000]) {
        const page = expected(logged.slice(start, start + limit), true);
        await expect(read(from, limit, true)).resolves.toEqual(page);
        if (limit === 3)
          await expect(read(from, limit, false)).resolves.toEqual(expected(logged.slice(start, start + limit), false));
      }
    }
  });

  it('should start a page past the end of a batch at the next batch', async () => {
    await expect(read({ batchNo: 3, rowNo: 6 }, 4, true)).resolves.toEqual(
      expected(logged.filter((r) => r.batchNo >= 5).slice(0, 4), true),
    );
    await expect(read({ batchNo: 4, rowNo: 0 }, 2, true)).resolves.toEqual(
      expected(logged.filter((r) => r.batchNo >= 5).slice(0, 2), true),
    );
  });

  it('should read the first rows in order when a batch commits between finding a page and reading it', async () => {
    const run = (await runs.createRun({ table: 'jobs', file: 'j.csv', batchSize: 1000, rejectMode: 'batch' })).id;
    const record = (rows: Logged[]) =>
      t.app.get(BatchTransaction).run((runner) =>
        runs.recordRejectedBatch(runner, {
          runId: run,
          batchNo: rows[0].batchNo,
          firstLine: rows[0].line,
          lastLine: rows[rows.length - 1].line,
          rows,
          errors: [],
        }),
      );
    const [first, middle, last] = [batchRows(1, 2, 'ppp'), batchRows(3, 20, 'lllll'), batchRows(5, 40, 'p'.repeat(50))];
    await record(first);
    await record(last);
    // The middle batch commits right after the page's entries are found, before they are read.
    const reads = t.app.get(ReadDatabase).dataSource;
    const query = reads.query.bind(reads);
    let committed = false;
    const spy = jest.spyOn(reads, 'query').mockImplementation(async (...args: Parameters<typeof reads.query>) => {
      const result: unknown = await query(...args);
      const [sql] = args;
      if (!committed && /SELECT batch_no, row_no, packed_rows/.test(sql) && /batch_no > /.test(sql)) {
        committed = true;
        await record(middle);
      }
      return result as never;
    });
    try {
      const page = await runs.findRejectedRows(run, { batchNo: 0, rowNo: 0 }, 10, { text: true });
      expect(committed).toBe(true);
      expect(page.map((r) => [r.batchNo, r.rowNo])).toEqual(
        [...first, ...middle, ...last].slice(0, 10).map((r) => [r.batchNo, r.rowNo]),
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('should count the rows of a page by their text: at least one, at most the limit and what is left', async () => {
    for (let start = 0; start < logged.length; start++) {
      const from = logged[start];
      const left = logged.length - start;
      for (const limit of [1, 4, 1000]) {
        await expect(runs.countRejectedRowsWithin(runId, from, limit, 10_000_000)).resolves.toBe(Math.min(limit, left));
        const some = await runs.countRejectedRowsWithin(runId, from, limit, 3000);
        expect(some).toBeGreaterThanOrEqual(1);
        expect(some).toBeLessThanOrEqual(Math.min(limit, left));
        // The text of the rows after the first stays within the characters asked for, and the entry
        // the first row is in, which a page reads whole.
        const texts = logged.slice(start + 1, start + some).map((r) => r.text?.length ?? 0);
        expect(texts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3000 + MAX_PACKED_CHARS);
      }
    }
    await expect(
      runs.countRejectedRowsWithin(runId, { batchNo: 8, rowNo: MAX_PACKED_ROWS * 2 + 11 }, 10, 100),
    ).resolves.toBe(0);
  });
});
