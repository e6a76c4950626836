import { LeaseKeeper } from '../../src/coordination/lease-keeper';
import { LeaseLostError, LeaseStore } from '../../src/coordination/lease-store';
import { BatchTransaction } from '../../src/database/batch-transaction';
import { Dialect } from '../../src/database/dialect';
import { BatchPreparer, RunMemory } from '../../src/migration/load/batch-preparer';
import { BatchWriter } from '../../src/migration/load/batch-writer';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** Two replicas' leases in one database, as rows: on SQLite as on MySQL and PostgreSQL. */
describe.each(testEngines())('leases shared by replicas on %s', (engine) => {
  let t: TestApp;
  let store: LeaseStore;

  beforeAll(async () => {
    t = await startTestApp(engine);
    store = t.app.get(LeaseStore);
    await t.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'Finance')");
    await t.dataSource.query("INSERT INTO jobs (id, job) VALUES (1, 'Recruiter')");
  });
  afterAll(async () => {
    await t.close();
  });

  async function count(sql: string, parameters: unknown[] = []): Promise<number> {
    const [row] = await t.dataSource.query(t.app.get(Dialect).sql(`SELECT COUNT(*) AS n FROM ${sql}`), parameters);
    return Number(row.n);
  }

  it('should refuse a live lease to a second replica and hand an expired one over with the next token', async () => {
    const first = await store.take('lead:test', 'replica-a', 60_000);
    expect(first).toEqual({ name: 'lead:test', owner: 'replica-a', token: 1 });
    await expect(store.take('lead:test', 'replica-b', 60_000)).resolves.toBeNull();
    // The holder stops renewing: the lease expires on the database's clock.
    await t.dataSource.query("UPDATE coordination_leases SET expires_at_ms = 0 WHERE name = 'lead:test'");
    await expect(store.take('lead:test', 'replica-b', 60_000)).resolves.toEqual({
      name: 'lead:test',
      owner: 'replica-b',
      token: 2,
    });
    await expect(store.renew('replica-a', 60_000, [first!])).resolves.toEqual([first]);
  });

  it('should roll back a transaction fenced by a lease another replica took over, and commit the new holder', async () => {
    const stale = await store.take('lead:fence', 'replica-a', -1);
    const current = await store.take('lead:fence', 'replica-b', 60_000);
    const transaction = t.app.get(BatchTransaction);
    const write = (lease: typeof stale, id: number) =>
      transaction.run(async (runner) => {
        await runner.query(t.app.get(Dialect).sql('INSERT INTO jobs (id, job) VALUES (?, ?)'), [id, `Job ${id}`]);
        await store.fence(runner, lease!);
      });
    await expect(write(stale, 901)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(write(current, 902)).resolves.toBeUndefined();
    await expect(count('jobs WHERE id IN (901, 902)')).resolves.toBe(1);
  });

  it('should commit nothing more of a run whose lease another replica took over while it was paused', async () => {
    const lifecycle = t.app.get(RunLifecycle);
    const { run, lease } = await lifecycle.start({
      table: 'hired_employees',
      file: 'x.csv',
      batchSize: 2,
      rejectMode: 'batch',
    });
    const writer = t.app.get(BatchWriter);
    const preparer = t.app.get(BatchPreparer);
    const memory = new RunMemory('hired_employees');
    const target = {
      runId: run.id,
      table: 'hired_employees' as const,
      rejectMode: 'batch' as const,
      fence: lease.fence,
    };
    const batch = async (no: number, id: number) => {
      const prepared = preparer.check(memory, no, [
        { line: no, values: [String(id), `Person ${id}`, '2021-01-01T00:00:00Z', '1', '1'], columns: 5 },
      ]);
      await preparer.checkReferences(memory, prepared);
      return prepared;
    };
    await expect(writer.write(target, await batch(1, 801))).resolves.toMatchObject({ rowsInserted: 1 });

    // Paused past its lease: another replica takes the run over and ends it.
    const name = `run:hired_employees:${run.id}`;
    await t.dataSource.query(
      t.app.get(Dialect).sql('UPDATE coordination_leases SET expires_at_ms = 0 WHERE name = ?'),
      [name],
    );
    const other = await store.take(name, 'replica-b', 60_000);
    expect(other?.token).toBe(2);

    await expect(writer.write(target, await batch(2, 802))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(count('hired_employees WHERE id IN (801, 802)')).resolves.toBe(1);
    await expect(count('migration_run_batches WHERE run_id = ?', [run.id])).resolves.toBe(1);
    await lease.release();
    await store.release(other!);
    await lifecycle.end(run.id, { status: 'failed', error: 'taken over', headerSkipped: false });
  });

  it('should say how dead replicas are found on this engine', () => {
    expect(t.app.get(LeaseKeeper).mode).toBe(engine === 'sqlite' ? 'single-process' : 'named-locks');
  });
});
