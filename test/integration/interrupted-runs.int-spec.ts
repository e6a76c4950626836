import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { INTERRUPTED_REASON, STALE_RUN_MS } from '../../src/migration/run-lifecycle.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('interrupted runs on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function insertRun(status: string, heartbeat: Date): Promise<number> {
    const stamp = heartbeat.toISOString().replace('T', ' ').replace('Z', '');
    await t.dataSource.query(
      `INSERT INTO migration_runs (table_name, file_name, status, batch_size, reject_mode, rows_read, rows_inserted,
        batches_total, batches_committed, started_at, heartbeat_at) VALUES ('jobs', 'jobs.csv', ?, 1000, 'batch', 2000, 2000, 2, 2, ?, ?)`,
      [status, stamp, stamp],
    );
    const [row] = await t.dataSource.query('SELECT MAX(id) AS id FROM migration_runs');
    return Number(row.id);
  }

  it('should fail only the running runs whose heartbeat is stale, keeping their committed counts', async () => {
    const stale = await insertRun('running', new Date(Date.now() - STALE_RUN_MS - 60_000));
    const alive = await insertRun('running', new Date());
    const done = await insertRun('completed', new Date(Date.now() - STALE_RUN_MS - 60_000));
    const repository = t.app.get(MigrationRunsRepository);

    await expect(
      repository.failInterruptedRuns(new Date(Date.now() - STALE_RUN_MS), INTERRUPTED_REASON),
    ).resolves.toEqual([stale]);

    const rows: { id: number; status: string; error: string | null; rows_inserted: number }[] =
      await t.dataSource.query(
        'SELECT id, status, error, rows_inserted FROM migration_runs WHERE id IN (?, ?, ?) ORDER BY id',
        [stale, alive, done],
      );
    expect(rows.map((r) => [Number(r.id), r.status, Number(r.rows_inserted)])).toEqual([
      [stale, 'failed', 2000],
      [alive, 'running', 2000],
      [done, 'completed', 2000],
    ]);
    expect(rows[0].error).toContain('interrupted');
  });

  it('should leave alone a queued run of an async upload once its heartbeat was renewed', async () => {
    const queued = await insertRun('running', new Date(Date.now() - STALE_RUN_MS - 60_000));
    const repository = t.app.get(MigrationRunsRepository);

    await repository.touchRuns([queued]);

    await expect(
      repository.failInterruptedRuns(new Date(Date.now() - STALE_RUN_MS), INTERRUPTED_REASON),
    ).resolves.toEqual([]);
    const [row] = await t.dataSource.query('SELECT status FROM migration_runs WHERE id = ?', [queued]);
    expect(row.status).toBe('running');
  });

  it('should not renew the heartbeat of a run that has ended', async () => {
    const beat = new Date(Date.now() - STALE_RUN_MS - 60_000);
    const done = await insertRun('completed', beat);
    await t.app.get(MigrationRunsRepository).touchRuns([done]);
    const [row] = await t.dataSource.query('SELECT heartbeat_at FROM migration_runs WHERE id = ?', [done]);
    const stored =
      row.heartbeat_at instanceof Date ? row.heartbeat_at : new Date(`${row.heartbeat_at.replace(' ', 'T')}Z`);
    expect(stored.getTime()).toBe(beat.getTime());
  });
});
