import request from 'supertest';
import { DataSource } from 'typeorm';
import { TableGuard } from '../../src/coordination/table-guard';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { createDialect } from '../../src/database/dialect';
import { employeesCsv, openUpload, waitFor, uploadEmployees } from '../support/hr-files';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, sharedEngines, testEngines, type TestDatabase } from '../support/test-database';

const PER_UPLOAD = 20_000;

async function count(t: TestApp, where = '1 = 1'): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM hired_employees WHERE ${where}`);
  return Number(row.n);
}

async function seed(server: TestApp['server'] | string, auth: Record<string, string>): Promise<void> {
  const departments = [
    { id: 1, department: 'Support' },
    { id: 2, department: 'Sales' },
  ];
  await request(server).post('/migrate/departments').set(auth).send(departments).expect(201);
  await request(server)
    .post('/migrate/jobs')
    .set(auth)
    .send([{ id: 1, job: 'Engineer' }])
    .expect(201);
}

/** The running run of hired_employees once it has committed `batches` batches. */
function runningRun(server: TestApp['server'] | string, batches: number) {
  return waitFor('a running run', async () => {
    const res = await request(server).get('/migrate/runs');
    return res.body.items.find(
      (r: { status: string; table: string; batchesTotal: number }) =>
        r.status === 'running' && r.table === 'hired_employees' && r.batchesTotal >= batches,
    );
  });
}

describe.each(testEngines())('concurrent writers on %s', (engine) => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
    await seed(t.server, t.auth);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should load several uploads sent at once with exact totals', async () => {
    const answers = await Promise.all(
      [0, 1, 2].map((i) => uploadEmployees(t, employeesCsv(PER_UPLOAD, 1 + i * PER_UPLOAD)).then((r) => r)),
    );
    for (const res of answers) {
      expect(res.status).toBe(201);
      expect(res.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: PER_UPLOAD, rowsRejected: 0 });
    }
    await expect(count(t)).resolves.toBe(3 * PER_UPLOAD);
  });

  it('should refuse a restore with 409 while a run writes the table, and keep the run whole', async () => {
    const backup = await request(t.server).post('/backup/hired_employees').set(t.auth).expect(201);
    const before = await count(t);
    const open = openUpload(url, t.config.apiKey, 'hired_employees', employeesCsv(2500, 500_001));
    const run = await runningRun(t.server, 2);

    const refused = await request(t.server).post('/restore/hired_employees').set(t.auth).send({}).expect(409);
    expect(refused.body).toMatchObject({ code: 'TABLE_BUSY', table: 'hired_employees' });
    expect(refused.body.message).toMatch(/writing hired_employees; restore it when the run has ended/);
    const committed = (await request(t.server).get(`/migrate/runs/${run.id}`).expect(200)).body.rowsInserted;
    await expect(count(t)).resolves.toBe(before + committed);

    const done = await open.finish(`\r\n${employeesCsv(2500, 502_501)}`);
    expect(done.status).toBe(201);
    expect(done.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 5000, rowsRejected: 0 });
    await expect(count(t)).resolves.toBe(before + 5000);

    await request(t.server).post('/restore/hired_employees').set(t.auth).send({ file: backup.body.file }).expect(200);
    await expect(count(t)).resolves.toBe(before);
    await expect(count(t, 'id > 500000')).resolves.toBe(0);
  });

  it('should refuse a run with 409 while a restore holds the table, writing nothing', async () => {
    const before = await count(t);
    const lease = await t.app.get(TableGuard).beginRestore('hired_employees');
    try {
      const res = await uploadEmployees(t, employeesCsv(10, 700_001)).expect(409);
      expect(res.body).toMatchObject({ code: 'TABLE_BUSY' });
      expect(res.body.message).toMatch(/A restore of hired_employees is in progress/);
      const json = [{ id: 700_100, name: 'Ann', datetime: '2021-01-01T00:00:00Z', department_id: 1, job_id: 1 }];
      await request(t.server).post('/migrate/hired_employees').set(t.auth).send(json).expect(409);
      // Other tables are free on MySQL and PostgreSQL; SQLite's one connection is shared, so a restore takes all.
      const other = await request(t.server)
        .post('/migrate/jobs')
        .set(t.auth)
        .send([{ id: 2, job: 'Manager' }]);
      expect(other.status).toBe(engine === 'sqlite' ? 409 : 201);
    } finally {
      await lease.release();
    }
    await expect(count(t)).resolves.toBe(before);
    await uploadEmployees(t, employeesCsv(10, 700_001)).expect(201);
    await expect(count(t)).resolves.toBe(before + 10);
  });
});

/** A replica that is not one of the test's: alive while it holds its named lock (see LeaseKeeper). */
const OTHER_REPLICA = 'feedfacefeedface';
const REPLICA_LOCK = `hr_replica_${OTHER_REPLICA}`;

describe.each(sharedEngines())('two replicas on one %s database', (engine) => {
  let db: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let admin: DataSource;
  const auth = () => ({ Authorization: `Bearer ${a.apiKey}` });

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    a = await startServiceProcess(engine, { shared: db });
    b = await startServiceProcess(engine, { shared: db });
    admin = new DataSource({ ...buildDataSourceOptions(db.config), migrationsRun: false });
    await admin.initialize();
    await seed(a.url, auth());
  }, 180_000);
  afterAll(async () => {
    if (admin?.isInitialized) await admin.destroy();
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  async function rows(where = '1 = 1'): Promise<number> {
    const [result]: { n: number | string }[] = await admin.query(
      `SELECT COUNT(*) AS n FROM hired_employees WHERE ${where}`,
    );
    return Number(result.n);
  }

  function send(to: ServiceProcess, csv: string) {
    return request(to.url)
      .post('/migrate')
      .set(auth())
      .field('table', 'hired_employees')
      .attach('file', Buffer.from(csv), 'hired_employees.csv')
      .then((r) => r);
  }

  it('should load distinct files through both replicas at once with exact totals', async () => {
    const [first, second] = await Promise.all([
      send(a, employeesCsv(30_000, 1)),
      send(b, employeesCsv(30_000, 30_001)),
    ]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(first.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 30_000, rowsRejected: 0 });
    expect(second.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 30_000, rowsRejected: 0 });
    await expect(rows()).resolves.toBe(60_000);
  });

  it("should refuse one replica's restore while the other's run writes the table, and the reverse", async () => {
    const backup = await request(b.url).post('/backup/hired_employees').set(auth()).expect(201);
    const open = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(2500, 900_001));
    const run = await runningRun(a.url, 2);
    const refused = await request(b.url).post('/restore/hired_employees').set(auth()).send({}).expect(409);
    expect(refused.body.message).toBe(
      `Migration run ${run.id} is writing hired_employees; restore it when the run has ended`,
    );
    const done = await open.finish(`\r\n${employeesCsv(2500, 902_501)}`);
    expect(done.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 5000 });
    await expect(rows()).resolves.toBe(65_000);

    // A restore under way on another, live replica holds the table's restore lease: a run is refused and recorded.
    const dialect = createDialect(admin);
    const alive = await dialect.tryLock(REPLICA_LOCK);
    expect(alive).not.toBeNull();
    await admin.query("DELETE FROM coordination_leases WHERE name = 'restore:hired_employees'");
    await admin.query(
      dialect.sql(`INSERT INTO coordination_leases (name, owner, token, expires_at_ms)
        VALUES ('restore:hired_employees', ?, 1, ${dialect.clockMs()} + 60000)`),
      [OTHER_REPLICA],
    );
    try {
      const res = await send(a, employeesCsv(10, 990_001));
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/A restore of hired_employees is in progress/);
      const runs = await request(a.url).get('/migrate/runs?limit=1').expect(200);
      expect(runs.body.items[0]).toMatchObject({ status: 'failed', rowsRead: 0 });
    } finally {
      await admin.query(
        "UPDATE coordination_leases SET owner = '', expires_at_ms = 0 WHERE name = 'restore:hired_employees'",
      );
      await alive?.release();
    }
    await expect(rows('id > 990000')).resolves.toBe(0);

    await request(b.url).post('/restore/hired_employees').set(auth()).send({ file: backup.body.file }).expect(200);
    await expect(rows()).resolves.toBe(60_000);
  });
});
