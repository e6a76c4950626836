import { createDialect, Dialect, type NamedLock } from '../../src/database/dialect';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/**
 * The named lock a replica holds on a standalone MySQL server (PostgreSQL: an advisory lock) while
 * it lives (see LeaseKeeper), taken on a connection of its own.
 */
async function holdReplicaLock(t: TestApp, owner: string): Promise<NamedLock> {
  const lock = await createDialect(t.dataSource).tryLock(`hr_replica_${owner}`);
  if (!lock) throw new Error(`the lock of replica ${owner} is held already`);
  return lock;
}

describe.each(testEngines())('runs of dead processes on %s', (engine) => {
  let t: TestApp;
  let lifecycle: RunLifecycle;

  beforeAll(async () => {
    t = await startTestApp(engine);
    lifecycle = t.app.get(RunLifecycle);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A run row as a process that died left it: no lock held. */
  async function insertRun(status: string): Promise<number> {
    await t.dataSource.query(
      createDialect(t.dataSource).sql(
        `INSERT INTO migration_runs (table_name, file_name, status, batch_size, reject_mode, rows_read, rows_inserted,
          batches_total, batches_committed, started_at) VALUES ('jobs', 'jobs.csv', ?, 1000, 'batch', 2000, 2000, 2, 2, ?)`,
      ),
      [status, new Date().toISOString().replace('T', ' ').replace('Z', '')],
    );
    const [row] = await t.dataSource.query('SELECT MAX(id) AS id FROM migration_runs');
    return Number(row.id);
  }

  async function statuses(ids: number[]): Promise<[number, string, number][]> {
    const rows: { id: number; status: string; rows_inserted: number }[] = await t.dataSource.query(
      createDialect(t.dataSource).sql(
        `SELECT id, status, rows_inserted FROM migration_runs WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
      ),
      ids,
    );
    return rows.map((r) => [Number(r.id), r.status, Number(r.rows_inserted)]);
  }

  it('should end at once the running runs that hold no lease, keeping their counts, and leave live runs alone', async () => {
    const dead = await insertRun('running');
    const done = await insertRun('completed');
    const { run: live, lease } = await lifecycle.start({
      table: 'jobs',
      file: null,
      batchSize: 10,
      rejectMode: 'batch',
    });
    const [queued] = await lifecycle.queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 10, rejectMode: 'batch' }]);
    try {
      await lifecycle.endRunsOfDeadProcesses();

      await expect(statuses([dead, done, live.id, queued.id])).resolves.toEqual([
        [dead, 'failed', 2000],
        [done, 'completed', 2000],
        [live.id, 'running', 0],
        [queued.id, 'running', 0],
      ]);
      const [row] = await t.dataSource.query(
        createDialect(t.dataSource).sql('SELECT error FROM migration_runs WHERE id = ?'),
        [dead],
      );
      expect(row.error).toContain('interrupted');
    } finally {
      await lifecycle.end(live.id, { status: 'completed', error: null, headerSkipped: false });
      await lifecycle.interrupt([queued.id]);
      await lease.release();
    }
  });

  /** Run `id`'s lease, held by replica `owner` until `ms` from now on the database's clock. */
  async function leaseRun(id: number, owner: string, ms: number): Promise<void> {
    await t.dataSource.query(
      t.app
        .get(Dialect)
        .sql(
          `INSERT INTO coordination_leases (name, owner, token, expires_at_ms, changes) VALUES (?, ?, 1, ${t.app.get(Dialect).clockMs()} + ?, 0)`,
        ),
      [`run:jobs:${id}`, owner, ms],
    );
  }

  it('should end at once a run whose lease is held by a replica known to be gone, before the lease expires', async () => {
    // On SQLite any holder but this process is gone; on MySQL and PostgreSQL a replica without its named lock is.
    const other = await insertRun('running');
    await leaseRun(other, 'aaaaaaaaaaaaaaaa', 60_000);
    await lifecycle.endRunsOfDeadProcesses();
    await expect(statuses([other])).resolves.toEqual([[other, 'failed', 2000]]);
  });

  (engine === 'sqlite' ? it.skip : it)(
    "should leave alone another live replica's run while its lease lasts, and end it once the replica is gone",
    async () => {
      const other = await insertRun('running');
      const owner = 'bbbbbbbbbbbbbbbb';
      await leaseRun(other, owner, 60_000);
      const holder = await holdReplicaLock(t, owner);
      try {
        await lifecycle.endRunsOfDeadProcesses();
        await expect(statuses([other])).resolves.toEqual([[other, 'running', 2000]]);
      } finally {
        // As when the replica dies: its connection ends, and the server frees the lock.
        await holder.release();
      }
      await lifecycle.endRunsOfDeadProcesses();
      await expect(statuses([other])).resolves.toEqual([[other, 'failed', 2000]]);
    },
  );

  (engine === 'sqlite' ? it.skip : it)(
    'should end the run of a live replica that stopped renewing its lease once the lease has expired',
    async () => {
      const other = await insertRun('running');
      const owner = 'cccccccccccccccc';
      await leaseRun(other, owner, -1);
      const holder = await holdReplicaLock(t, owner);
      try {
        await lifecycle.endRunsOfDeadProcesses();
        await expect(statuses([other])).resolves.toEqual([[other, 'failed', 2000]]);
      } finally {
        await holder.release();
      }
    },
  );
});
