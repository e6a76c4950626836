import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { chunkedUpload } from '../support/hr-files';
import { readTable } from '../support/hr-seed';
import { readRunEvents } from '../support/run-events';
import { globantData, seed } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const GLOBANT = join(__dirname, '..', 'fixtures', 'globant');
const file = (name: string) => readFileSync(join(GLOBANT, name));

interface RunBody {
  id: number;
  table: string;
  file: string;
  status: string;
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  batchesTotal: number;
  batchesCommitted: number;
  batchesRejected: number;
  startedAt: string;
  finishedAt: string | null;
  progress: { bytesRead: number; bytesTotal: number | null } | null;
}

/** Employees 1..n on departments and jobs 1..3; every 50th has no job_id, so it is rejected. */
function employeesCsv(n: number): { csv: Buffer; rejected: number[] } {
  const lines: string[] = [];
  const rejected: number[] = [];
  for (let id = 1; id <= n; id++) {
    const job = id % 50 === 0 ? '' : String((id % 3) + 1);
    if (job === '') rejected.push(id);
    lines.push(`${id},Person ${id},2021-0${1 + (id % 9)}-1${id % 10}T08:30:00Z,${(id % 3) + 1},${job}`);
  }
  return { csv: Buffer.from(lines.join('\r\n')), rejected };
}

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

