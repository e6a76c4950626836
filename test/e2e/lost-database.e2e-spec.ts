import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import request from 'supertest';
import { employeesCsv, leaksIn, waitFor, uploadEmployees } from '../support/hr-files';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { TEST_MYSQL_URL_VARIABLE, testEngines } from '../support/test-database';

// Losing the connection means nothing on SQLite (an embedded file): these run on MySQL/MariaDB only.
const onMysql = testEngines().includes('mysql') ? describe : describe.skip;
const ROWS = 100_000;
const MAX_KILLS = 20;
const MAX_COMMIT_KILLS = 10;

interface RunRow {
  status: string;
  error: string | null;
  rows_read: number;
  rows_inserted: number;
  rows_rejected: number;
  batches_total: number;
  batches_committed: number;
  batches_rejected: number;
}

async function admin(): Promise<Connection> {
  return createConnection({ uri: process.env[TEST_MYSQL_URL_VARIABLE] as string });
}

function dbName(t: TestApp): string {
  return new URL(t.db.url).pathname.slice(1);
}

async function runRow(conn: Connection, t: TestApp, id: number): Promise<RunRow> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT * FROM \`${dbName(t)}\`.migration_runs WHERE id = ?`, [id]);
  return rows[0] as RunRow;
}

async function employees(conn: Connection, t: TestApp): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${dbName(t)}\`.hired_employees`);
  return Number(rows[0].n);
}

async function seed(t: TestApp): Promise<void> {
  const departments = [
    { id: 1, department: 'Support' },
    { id: 2, department: 'Sales' },
  ];
  await request(t.server).post('/migrate/departments').set(t.auth).send(departments).expect(201);
  await request(t.server)
    .post('/migrate/jobs')
    .set(t.auth)
    .send([{ id: 1, job: 'Engineer' }])
    .expect(201);
}

/** Counters that say exactly what the table holds, every batch either committed or not at all. */
function expectExactCounts(run: RunRow, rowsInTable: number): void {
  expect(Number(run.rows_inserted)).toBe(rowsInTable);
  expect(Number(run.rows_rejected)).toBe(0);
  expect(Number(run.rows_read)).toBe(rowsInTable);
  expect(Number(run.batches_committed)).toBe(Number(run.batches_total));
  expect(Number(run.batches_rejected)).toBe(0);
}

/**
 * Kills, until `done` or `max` kills, the service's connections running a statement LIKE
 * `statement`, looking every `everyMs`; resolves to the number of kills.
 */
