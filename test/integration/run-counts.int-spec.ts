import { createDialect } from '../../src/database/dialect';
import { BatchTransaction } from '../../src/database/batch-transaction';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('run counts kept per batch on %s', (engine) => {
  let t: TestApp;
  let runs: MigrationRunsRepository;
  let transaction: BatchTransaction;

  beforeAll(async () => {
    t = await startTestApp(engine);
    runs = t.app.get(MigrationRunsRepository);
    transaction = t.app.get(BatchTransaction);
  });
  afterAll(async () => {
    await t.close();
  });

  const counts = (rowsRead: number, rowsInserted: number, committed: boolean) => ({
    rowsRead,
    rowsInserted,
    rowsRejected: rowsRead - rowsInserted,
    committed,
  });

  async function storedRun(id: number) {
    const [row] = await t.dataSource.query(
      createDialect(t.dataSource).sql(
        `SELECT status, rows_read, rows_inserted, rows_rejected, batches_total, batches_committed, batches_rejected
         FROM migration_runs WHERE id = ?`,
      ),
      [id],
    );
    return {
      status: row.status,
      counts: [
        'rows_read',
        'rows_inserted',
        'rows_rejected',
        'batches_total',
        'batches_committed',
        'batches_rejected',
      ].map((c) => Number(row[c])),
    };
  }

  it('should sum the batches while the run loads and write the totals onto the run once when it ends', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 1000, rejectMode: 'row' }]);
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 1, counts(1000, 990, true)));
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 2, counts(1000, 0, false)));
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 3, counts(500, 500, true)));

    await expect(runs.findRun(run.id)).resolves.toMatchObject({
      status: 'running',
      rowsRead: 2500,
      rowsInserted: 1490,
      rowsRejected: 1010,
      batchesTotal: 3,
      batchesCommitted: 2,
      batchesRejected: 1,
    });
    const listed = (await runs.listRuns(50, 0)).items.find((r) => r.id === run.id);
    expect(listed).toMatchObject({ rowsRead: 2500, batchesTotal: 3 });
    await expect(storedRun(run.id)).resolves.toEqual({ status: 'running', counts: [0, 0, 0, 0, 0, 0] });

    await runs.finishRun(run.id, { status: 'completed', error: null, headerSkipped: false });
    await expect(storedRun(run.id)).resolves.toEqual({
      status: 'completed',
      counts: [2500, 1490, 1010, 3, 2, 1],
    });
    // Ended runs are not summed again: not when read, not when ended a second time.
    await runs.finishRun(run.id, { status: 'completed', error: null, headerSkipped: false });
    await expect(runs.findRun(run.id)).resolves.toMatchObject({ rowsRead: 2500, batchesTotal: 3 });
    await expect(storedRun(run.id)).resolves.toMatchObject({ counts: [2500, 1490, 1010, 3, 2, 1] });
  });

  it('should refuse the same batch of a run twice, keeping the first counts', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 1000, rejectMode: 'batch' }]);
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 1, counts(1000, 1000, true)));

    await expect(
      transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 1, counts(1000, 1000, true))),
    ).rejects.toThrow();
    await expect(runs.findRun(run.id)).resolves.toMatchObject({ rowsRead: 1000, batchesTotal: 1 });
  });

  it('should end a stale run with the sum of the batches it committed', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 1000, rejectMode: 'batch' }]);
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 1, counts(1000, 1000, true)));
    await transaction.run((runner) => runs.recordBatchCounts(runner, run.id, 2, counts(1000, 1000, true)));

    const ended = await runs.failInterruptedRuns([run.id], 'interrupted');

    expect(ended).toEqual([run.id]);
    await expect(storedRun(run.id)).resolves.toEqual({ status: 'failed', counts: [2000, 2000, 0, 2, 2, 0] });
  });
});