describe.each(testEngines())('async migration runs on %s', (engine) => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp(engine, { maxUploadBytes: 3 * 1024 * 1024 });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('refusals, answered before anything is loaded', () => {
    it.each([
      ['?async=maybe', 'rejectMode', 'row', 'async must be true or false'],
      ['?async=true', 'batchSize', '0', 'batchSize must be an integer from 1 to 1000'],
      ['?async=true', 'table', 'employees', 'table must be one of departments, jobs, hired_employees'],
    ])(
      'should answer 400 and create no run when the query is %s and %s is %s',
      async (query, field, value, message) => {
        const res = await request(t.server)
          .post(`/migrate${query}`)
          .set(t.auth)
          .field(field, value)
          .attach('file', file('departments.csv'), 'departments.csv')
          .expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(res.body.message).toContain(message);
        await expect(count(t, 'migration_runs')).resolves.toBe(0);
        await expect(count(t, 'departments')).resolves.toBe(0);
      },
    );

    it('should answer 400 and load none of the files when a later file has no known table', async () => {
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .attach('file', file('departments.csv'), 'departments.csv')
        .attach('file', file('jobs.csv'), 'notes.csv')
        .expect(400);
      expect(res.body.message).toMatch(/Cannot tell the table of "notes.csv"/);
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
      await expect(count(t, 'departments')).resolves.toBe(0);
    });

    it('should answer 400 and create no run when a field after the file is wrong', async () => {
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .attach('file', file('departments.csv'), 'departments.csv')
        .field('rejectMode', 'all')
        .expect(400);
      expect(res.body.message).toContain('rejectMode must be batch or row');
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
    });

    it('should answer 413 and create no run when the upload is over MAX_UPLOAD_MB', async () => {
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .attach('file', Buffer.from('1,Finance\r\n'.repeat(300_000)), 'departments.csv')
        .expect(413);
      expect(res.body.message).toMatch(/MAX_UPLOAD_MB/);
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
    });

    it.each([
      ['/migrate?async=true', 'an async upload'],
      ['/migrate', 'a file spooled until its dependencies arrive'],
    ])('should answer 413 and create no run when %s passes the limit while streaming (%s)', async (path) => {
      const res = await chunkedUpload(
        new URL(path, base).toString(),
        'hired_employees.csv',
        '1,Ann,2021-01-01T00:00:00Z,1,1\r\n',
        4 * 1024 * 1024,
      );
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, message: expect.stringMatching(/MAX_UPLOAD_MB/) });
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
      await request(t.server).get('/health').expect(200);
    });

    it('should answer 401 and create no run when there is no API key', async () => {
      await request(t.server)
        .post('/migrate?async=true')
        .attach('file', file('departments.csv'), 'departments.csv')
        .expect(401);
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
    });
  });

  describe('lifecycle', () => {
    let started: RunBody[];
    let location: string | undefined;

    beforeAll(async () => {
      // Dependents first: the service must still load departments, then jobs, then employees.
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .field('rejectMode', 'row')
        .attach('file', file('hired_employees.csv'), 'hired_employees.csv')
        .attach('file', file('jobs.csv'), 'jobs.csv')
        .attach('file', file('departments.csv'), 'departments.csv');
      expect(res.status).toBe(202);
      started = res.body.runs;
      location = res.headers.location;
    });

    it('should answer 202 with one running run per file in dependency order and a Location when async=true', () => {
      expect(started.map((r) => [r.table, r.file, r.status])).toEqual([
        ['departments', 'departments.csv', 'running'],
        ['jobs', 'jobs.csv', 'running'],
        ['hired_employees', 'hired_employees.csv', 'running'],
      ]);
      expect(started.map((r) => r.progress?.bytesTotal)).toEqual(
        ['departments.csv', 'jobs.csv', 'hired_employees.csv'].map((name) => file(name).length),
      );
      expect(started.every((r) => r.finishedAt === null)).toBe(true);
      expect(location).toBe(`/migrate/runs/${started[0].id}`);
    });

    it('should end every run completed with counts that add up and the exact rows in the tables', async () => {
      const last = await readRunEvents(base, started[2].id);
      expect(last.events[last.events.length - 1].event).toBe('end');

      const runs: RunBody[] = [];
      for (const run of started) runs.push((await request(t.server).get(`/migrate/runs/${run.id}`).expect(200)).body);
      expect(runs.map((r) => [r.table, r.status, r.rowsRead, r.rowsInserted, r.rowsRejected])).toEqual([
        ['departments', 'completed', 12, 12, 0],
        ['jobs', 'completed', 183, 183, 0],
        ['hired_employees', 'completed', 1999, 1929, 70],
      ]);
      // One after the other: a queued run's time starts when its load does.
      for (let i = 1; i < runs.length; i++) {
        expect(Date.parse(runs[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1].finishedAt ?? ''));
      }
      for (const run of runs) {
        expect(run.rowsRead).toBe(run.rowsInserted + run.rowsRejected);
        expect(run.batchesTotal).toBe(run.batchesCommitted + run.batchesRejected);
        expect(run.progress).toEqual({ bytesRead: run.progress?.bytesTotal, bytesTotal: expect.any(Number) });
      }
      const expected = globantData();
      await expect(readTable(t.dataSource, 'departments')).resolves.toEqual(expected.departments);
      await expect(readTable(t.dataSource, 'jobs')).resolves.toEqual(expected.jobs);
      const employees = await readTable(t.dataSource, 'hired_employees');
      expect(employees).toHaveLength(1929);
      expect(employees).toEqual(
        expected.employees.map((e) => ({ ...e, datetime: `${e.datetime.replace(' ', 'T')}Z` })),
      );
      const detail = (await request(t.server).get(`/migrate/runs/${started[2].id}`).expect(200)).body;
      expect(detail.rejected.flatMap((b: { errors: unknown[] }) => b.errors)).toHaveLength(70);
    });

    it('should give one end event and close when the run has already ended', async () => {
      const stream = await readRunEvents(base, started[0].id);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.events.map((e) => e.event)).toEqual(['end']);
      expect(JSON.parse(stream.events[0].data)).toMatchObject({
        id: started[0].id,
        status: 'completed',
        rowsInserted: 12,
      });
    });
  });

  describe('events of a run while it loads', () => {
    const ROWS = 30_000;

    beforeAll(async () => {
      // Departments and jobs 1..3 stay from the load above.
      await t.dataSource.query('DELETE FROM hired_employees');
    });

    it('should send progress events with growing counts, then the final run as the end event', async () => {
      const { csv, rejected } = employeesCsv(ROWS);
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .field('rejectMode', 'row')
        .field('batchSize', '100')
        .attach('file', csv, 'hired_employees.csv')
        .expect(202);
      const runId: number = res.body.runs[0].id;

      const stream = await readRunEvents(base, runId);
      const kinds = stream.events.map((e) => e.event);
      expect(kinds[kinds.length - 1]).toBe('end');
      expect(kinds.slice(0, -1).every((k) => k === 'progress')).toBe(true);
      expect(kinds.length).toBeGreaterThan(1);
      const runs: RunBody[] = stream.events.map((e) => JSON.parse(e.data));
      for (const run of runs.slice(0, -1)) {
        expect(run.status).toBe('running');
        expect(run.rowsRead).toBe(run.rowsInserted + run.rowsRejected);
        expect(run.progress?.bytesTotal).toBe(csv.length);
      }
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i].rowsRead).toBeGreaterThanOrEqual(runs[i - 1].rowsRead);
        expect(runs[i].progress?.bytesRead).toBeGreaterThanOrEqual(runs[i - 1].progress?.bytesRead ?? 0);
      }
      const end = runs[runs.length - 1];
      expect(end).toMatchObject({
        status: 'completed',
        rowsRead: ROWS,
        rowsInserted: ROWS - rejected.length,
        rowsRejected: rejected.length,
        batchesTotal: ROWS / 100,
        progress: { bytesRead: csv.length, bytesTotal: csv.length },
      });
      const {
        rejected: _log,
        rejectedTotal: _total,
        ...stored
      } = (await request(t.server).get(`/migrate/runs/${runId}`).expect(200)).body;
      expect(end).toEqual(stored);
      await expect(count(t, 'hired_employees')).resolves.toBe(ROWS - rejected.length);
      const missing: { id: number }[] = await t.dataSource.query(
        `SELECT id FROM hired_employees WHERE id IN (${rejected.join(', ')})`,
      );
      expect(missing).toEqual([]);
    });

    it('should answer 404 as JSON when the run does not exist', async () => {
      const stream = await readRunEvents(base, 999_999);
      expect(stream.status).toBe(404);
      expect(stream.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(stream.body)).toMatchObject({
        statusCode: 404,
        error: 'Not Found',
        message: 'There is no migration run 999999',
      });
      await request(t.server).get('/migrate/runs/999999').expect(404);
    });

    it('should answer 400 when the run id is not a number', async () => {
      const stream = await readRunEvents(base, 'abc');
      expect(stream.status).toBe(400);
      expect(JSON.parse(stream.body).message).toBe('The run id must be an integer from 1 to 2147483647');
    });
  });
});