async function killer(
  t: TestApp,
  done: () => boolean,
  { statement, everyMs, max }: { statement: string; everyMs: number; max: number },
): Promise<number> {
  const conn = await admin();
  let kills = 0;
  try {
    while (!done() && kills < max) {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()
          AND COMMAND = 'Query' AND INFO LIKE ?`,
        [dbName(t), statement],
      );
      for (const { id } of rows) {
        await conn.query(`KILL CONNECTION ${Number(id)}`).then(
          () => kills++,
          () => undefined,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  } finally {
    await conn.end();
  }
  return kills;
}

/** Fails naming the step when `promise` does not settle in time, rather than at the test's timeout. */
async function within<T>(what: string, promise: Promise<T>, ms = 90_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

// Two 100,000-row uploads per test on a database shared with other suites: minutes, not seconds.
jest.setTimeout(240_000);

onMysql('a lost database on mysql', () => {
  let conn: Connection;
  const csv = employeesCsv(ROWS);

  beforeAll(async () => {
    conn = await admin();
  });
  afterAll(async () => {
    await conn.end();
  });

  it('should complete the run with counts equal to the table when connections are killed, COMMITs included', async () => {
    const t = await startTestApp('mysql');
    try {
      await seed(t);
      let done = false;
      const pending = uploadEmployees(t, csv)
        .then((r) => r)
        .finally(() => (done = true));
      // Kills start once the run is under way: a request cut before its run exists just answers 503.
      await waitFor('a committed batch', async () => {
        const [rows] = await conn.query<RowDataPacket[]>(
          `SELECT r.id FROM \`${dbName(t)}\`.migration_runs r WHERE r.table_name = 'hired_employees'
            AND EXISTS (SELECT 1 FROM \`${dbName(t)}\`.migration_run_batches b WHERE b.run_id = r.id)`,
        );
        return rows.length > 0 || done;
      });
      // Bounded kills: enough to hit batches many times, few enough that a slow machine still gets
      // the run to its end. A COMMIT is short, so one killer looks for COMMITs alone, and often.
      const any = killer(t, () => done, { statement: '%', everyMs: 150, max: MAX_KILLS });
      const commits = killer(t, () => done, { statement: 'COMMIT%', everyMs: 5, max: MAX_COMMIT_KILLS });
      const res = await within('the upload answer', pending);
      // Here the COMMIT killer hits its cap every time; on a much faster machine it might see none, so
      // the decision after a cut COMMIT is proved by test/integration/lost-commit.int-spec.ts.
      await commits;
      await expect(any).resolves.toBeGreaterThan(0);
      expect(res.status).toBe(201);
      const [run] = res.body.runs;
      // Every cut COMMIT was looked up: the batch counted once if it was in, written again if not.
      expect(run).toMatchObject({
        status: 'completed',
        rowsRead: ROWS,
        rowsInserted: ROWS,
        rowsRejected: 0,
      });
      await expect(employees(conn, t)).resolves.toBe(ROWS);
      expectExactCounts(await runRow(conn, t, run.id), ROWS);
    } finally {
      await t.close();
    }
  });

  it('should answer 503 while the database is away, fail the run with exact counts, and recover by itself', async () => {
    const target = new URL(process.env[TEST_MYSQL_URL_VARIABLE] as string);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    await proxy.start();
    const t = await startTestApp('mysql', {
      databaseRetryMs: 2000,
      databaseUrl: (url) => {
        const through = new URL(url);
        through.hostname = '127.0.0.1';
        through.port = String(proxy.port);
        return through.toString();
      },
    });
    try {
      await seed(t);
      const pending = uploadEmployees(t, csv).then((r) => r);
      const runId = await waitFor('a committed batch', async () => {
        const [rows] = await conn.query<RowDataPacket[]>(
          `SELECT r.id FROM \`${dbName(t)}\`.migration_runs r WHERE r.table_name = 'hired_employees'
            AND EXISTS (SELECT 1 FROM \`${dbName(t)}\`.migration_run_batches b WHERE b.run_id = r.id)`,
        );
        return rows.length > 0 ? Number(rows[0].id) : undefined;
      });
      proxy.cut();
      await waitFor('/health 503', async () => (await request(t.server).get('/health')).status === 503);

      const res = await within('the upload answer', pending);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', runId });
      expect(leaksIn(JSON.stringify(res.body))).toEqual([]);
      const listed = await request(t.server).get('/migrate/runs').expect(503);
      expect(listed.body.message).toBe('The database is not answering; try again in a moment');
      const json = await request(t.server)
        .post('/migrate/jobs')
        .set(t.auth)
        .send([{ id: 2, job: 'Manager' }])
        .expect(503);
      expect(json.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      const health = await request(t.server).get('/health').expect(503);
      expect(health.body).toMatchObject({ message: 'Not ready: the database is not answering' });
      expect(leaksIn(health.text)).toEqual([]);

      proxy.restore();
      await waitFor('/health 200', async () => (await request(t.server).get('/health')).status === 200);
      const run = await waitFor('the run marked failed', async () => {
        const row = await runRow(conn, t, runId);
        return row.status === 'failed' ? row : undefined;
      });
      const inTable = await employees(conn, t);
      expect(inTable).toBeGreaterThan(0);
      expect(inTable).toBeLessThan(ROWS);
      expectExactCounts(run, inTable);
      expect(run.error).toMatch(/stopped answering|lost while a batch was committing/);

      const again = await within(
        'the re-sent upload',
        uploadEmployees(t, csv).then((r) => r),
      );
      expect(again.status).toBe(201);
      expect(again.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: ROWS });
      await expect(employees(conn, t)).resolves.toBe(ROWS);
    } finally {
      await t.close();
      await proxy.stop();
    }
  });
});
