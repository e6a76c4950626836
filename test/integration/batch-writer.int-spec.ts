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

  it('should log every row of a refused batch as it came, its sealed good rows included', async () => {
    const runs = t.app.get(MigrationRunsRepository);
    const preparer = t.app.get(BatchPreparer);
    const writer = t.app.get(BatchWriter);
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'hired_employees', file: 'y.csv', batchSize: 4, rejectMode: 'row' }]);
    const memory = new RunMemory('hired_employees');
    const target = { runId: run.id, table: 'hired_employees' as const, rejectMode: 'row' as const };
    const row = (line: number, values: string[], text: string) => ({ line, values, columns: 5, rawText: () => text });
    const rows = [
      row(10, ['110', ' Ann  ', '2021-01-01T00:00:00Z', '1', '1'], '110," Ann  ",2021-01-01T00:00:00Z,1,1'),
      row(11, ['111', 'Bad', 'not a date', '1', '1'], '111,Bad,not a date,1,1'),
      row(13, ['112', 'Zoë "Z" Ü', '2021-02-01T00:00:00Z', '77', '1'], '112,"Zoë ""Z"" Ü",2021-02-01T00:00:00Z,77,1'),
    ];
    // The reference check skipped: the foreign key fires, as when a department is deleted meanwhile.
    const batch = preparer.check(memory, 1, rows);
    preparer.seal('hired_employees', batch, 'row', false);
    const refused = await writer.write(target, batch);

    expect(refused).toMatchObject({ rowsRead: 3, rowsInserted: 0, rowsRejected: 3, committed: false });
    const [head] = await runs.findRejectedBatchHeads(run.id, { offset: 0, limit: 10 });
    expect(head).toMatchObject({ firstLine: 10, lastLine: 13, rowCount: 3 });
    const logged = await runs.findRejectedRows(run.id, { batchNo: 1, rowNo: 0 }, 10, { text: true });
    // A row that is its values joined keeps no copy of its text: rejects.csv writes it from the values.
    expect(logged.map((r) => [r.line, JSON.parse(r.rawRow), r.text])).toEqual(
      rows.map((r) => [r.line, { line: r.line, values: r.values }, r.line === 11 ? null : r.rawText()]),
    );
    const ids: { id: number }[] = await t.dataSource.query('SELECT id FROM hired_employees WHERE id >= 110');
    expect(ids).toEqual([]);
  });
});
