import { type ChildProcess, spawn } from 'node:child_process';
import { openAsBlob, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source';
import request from 'supertest';
import { employeesCsv, openUpload, waitFor } from '../support/hr-files';
import { freePort, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { createTestDatabase, sharedEngines, testEngines, type TestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');
const KEY = 'crash-test-key-0123456789';
const EMPLOYEES = 200_000;

function writeFiles(dir: string): string[] {
  const departments = join(dir, 'departments.csv');
  const jobs = join(dir, 'jobs.csv');
  const employees = join(dir, 'hired_employees.csv');
  writeFileSync(departments, '1,Support\r\n2,Sales');
  writeFileSync(jobs, '1,Engineer\r\n2,Manager');
  const lines: string[] = [];
  for (let id = 1; id <= EMPLOYEES; id++)
    lines.push(`${id},Person ${id},2021-05-0${1 + (id % 9)}T10:00:00Z,${1 + (id % 2)},1`);
  writeFileSync(employees, lines.join('\r\n'));
  return [departments, jobs, employees];
}

async function startService(db: TestDatabase, port: number): Promise<ChildProcess> {
  const env = { ...process.env, DATABASE_URL: db.url, PORT: String(port), API_KEY: KEY };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the service did not start');
}

function upload(port: number, files: string[]): Promise<Response> {
  return (async () => {
    const form = new FormData();
    form.append('rejectMode', 'row');
    for (const file of files) form.append('file', await openAsBlob(file), file.split('/').pop());
    return fetch(`http://127.0.0.1:${port}/migrate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}` },
      body: form,
    });
  })();
}

describe.each(testEngines())('a run interrupted by a killed process on %s', (engine) => {
  let db: TestDatabase;
  let dir: string;
  let files: string[];
  let reader: DataSource;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dir = mkdtempSync(join(tmpdir(), 'hr-crash-'));
    files = writeFiles(dir);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (reader?.isInitialized) await reader.destroy();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep only whole batches, end the run as interrupted, and complete on a re-send', async () => {
    const port = await freePort();
    child = await startService(db, port);
    reader = new DataSource({ ...buildDataSourceOptions(db.config), migrationsRun: false });
    await reader.initialize();
    const pending = upload(port, files).catch(() => null);
    const count = async (): Promise<number> =>
      Number((await reader.query('SELECT COUNT(*) AS n FROM hired_employees'))[0].n);
    while ((await count()) < 2000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await pending;

    const written = await count();
    expect(written % 1000).toBe(0);
    expect(written).toBeLessThan(EMPLOYEES);

    child = await startService(db, port);
    const runs = (await (await fetch(`http://127.0.0.1:${port}/migrate/runs`)).json()) as {
      items: { table: string; status: string; error: string | null; rowsInserted: number; rowsRead: number }[];
    };
    // Read once, as soon as the service answers: the killed process's run lock was freed with its
    // connection, so the start has ended the run already, on either engine.
    const run = runs.items.find((r) => r.table === 'hired_employees');
    expect(run?.rowsInserted).toBe(written);
    expect(run?.rowsRead).toBe(written);
    expect(run?.status).toBe('failed');
    expect(run?.error).toContain('interrupted');

    const again = await upload(port, files);
    expect(again.status).toBe(201);
    await expect(count()).resolves.toBe(EMPLOYEES);
    child.kill('SIGTERM');
  }, 240_000);
});

describe.each(sharedEngines())('a run loading on one replica while another starts on %s', (engine) => {
  let db: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    a = await startServiceProcess(engine, { shared: db });
    const auth = { Authorization: `Bearer ${a.apiKey}` };
    await request(a.url)
      .post('/migrate/departments')
      .set(auth)
      .send([
        { id: 1, department: 'Support' },
        { id: 2, department: 'Sales' },
      ])
      .expect(201);
    await request(a.url)
      .post('/migrate/jobs')
      .set(auth)
      .send([{ id: 1, job: 'Engineer' }])
      .expect(201);
  }, 180_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it("should not end another replica's live run when its sweeper checks the running runs", async () => {
    const open = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(2500, 1));
    const run = await waitFor('a running run', async () => {
      const res = await request(a.url).get('/migrate/runs');
      return res.body.items.find(
        (r: { status: string; table: string; batchesTotal: number }) =>
          r.status === 'running' && r.table === 'hired_employees' && r.batchesTotal >= 2,
      ) as { id: number } | undefined;
    });

    // The second replica sweeps before it answers /health: the run it found running is another's, alive.
    b = await startServiceProcess(engine, { shared: db });
    const seen = await request(b.url).get(`/migrate/runs/${run.id}`).expect(200);
    expect(seen.body.status).toBe('running');

    const done = await open.finish(`\r\n${employeesCsv(2500, 2501)}`);
    expect(done.status).toBe(201);
    expect(done.body.runs[0]).toMatchObject({ id: run.id, status: 'completed', rowsInserted: 5000, rowsRejected: 0 });
  }, 240_000);
});
