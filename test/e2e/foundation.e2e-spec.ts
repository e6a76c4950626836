import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { createDialect } from '../../src/database/dialect';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('foundation on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer /health with 200 and the database up when the database answers', async () => {
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
  });

  it('should create every table through the schema migrations, recorded in schema_migrations', async () => {
    const rows: { name: string }[] = await t.dataSource.query('SELECT name FROM schema_migrations');
    expect(rows.map((r) => r.name)).toEqual([
      'InitialSchema1732500000000',
      'RunHeartbeat1732600000000',
      'RunProgress1732700000000',
      'RunBatches1732800000000',
      'RowsToFix1732900000000',
      'DryRuns1732910000000',
      'RejectedRows1732950000000',
      'CoordinationLeases1733000000000',
      'PackedRejectedRows1733100000000',
    ]);
    for (const table of [
      'departments',
      'jobs',
      'hired_employees',
      'migration_runs',
      'migration_run_batches',
      'rejected_batches',
      'rejected_rows',
      'coordination_leases',
    ]) {
      await expect(t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)).resolves.toHaveLength(1);
    }
  });

  it('should not apply the schema migrations again when the service restarts on the same database', async () => {
    const { createApp } = await import('../../src/app.factory');
    const again = await createApp(t.config, { logger: false });
    await again.init();
    await again.close();
    const rows: unknown[] = await t.dataSource.query('SELECT name FROM schema_migrations');
    expect(rows).toHaveLength(9);
  });

  it('should take the run progress columns away and back when its schema migration is undone and run again', async () => {
    await t.dataSource.query(
      "INSERT INTO migration_runs (table_name, status, batch_size, reject_mode, started_at) VALUES ('jobs', 'completed', 10, 'batch', '2021-01-01 00:00:00.000')",
    );
    const select = 'SELECT * FROM migration_runs ORDER BY id DESC LIMIT 1';
    expect(Object.keys((await t.dataSource.query(select))[0])).toEqual(
      expect.arrayContaining(['bytes_read', 'bytes_total']),
    );
    await t.dataSource.undoLastMigration(); // the packed rejected rows
    await t.dataSource.undoLastMigration(); // the coordination leases
    await t.dataSource.undoLastMigration(); // the rejected rows table
    await t.dataSource.undoLastMigration(); // dry runs
    await t.dataSource.undoLastMigration(); // the rows to fix
    await t.dataSource.undoLastMigration(); // the run batches table
    await t.dataSource.undoLastMigration();
    expect(Object.keys((await t.dataSource.query(select))[0])).not.toContain('bytes_read');
    await t.dataSource.runMigrations();
    const [row] = await t.dataSource.query(select);
    expect([Number(row.bytes_read), row.bytes_total]).toEqual([0, null]);
    await t.dataSource.query('DELETE FROM migration_runs');
  });

  it('should take the coordination leases, the dry run and rows-to-fix columns away and back when their schema migrations are undone and run again', async () => {
    await t.dataSource.query(
      "INSERT INTO migration_runs (table_name, status, batch_size, reject_mode, started_at) VALUES ('jobs', 'completed', 10, 'batch', '2021-01-01 00:00:00.000')",
    );
    const select = 'SELECT * FROM migration_runs ORDER BY id DESC LIMIT 1';
    const columns = async () => Object.keys((await t.dataSource.query(select))[0]);
    await expect(columns()).resolves.toEqual(expect.arrayContaining(['dry_run', 'header_text', 'delimiter']));
    await t.dataSource.undoLastMigration(); // the packed rejected rows
    await t.dataSource.undoLastMigration(); // the coordination leases
    await expect(t.dataSource.query('SELECT name FROM coordination_leases WHERE 1 = 0')).rejects.toThrow();
    await t.dataSource.undoLastMigration(); // the rejected rows table
    await t.dataSource.undoLastMigration(); // dry runs
    await expect(columns()).resolves.not.toContain('dry_run');
    await t.dataSource.undoLastMigration();
    await expect(columns()).resolves.not.toContain('header_text');
    await expect(t.dataSource.query('SELECT raw_text FROM rejected_batches WHERE 1 = 0')).rejects.toThrow();
    await t.dataSource.runMigrations();
    const [row] = await t.dataSource.query(select);
    expect([Number(row.dry_run), row.header_text, row.delimiter]).toEqual([0, null, null]);
    await expect(t.dataSource.query('SELECT raw_text FROM rejected_batches WHERE 1 = 0')).resolves.toEqual([]);
    await expect(t.dataSource.query('SELECT name FROM coordination_leases WHERE 1 = 0')).resolves.toEqual([]);
    await t.dataSource.query('DELETE FROM migration_runs');
  });

  it('should move a reject log to its own rows and back when the rejected rows schema migration is undone and run again', async () => {
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('rejectMode', 'row')
      .attach('file', Buffer.from('id,job\n0,Zero\n5,Five\nx,"Ex, Why"\n'), 'jobs.csv')
      .expect(201);
    const runId = res.body.runs[0].id as number;
    const page = async () => (await request(t.server).get(`/migrate/runs/${runId}`).expect(200)).body;
    const csv = async () => (await request(t.server).get(`/migrate/runs/${runId}/rejects.csv`).expect(200)).text;
    const [before, beforeCsv] = [await page(), await csv()];
    expect(before.rejectedTotal).toBe(2);
    expect(beforeCsv).toBe('id,job\n0,Zero\nx,"Ex, Why"\n');

    await t.dataSource.undoLastMigration(); // the packed rejected rows
    await t.dataSource.undoLastMigration(); // the coordination leases
    await t.dataSource.undoLastMigration(); // the rejected rows
    const [legacy] = await t.dataSource.query(
      createDialect(t.dataSource).sql('SELECT raw_rows, raw_text FROM rejected_batches WHERE run_id = ?'),
      [runId],
    );
    expect(JSON.parse(legacy.raw_rows)).toHaveLength(2);
    // The plain row is written back from its values; the quoted one keeps its text.
    expect(JSON.parse(legacy.raw_text)).toEqual([null, 'x,"Ex, Why"']);
    await t.dataSource.runMigrations();

    await expect(page()).resolves.toEqual(before);
    await expect(csv()).resolves.toBe(beforeCsv);
    await t.dataSource.query('DELETE FROM migration_runs');
  });

  it('should unpack the reject log into one entry a row and pack it again when its schema migration is undone and run again', async () => {
    // Two batches, each with a bad row: every row goes to the reject log.
    const rows = Array.from({ length: 13 }, (_, i) => `${i + 1},Job ${i}`);
    rows[4] = 'y,Bad id';
    rows[7] = '8,"Eight, quoted"';
    rows[12] = 'x,Bad';
    const lines = ['id,job', ...rows];
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('rejectMode', 'batch')
      .field('batchSize', '10')
      .attach('file', Buffer.from(`${lines.join('\n')}\n`), 'jobs.csv')
      .expect(201);
    const runId = res.body.runs[0].id as number;
    const entries = async () =>
      Number(
        (
          await t.dataSource.query(
            createDialect(t.dataSource).sql('SELECT COUNT(*) AS n FROM rejected_rows WHERE run_id = ?'),
            [runId],
          )
        )[0].n,
      );
    const pages = async () => {
      const got: unknown[] = [];
      for (const [offset, limit] of [
        [0, 100],
        [0, 1],
        [3, 2],
        [6, 3],
        [9, 4],
        [12, 1],
        [2, 11],
      ])
        got.push(
          (
            await request(t.server)
              .get(`/migrate/runs/${runId}?rejectedOffset=${offset}&rejectedLimit=${limit}`)
              .expect(200)
          ).body,
        );
      got.push((await request(t.server).get(`/migrate/runs/${runId}/rejects.csv?reasons=true`).expect(200)).text);
      got.push((await request(t.server).get(`/migrate/runs/${runId}/rejects.csv`).expect(200)).text);
      return got;
    };
    const before = await pages();
    expect(before.at(-1)).toBe(`${lines.join('\n')}\n`);
    expect((before[0] as { rejectedTotal: number }).rejectedTotal).toBe(13);
    // Each batch is one entry.
    await expect(entries()).resolves.toBe(2);

    await t.dataSource.undoLastMigration(); // the packed rejected rows
    await expect(entries()).resolves.toBe(13);
    await t.dataSource.runMigrations();
    // Read back from one entry a row, the log reads as it did packed.
    await expect(pages()).resolves.toEqual(before);
    await t.dataSource.query('DELETE FROM migration_runs');
  });

  it('should enforce the foreign keys of hired_employees', async () => {
    await expect(
      t.dataSource.query(
        "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (1, 'x', '2021-01-01 00:00:00.000', 99, 99)",
      ),
    ).rejects.toThrow();
  });

  it('should answer an unknown route with the error shape and 404', async () => {
    const res = await request(t.server).get('/no/such/route').expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No route for GET /no/such/route',
      requestId: res.headers['x-request-id'],
    });
  });

  it('should answer malformed JSON with 400 and the error shape, without internals', async () => {
    const res = await request(t.server)
      .post('/anything')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send('{"broken": ')
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is not valid JSON',
      requestId: res.headers['x-request-id'],
    });
  });

  it('should serve the OpenAPI document at /docs-json and its UI at /docs', async () => {
    const json = await request(t.server).get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toContain('/health');
    const ui = await request(t.server).get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('should send helmet security headers', async () => {
    const res = await request(t.server).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('start-up configuration', () => {
  it('should exit non-zero naming DATABASE_URL when it is not a MySQL, PostgreSQL or SQLite URL', () => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      env: { ...process.env, DATABASE_URL: 'oracle://x', PORT: '0' },
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('mysql://');
    expect(result.stderr).toContain('postgres://');
  });
});

describe('rate limiting of writes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { rateLimitPerMinute: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 with Retry-After when a client sends more writes per minute than allowed', async () => {
    for (let i = 0; i < 2; i++) {
      await request(t.server).post('/backup/departments').set(t.auth).send({}).expect(201);
    }
    const limited = await request(t.server).post('/backup/departments').set(t.auth).send({});
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.message).toContain('Retry-After');
  });

  it('should never throttle reads when writes are throttled', async () => {
    for (let i = 0; i < 5; i++) await request(t.server).get('/health').expect(200);
  });
});

describe('rate limiting of failed key checks', () => {
  let t: TestApp;
  const readKey = 'the-read-key-0123456789';

  beforeAll(async () => {
    t = await startTestApp('sqlite', { rateLimitPerMinute: 3, readApiKey: readKey });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 instead of 401 when a client fails more key checks per minute than allowed', async () => {
    const wrong = { Authorization: 'Bearer not-the-key' };
    await request(t.server).post('/backup/departments').set(wrong).expect(401);
    await request(t.server)
      .post('/migrate/jobs')
      .set(wrong)
      .send([{ id: 1, job: 'x' }])
      .expect(401);
    await request(t.server).get('/migrate/runs').set(wrong).expect(401);
    const limited = await request(t.server).get('/reports/hires-by-quarter').set(wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const write = await request(t.server).post('/backup/departments').set(t.auth);
    expect(write.status).toBe(429);
  });

  it('should still answer reads sent with a right key when failed checks used up the limit', async () => {
    await request(t.server)
      .get('/migrate/runs')
      .set({ Authorization: `Bearer ${readKey}` })
      .expect(200);
  });
});
