import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const GLOBANT = join(__dirname, '../fixtures/globant');
const FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'].map((f) => join(GLOBANT, f));

async function counts(t: TestApp): Promise<number[]> {
  const result: number[] = [];
  for (const table of ['departments', 'jobs', 'hired_employees']) {
    const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
    result.push(Number(row.n));
  }
  return result;
}

async function clear(t: TestApp): Promise<void> {
  for (const table of ['rejected_batches', 'migration_runs', 'hired_employees', 'jobs', 'departments']) {
    await t.dataSource.query(`DELETE FROM ${table}`);
  }
}

function upload(t: TestApp, fields: Record<string, string>, files: string[]) {
  const req = request(t.server).post('/migrate').set(t.auth);
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  for (const file of files) req.attach('file', file);
  return req;
}

describe.each(testEngines())('POST /migrate with the sample files on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('rejectMode=row', () => {
    beforeAll(async () => clear(t));

    it('should write 12 departments, 183 jobs and 1929 employees when the three files load in one request', async () => {
      const res = await upload(t, { rejectMode: 'row' }, FILES).expect(201);
      expect(res.body.runs.map((r: { table: string }) => r.table)).toEqual(['departments', 'jobs', 'hired_employees']);
      const [departments, jobs, employees] = res.body.runs;
      expect(departments).toMatchObject({
        status: 'completed',
        rowsRead: 12,
        rowsInserted: 12,
        rowsRejected: 0,
        headerSkipped: false,
      });
      expect(jobs).toMatchObject({ status: 'completed', rowsRead: 183, rowsInserted: 183, rowsRejected: 0 });
      expect(employees).toMatchObject({
        file: 'hired_employees.csv',
        status: 'completed',
        batchSize: 1000,
        rejectMode: 'row',
        rowsRead: 1999,
        rowsInserted: 1929,
        rowsRejected: 70,
        batchesTotal: 2,
        batchesCommitted: 2,
        batchesRejected: 0,
      });
      expect(employees.durationMs).toBeGreaterThanOrEqual(0);
      await expect(counts(t)).resolves.toEqual([12, 183, 1929]);
    });

    it('should log each of the 70 rejected rows with its line and the empty field', async () => {
      const list = await request(t.server).get('/migrate/runs').expect(200);
      const employeesRun = list.body.items.find((r: { table: string }) => r.table === 'hired_employees');
      const res = await request(t.server).get(`/migrate/runs/${employeesRun.id}`).expect(200);
      const errors = res.body.rejected.flatMap((b: { errors: unknown[] }) => b.errors);
      const rows = res.body.rejected.flatMap((b: { rows: unknown[] }) => b.rows);
      expect(errors).toHaveLength(70);
      expect(rows).toHaveLength(70);
      for (const error of errors) {
        expect(error.reason).toBe(`${error.field} is empty`);
        expect(error.value).toBe('');
      }
      // Line 2 of the file is `2,Ty Hofer,2021-05-30T05:43:46Z,8,` (no job_id).
      expect(errors).toContainEqual({ line: 2, field: 'job_id', value: '', reason: 'job_id is empty' });
      expect(rows).toContainEqual({ line: 2, values: ['2', 'Ty Hofer', '2021-05-30T05:43:46Z', '8', ''] });
      const [stored] = await t.dataSource.query(
        'SELECT id, name, department_id, job_id FROM hired_employees WHERE id = 1',
      );
      expect(stored).toEqual({ id: 1, name: 'Harold Vogt', department_id: 2, job_id: 96 });
    });

    it('should change nothing when the same request is sent again', async () => {
      const before = await t.dataSource.query(
        'SELECT id, name, datetime, department_id, job_id FROM hired_employees ORDER BY id',
      );
      const res = await upload(t, { rejectMode: 'row' }, FILES).expect(201);
      expect(res.body.runs[2]).toMatchObject({ rowsRead: 1999, rowsInserted: 1929, rowsRejected: 70 });
      await expect(counts(t)).resolves.toEqual([12, 183, 1929]);
      const after = await t.dataSource.query(
        'SELECT id, name, datetime, department_id, job_id FROM hired_employees ORDER BY id',
      );
      expect(after).toEqual(before);
    });

    it('should give the customer figures for 2021 when the reports read what the load wrote', async () => {
      const quarter = await request(t.server).get('/reports/hires-by-quarter?year=2021').expect(200);
      expect(quarter.body).toHaveLength(933);
      const above = await request(t.server).get('/reports/departments-above-mean?year=2021').expect(200);
      expect(above.body).toHaveLength(7);
      expect(above.body[0]).toEqual({ id: 8, department: 'Support', hired: 216 });
    });
  });

  describe('rejectMode=batch', () => {
    beforeEach(async () => clear(t));

    it('should commit 1929 batches and reject 70 when each batch is one row', async () => {
      const res = await upload(t, { rejectMode: 'batch', batchSize: '1' }, FILES).expect(201);
      expect(res.body.runs[2]).toMatchObject({
        rowsRead: 1999,
        rowsInserted: 1929,
        rowsRejected: 70,
        batchesTotal: 1999,
        batchesCommitted: 1929,
        batchesRejected: 70,
      });
      await expect(counts(t)).resolves.toEqual([12, 183, 1929]);
    });

    it('should reject both employee batches and write no employee, and say so, when batches are 1000 rows', async () => {
      const res = await upload(t, { batchSize: '1000' }, FILES).expect(201);
      const hint = 'every batch held a rejected row, so no row was written: rejectMode=row writes the good rows';
      expect(res.body.runs[2]).toMatchObject({
        rejectMode: 'batch',
        rowsRead: 1999,
        rowsInserted: 0,
        rowsRejected: 1999,
        batchesTotal: 2,
        batchesCommitted: 0,
        batchesRejected: 2,
        hint,
      });
      expect(res.body.runs.slice(0, 2).map((r: { hint: unknown }) => r.hint)).toEqual([null, null]);
      await expect(counts(t)).resolves.toEqual([12, 183, 0]);
      // The reject log in two pages of 1,000 rejected rows: one batch each.
      const path = `/migrate/runs/${res.body.runs[2].id}?rejectedLimit=1000`;
      const first = (await request(t.server).get(path).expect(200)).body;
      expect(first.hint).toBe(hint);
      const second = (await request(t.server).get(`${path}&rejectedOffset=1000`).expect(200)).body;
      expect(first.rejectedTotal).toBe(1999);
      const rejected = [...first.rejected, ...second.rejected];
      expect(rejected.map((b: { batch: number }) => b.batch)).toEqual([1, 2]);
      expect(rejected[0]).toMatchObject({ firstLine: 1, lastLine: 1000 });
      expect(rejected[0].rows).toHaveLength(1000);
      expect(rejected[1]).toMatchObject({ firstLine: 1001, lastLine: 1999 });
      const errors = rejected.flatMap((b: { errors: unknown[] }) => b.errors);
      expect(errors).toHaveLength(70);
    });

    it('should load files sent in reverse order after the files they depend on', async () => {
      const res = await upload(t, { rejectMode: 'row' }, [...FILES].reverse()).expect(201);
      expect(res.body.runs.map((r: { table: string }) => r.table)).toEqual(['departments', 'jobs', 'hired_employees']);
      expect(res.body.runs[2]).toMatchObject({ rowsInserted: 1929, rowsRejected: 70 });
      await expect(counts(t)).resolves.toEqual([12, 183, 1929]);
    });
  });
});
