import { BatchWriter } from '../../src/migration/load/batch-writer';
import { BatchPreparer, RunMemory } from '../../src/migration/load/batch-preparer';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('BatchWriter on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'Finance')");
    await t.dataSource.query("INSERT INTO jobs (id, job) VALUES (1, 'Recruiter')");
  });
  afterAll(async () => {
    await t.close();
  });

  it('should fail only that batch, with a safe reason and counts committed with it, when the database refuses it', async () => {
    const runs = t.app.get(MigrationRunsRepository);
    const preparer = t.app.get(BatchPreparer);
    const writer = t.app.get(BatchWriter);
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'hired_employees', file: 'x.csv', batchSize: 2, rejectMode: 'batch' }]);
    const memory = new RunMemory('hired_employees');
    const target = { runId: run.id, table: 'hired_employees' as const, rejectMode: 'batch' as const };
    const row = (line: number, id: string, department: string) => ({
      line,
      values: [id, `Person ${id}`, '2021-01-01T00:00:00Z', department, '1'],
      columns: 5,
    });
    // Skipping the reference check lets the foreign key fire, as when a department is deleted meanwhile.
    const refused = await writer.write(target, preparer.check(memory, 1, [row(1, '1', '1'), row(2, '2', '77')]));
    const good = preparer.check(memory, 2, [row(3, '3', '1')]);
    await preparer.checkReferences(memory, good);
    const written = await writer.write(target, good);

    expect(refused).toMatchObject({ rowsInserted: 0, rowsRejected: 2, committed: false });
    expect(refused.errors).toEqual([
      {
        line: 1,
        field: null,
        value: null,
        reason: 'the database refused the batch: a referenced department or job does not exist',
      },
    ]);
    expect(written).toMatchObject({ rowsInserted: 1, committed: true });
    const ids: { id: number }[] = await t.dataSource.query('SELECT id FROM hired_employees ORDER BY id');
    expect(ids.map((r) => Number(r.id))).toEqual([3]);
    const stored = await runs.findRun(run.id);
    expect(stored).toMatchObject({
      rowsRead: 3,
      rowsInserted: 1,
      rowsRejected: 2,
      batchesTotal: 2,
      batchesCommitted: 1,
      batchesRejected: 1,
    });
    const [rejected] = await runs.findRejectedBatchHeads(run.id, { offset: 0, limit: 1000 });
    expect(rejected.rowCount).toBe(2);
    const rows = await runs.findRejectedRows(run.id, { batchNo: rejected.batchNo, rowNo: 0 }, 1000, { text: true });
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.errors).join()).not.toMatch(/INSERT|hired_employees|FOREIGN/i);
  });
});
