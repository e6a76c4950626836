import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { createDialect } from '../../src/database/dialect';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** The named lock run `id` holds in this database while its process loads it (see RunLifecycle). */
const RUN_LOCK = "CONCAT('hr_run_', ?, '_', LEFT(SHA1(DATABASE()), 20))";

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

  it('should end at once the running runs that hold no lock, keeping their counts, and leave live runs alone', async () => {
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

  (engine === 'mysql' ? it : it.skip)(
    "should leave alone another process's run while it holds the run's lock, and end it once the lock is free",
    async () => {
      const other = await insertRun('running');
      const holder = await createConnection({ uri: t.db.url });
      try {
        await holder.query(`SELECT GET_LOCK(${RUN_LOCK}, 0)`, [other]);
        await lifecycle.endRunsOfDeadProcesses();
        await expect(statuses([other])).resolves.toEqual([[other, 'running', 2000]]);
        await holder.query(`DO RELEASE_LOCK(${RUN_LOCK})`, [other]);
      } finally {
        await holder.end();
      }
      await lifecycle.endRunsOfDeadProcesses();
      await expect(statuses([other])).resolves.toEqual([[other, 'failed', 2000]]);
    },
  );

  (engine === 'postgres' ? it : it.skip)(
    "should leave alone another process's run while it holds the run's advisory lock, and end it once its connection ends",
    async () => {
      const other = await insertRun('running');
      const holder = new Client({ connectionString: t.db.url });
      await holder.connect();
      try {
        await holder.query("SELECT pg_try_advisory_lock(hashtextextended('hr_run_' || $1::text, 0))", [other]);
        await lifecycle.endRunsOfDeadProcesses();
        await expect(statuses([other])).resolves.toEqual([[other, 'running', 2000]]);
      } finally {
        // As when the process holding it dies: the server frees the lock with the connection.
        await holder.end();
      }
      await lifecycle.endRunsOfDeadProcesses();
      await expect(statuses([other])).resolves.toEqual([[other, 'failed', 2000]]);
    },
  );
});