describe.each(testEngines())('async migration runs when the service stops on %s', (engine) => {
  it('should end every run of the upload, none left running, when the service stops mid-load', async () => {
    const t = await startTestApp(engine);
    const dataSource = new DataSource(buildDataSourceOptions(t.db.config));
    try {
      await seed(t.dataSource, { departments: [1, 2, 3].map((id) => ({ id, department: `D${id}` })) });
      await seed(t.dataSource, { jobs: [1, 2, 3].map((id) => ({ id, job: `J${id}` })) });
      const first = employeesCsv(30_000);
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .field('rejectMode', 'row')
        .field('batchSize', '50')
        .attach('file', first.csv, 'hired_employees-1.csv')
        .attach('file', first.csv, 'hired_employees-2.csv')
        .expect(202);
      const ids: number[] = res.body.runs.map((r: RunBody) => r.id);
      await t.app.close();

      await dataSource.initialize();
      const runs: { id: number; status: string; error: string | null; rows_inserted: number; finished_at: unknown }[] =
        await dataSource.query('SELECT id, status, error, rows_inserted, finished_at FROM migration_runs ORDER BY id');
      expect(runs.map((r) => Number(r.id))).toEqual(ids);
      for (const run of runs) {
        expect(run.status).not.toBe('running');
        expect(run.finished_at).not.toBeNull();
        if (run.status === 'failed') expect(run.error).toMatch(/^interrupted: the service stopped during this run/);
      }
      // Same ids in both files: the table holds what the first run committed, whatever the second did.
      const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM hired_employees');
      expect(Number(row.n)).toBe(Number(runs[0].rows_inserted));
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await t.db.drop();
      rmSync(t.backupDir, { recursive: true, force: true });
    }
  });
});
