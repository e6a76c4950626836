import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const GLOBANT = join(__dirname, '../fixtures/globant');

/** The value of one series, e.g. `hr_migration_rows_written_total{table="jobs"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testEngines())('GET /metrics on %s', (engine) => {
  let t: TestApp;
  let metrics: () => Promise<string>;

  beforeAll(async () => {
    t = await startTestApp(engine);
    metrics = async () => (await request(t.server).get('/metrics').expect(200)).text;
  });
  afterAll(async () => t?.close());

  it('should show no rows and no runs before any load', async () => {
    const text = await metrics();
    expect(sample(text, 'hr_migration_rows_read_total{table="hired_employees"}')).toBeUndefined();
    expect(sample(text, 'hr_database_errors_total{kind="lock"}')).toBe(0);
  });

  it('should show the runs and the rows read, written and rejected by table after a load of the real files', async () => {
    const load = request(t.server).post('/migrate').set(t.auth).field('rejectMode', 'row');
    for (const file of ['departments.csv', 'jobs.csv', 'hired_employees.csv']) load.attach('file', join(GLOBANT, file));
    await load.expect(201);
    const response = await request(t.server).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(sample(text, 'hr_migration_runs_total{table="hired_employees",status="completed"}')).toBe(1);
    expect(sample(text, 'hr_migration_rows_read_total{table="hired_employees"}')).toBe(1999);
    expect(sample(text, 'hr_migration_rows_written_total{table="hired_employees"}')).toBe(1929);
    expect(sample(text, 'hr_migration_rows_rejected_total{table="hired_employees"}')).toBe(70);
    expect(sample(text, 'hr_migration_rows_written_total{table="departments"}')).toBe(12);
    expect(sample(text, 'hr_migration_rows_written_total{table="jobs"}')).toBe(183);
    expect(sample(text, 'hr_migration_run_duration_seconds_count{table="jobs",status="completed"}')).toBe(1);
    expect(sample(text, 'hr_http_request_duration_seconds_count{method="POST",route="/migrate",status="201"}')).toBe(1);
  });

  it("should time backups and restores and give each table's newest backup time", async () => {
    const backup = await request(t.server).post('/backup/jobs').set(t.auth).expect(201);
    await request(t.server).post('/restore/jobs').set(t.auth).send({}).expect(200);
    await request(t.server).post('/restore/departments').set(t.auth).send({}).expect(404);
    const text = await metrics();
    const newest = sample(text, 'hr_backup_last_success_timestamp_seconds{table="jobs"}');
    expect(newest).toBe(Date.parse(backup.body.createdAt) / 1000);
    expect(sample(text, 'hr_backup_last_success_timestamp_seconds{table="departments"}')).toBeUndefined();
    expect(sample(text, 'hr_backup_duration_seconds_count{table="jobs",outcome="ok"}')).toBe(1);
    expect(sample(text, 'hr_restore_duration_seconds_count{table="jobs",outcome="ok"}')).toBe(1);
    expect(sample(text, 'hr_restore_duration_seconds_count{table="departments",outcome="failed"}')).toBe(1);
    expect(
      sample(text, 'hr_http_request_duration_seconds_count{method="POST",route="/backup/:table",status="201"}'),
    ).toBe(1);
  });

  it('should label requests of no route as unmatched, whatever their path', async () => {
    await request(t.server).get('/no/such/1').expect(404);
    await request(t.server).get('/no/such/2').expect(404);
    const text = await metrics();
    expect(sample(text, 'hr_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBe(2);
    expect(text).not.toContain('/no/such');
  });
});

describe.each(testEngines())('GET /metrics with READ_API_KEY on %s', (engine) => {
  let t: TestApp;
  const readKey = 'metrics-read-key-0123456789';

  beforeAll(async () => (t = await startTestApp(engine, { readApiKey: readKey })));
  afterAll(async () => t?.close());

  it('should answer 401 without the read key and the metrics with it', async () => {
    await request(t.server).get('/metrics').expect(401);
    const text = (await request(t.server).get('/metrics').set('Authorization', `Bearer ${readKey}`).expect(200)).text;
    expect(text).toContain('# TYPE hr_migration_runs_total counter');
  });
});
