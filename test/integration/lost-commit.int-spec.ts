import type { DataSource, QueryRunner } from 'typeorm';
import { BatchPreparer, RunMemory } from '../../src/migration/load/batch-preparer';
import { BatchWriter } from '../../src/migration/load/batch-writer';
import { BatchTransaction } from '../../src/database/batch-transaction';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

// A COMMIT cannot be cut on SQLite (an embedded file, no connection to lose): MySQL/MariaDB only.
const onMysql = testEngines().includes('mysql') ? describe : describe.skip;

/**
 * Makes the next transaction's COMMIT lose its connection, as mysql2 reports it: after the server
 * committed (the acknowledgment is lost) or before it did (the server rolled back).
 */
function cutNextCommit(dataSource: DataSource, serverCommits: boolean): void {
  const create = dataSource.createQueryRunner.bind(dataSource);
  jest.spyOn(dataSource, 'createQueryRunner').mockImplementationOnce((mode) => {
    const runner: QueryRunner = create(mode);
    const commit = runner.commitTransaction.bind(runner);
    const rollback = runner.rollbackTransaction.bind(runner);
    runner.commitTransaction = async () => {
      await (serverCommits ? commit() : rollback());
      throw Object.assign(new Error('Connection lost: The server closed the connection.'), {
        code: 'PROTOCOL_CONNECTION_LOST',
        fatal: true,
      });
    };
    return runner;
  });
}

onMysql('a COMMIT cut by a lost connection on mysql', () => {
  let t: TestApp;
  let runs: MigrationRunsRepository;
  let preparer: BatchPreparer;
  let writer: BatchWriter;

  beforeAll(async () => {
    t = await startTestApp('mysql');
    runs = t.app.get(MigrationRunsRepository);
    preparer = t.app.get(BatchPreparer);
    writer = t.app.get(BatchWriter);
    await t.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'Finance')");
    await t.dataSource.query("INSERT INTO jobs (id, job) VALUES (1, 'Recruiter')");
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await t.close();
  });

  const row = (line: number, id: number) => ({
    line,
    values: [String(id), `Person ${id}`, '2021-01-01T00:00:00Z', '1', '1'],
    columns: 5,
  });

  async function batchOf(memory: RunMemory, batchNo: number, ids: number[]) {
    const batch = preparer.check(
      memory,
      batchNo,
      ids.map((id, i) => row(i + 1, id)),
    );
    await preparer.checkReferences(memory, batch);
    return batch;
  }

  async function stored(runId: number, ids: number[]) {
    const [{ n }] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM hired_employees WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    const batches: unknown[] = await t.dataSource.query('SELECT batch_no FROM migration_run_batches WHERE run_id = ?', [
      runId,
    ]);
    return {
      rows: Number(n),
      batches: batches.length,
      rejected: (await runs.findRejectedBatchHeads(runId, { offset: 0, limit: 1000 })).length,
    };
  }

  it('should tell a batch committed only when its counts row is in', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 10, rejectMode: 'row' }]);
    const counts = { rowsRead: 10, rowsInserted: 10, rowsRejected: 0, committed: true };

    await expect(runs.isBatchRecorded(run.id, 1)).resolves.toBe(false);
    await t.app.get(BatchTransaction).run((runner) => runs.recordBatchCounts(runner, run.id, 1, counts));
    await expect(runs.isBatchRecorded(run.id, 1)).resolves.toBe(true);
    await expect(runs.isBatchRecorded(run.id, 2)).resolves.toBe(false);
  });

  it('should count a batch once when its COMMIT went through but the acknowledgment was lost', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'hired_employees', file: 'x.csv', batchSize: 3, rejectMode: 'batch' }]);
    const target = { runId: run.id, table: 'hired_employees' as const, rejectMode: 'batch' as const };
    const ids = [101, 102, 103];
    const batch = await batchOf(new RunMemory('hired_employees'), 1, ids);

    cutNextCommit(t.dataSource, true);
    const outcome = await writer.write(target, batch);

    expect(outcome).toMatchObject({ rowsRead: 3, rowsInserted: 3, rowsRejected: 0, committed: true });
    await expect(stored(run.id, ids)).resolves.toEqual({ rows: 3, batches: 1, rejected: 0 });
    await expect(runs.findRun(run.id)).resolves.toMatchObject({
      rowsRead: 3,
      rowsInserted: 3,
      batchesTotal: 1,
      batchesCommitted: 1,
      batchesRejected: 0,
    });
  });

  it('should write a batch again when its COMMIT was cut before the server committed it', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'hired_employees', file: 'y.csv', batchSize: 2, rejectMode: 'batch' }]);
    const target = { runId: run.id, table: 'hired_employees' as const, rejectMode: 'batch' as const };
    const ids = [201, 202];
    const batch = await batchOf(new RunMemory('hired_employees'), 1, ids);

    cutNextCommit(t.dataSource, false);
    const outcome = await writer.write(target, batch);

    expect(outcome).toMatchObject({ rowsRead: 2, rowsInserted: 2, committed: true });
    await expect(stored(run.id, ids)).resolves.toEqual({ rows: 2, batches: 1, rejected: 0 });
    await expect(runs.findRun(run.id)).resolves.toMatchObject({
      rowsInserted: 2,
      batchesTotal: 1,
      batchesCommitted: 1,
    });
  });
});
