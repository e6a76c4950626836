import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const CSV = join(__dirname, '../fixtures/csv');

function load(t: TestApp, file: string, fields: Record<string, string> = {}) {
  const req = request(t.server).post('/migrate').set(t.auth);
  for (const [name, value] of Object.entries({ table: 'hired_employees', ...fields })) req.field(name, value);
  return req.attach('file', join(CSV, file));
}

async function employees(t: TestApp): Promise<{ id: number; name: string; datetime: string }[]> {
  const rows: { id: number; name: string; datetime: unknown }[] = await t.dataSource.query(
    'SELECT id, name, datetime FROM hired_employees ORDER BY id',
  );
  return rows.map((r) => ({
    ...r,
    datetime: new Date(r.datetime instanceof Date ? r.datetime : `${r.datetime}Z`).toISOString(),
  }));
}

async function rejectedErrors(t: TestApp, runId: number): Promise<unknown[]> {
  const res = await request(t.server).get(`/migrate/runs/${runId}`).expect(200);
  return res.body.rejected.flatMap((b: { errors: unknown[] }) => b.errors);
}

describe.each(testEngines())('POST /migrate with CSV fixtures on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .attach('file', join(CSV, 'ok/departments-small.csv'))
      .expect(201);
    await request(t.server).post('/migrate').set(t.auth).attach('file', join(CSV, 'ok/jobs-small.csv')).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM hired_employees');
  });

  describe('ok/', () => {
    it('should skip the header, not count it, and number lines from it when the first line names the columns', async () => {
      const res = await load(t, 'ok/with-header.csv').expect(201);
      expect(res.body.runs[0]).toMatchObject({ headerSkipped: true, rowsRead: 2, rowsInserted: 2, rowsRejected: 0 });
      await expect(employees(t)).resolves.toHaveLength(2);
    });

    it('should read the rows by name when the header lists the columns in another order and case', async () => {
      for (const header of ['auto', 'true']) {
        await t.dataSource.query('DELETE FROM hired_employees');
        const res = await load(t, 'ok/header-other-order.csv', { header, rejectMode: 'row' }).expect(201);
        expect(res.body.runs[0]).toMatchObject({
          status: 'completed',
          headerSkipped: true,
          rowsRead: 3,
          rowsInserted: 2,
          rowsRejected: 1,
        });
        await expect(
          t.dataSource.query('SELECT id, name, department_id, job_id FROM hired_employees ORDER BY id'),
        ).resolves.toEqual([
          { id: 1, name: 'Ann Lee', department_id: 1, job_id: 2 },
          { id: 2, name: 'Roe, Bob', department_id: 2, job_id: 1 },
        ]);
        await expect(rejectedErrors(t, res.body.runs[0].id)).resolves.toEqual([
          { line: 4, field: 'id', value: '', reason: 'id is empty' },
        ]);
      }
    });

    it.each([
      ['ok/semicolons.csv', ';', true],
      ['ok/tabs.csv', 'tab', false],
      ['ok/tabs.csv', '\t', false],
      ['ok/pipes.csv', '|', false],
    ])('should load %s with delimiter=%j, quoting unchanged', async (file, delimiter, headerSkipped) => {
      const res = await load(t, file, { delimiter }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ status: 'completed', headerSkipped, rowsRead: 2, rowsInserted: 2 });
      await expect(employees(t)).resolves.toEqual([
        { id: 1, name: 'Lee; Ann', datetime: '2021-01-05T10:00:00.000Z' },
        { id: 2, name: 'Roe, Bob', datetime: '2021-04-05T10:00:00.000Z' },
      ]);
    });

    it('should answer 400 and create no run when the delimiter is not one of , ; | tab', async () => {
      const before = await request(t.server).get('/migrate/runs').expect(200);
      const res = await load(t, 'ok/semicolons.csv', { delimiter: ':' }).expect(400);
      expect(res.body).toMatchObject({
        code: 'MIGRATION_INVALID_OPTION',
        message: 'delimiter must be ",", ";", "|" or "tab" (a tab character is accepted too)',
      });
      await expect(request(t.server).get('/migrate/runs')).resolves.toMatchObject({
        body: { total: before.body.total },
      });
    });

    it('should reject every row of a semicolon file sent without its delimiter, hinting at it', async () => {
      const res = await load(t, 'ok/semicolons.csv', { rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 3, rowsInserted: 0, rowsRejected: 3 });
      await expect(rejectedErrors(t, res.body.runs[0].id)).resolves.toContainEqual({
        line: 2,
        field: null,
        value: null,
        reason: "expected 5 columns, found 1: the line is separated by ';', send delimiter=;",
      });
    });

    it('should read the header as a bad row when header=false', async () => {
      const res = await load(t, 'ok/with-header.csv', { header: 'false', rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ headerSkipped: false, rowsRead: 3, rowsInserted: 2, rowsRejected: 1 });
      const errors = await rejectedErrors(t, res.body.runs[0].id);
      expect(errors).toContainEqual({ line: 1, field: 'id', value: 'id', reason: 'id id is not a positive integer' });
    });

    it('should load LF line ends with a final newline', async () => {
      const res = await load(t, 'ok/lf-line-ends.csv').expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 2, rowsInserted: 2 });
      await expect(employees(t)).resolves.toEqual([
        { id: 1, name: 'Ann Lee', datetime: '2021-01-05T10:00:00.000Z' },
        { id: 2, name: 'Bob Roe', datetime: '2021-04-05T10:00:00.000Z' },
      ]);
    });

    it('should ignore a UTF-8 byte-order mark', async () => {
      const res = await load(t, 'ok/bom.csv').expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 2, rowsInserted: 2, rowsRejected: 0 });
    });

    it('should read quoted commas, quotes and newlines and store datetimes in UTC', async () => {
      const res = await load(t, 'ok/quoted-fields.csv').expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 3, rowsInserted: 3, rowsRejected: 0 });
      await expect(employees(t)).resolves.toEqual([
        { id: 1, name: 'Lee, Ann "Annie"', datetime: '2021-01-05T10:00:00.000Z' },
        { id: 2, name: 'Roe\r\nBob', datetime: '2021-04-05T08:00:00.000Z' },
        { id: 3, name: 'Cy Doe', datetime: '2021-07-05T13:00:00.500Z' },
      ]);
    });
  });

  describe('not-ok/', () => {
    it.each([
      ['not-ok/missing-job-id.csv', { line: 1, field: 'job_id', value: '', reason: 'job_id is empty' }],
      [
        'not-ok/impossible-date.csv',
        {
          line: 1,
          field: 'datetime',
          value: '2021-02-30T10:00:00Z',
          reason: 'datetime 2021-02-30T10:00:00Z is not a real date',
        },
      ],
      [
        'not-ok/unknown-department.csv',
        { line: 1, field: 'department_id', value: '99', reason: 'department_id 99 does not exist' },
      ],
      ['not-ok/missing-column.csv', { line: 1, field: null, value: null, reason: 'expected 5 columns, found 4' }],
      [
        'not-ok/repeated-id.csv',
        { line: 3, field: 'id', value: '1', reason: 'id 1 appears more than once in this upload (first on line 1)' },
      ],
    ])('should reject the batch and log the reason when loading %s', async (file, error) => {
      const res = await load(t, file).expect(201);
      expect(res.body.runs[0]).toMatchObject({
        status: 'completed',
        rowsInserted: 0,
        batchesRejected: 1,
        batchesCommitted: 0,
      });
      await expect(employees(t)).resolves.toEqual([]);
      await expect(rejectedErrors(t, res.body.runs[0].id)).resolves.toEqual([error]);
    });

    const COLUMNS = 'the columns of hired_employees are id, name, datetime, department_id, job_id';
    it.each([
      ['not-ok/header-missing-column.csv', `The header lacks job_id; ${COLUMNS}`],
      ['not-ok/header-repeated-column.csv', `The header names job_id more than once; ${COLUMNS}`],
      ['not-ok/header-unknown-column.csv', `The header lacks job_id and names unknown column jobid; ${COLUMNS}`],
    ])('should fail the run naming the columns when header=true and loading %s', async (file, reason) => {
      const res = await load(t, file, { header: 'true', rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ status: 'failed', error: reason, rowsRead: 0, headerSkipped: false });
      await expect(employees(t)).resolves.toEqual([]);
      const run = await request(t.server).get(`/migrate/runs/${res.body.runs[0].id}`).expect(200);
      expect(run.body).toMatchObject({ status: 'failed', error: reason });
    });

    it('should fail an async run naming the columns when header=true and the header lacks one', async () => {
      const res = await request(t.server)
        .post('/migrate?async=true')
        .set(t.auth)
        .field('table', 'hired_employees')
        .field('header', 'true')
        .attach('file', join(CSV, 'not-ok/header-missing-column.csv'))
        .expect(202);
      const id: number = res.body.runs[0].id;
      let run = res.body.runs[0];
      while (run.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        run = (await request(t.server).get(`/migrate/runs/${id}`).expect(200)).body;
      }
      expect(run).toMatchObject({ status: 'failed', error: `The header lacks job_id; ${COLUMNS}`, rowsRead: 0 });
    });

    it('should read a first line that is almost a header as a bad row when header=auto', async () => {
      const res = await load(t, 'not-ok/header-unknown-column.csv', { rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({
        status: 'completed',
        headerSkipped: false,
        rowsRead: 3,
        rowsInserted: 2,
        rowsRejected: 1,
      });
      const errors = await rejectedErrors(t, res.body.runs[0].id);
      expect(errors).toContainEqual({ line: 1, field: 'id', value: 'id', reason: 'id id is not a positive integer' });
      expect(errors).toContainEqual({
        line: 1,
        field: 'job_id',
        value: 'jobid',
        reason: 'job_id jobid is not a positive integer',
      });
    });

    it('should write the good rows and log the bad ones with rejectMode=row', async () => {
      const res = await load(t, 'not-ok/bad-ids.csv', { rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 3, rowsInserted: 1, rowsRejected: 2, batchesCommitted: 1 });
      await expect(employees(t)).resolves.toEqual([{ id: 1, name: 'Ann Lee', datetime: '2021-01-05T10:00:00.000Z' }]);
      await expect(rejectedErrors(t, res.body.runs[0].id)).resolves.toEqual([
        { line: 2, field: 'id', value: '-2', reason: 'id -2 is not a positive integer' },
        { line: 3, field: 'id', value: '3.0', reason: 'id 3.0 is not a positive integer' },
      ]);
    });

    it('should reject the row with the unclosed quote and keep the rows before it', async () => {
      const res = await load(t, 'not-ok/broken-quote.csv', { rejectMode: 'row' }).expect(201);
      expect(res.body.runs[0]).toMatchObject({ rowsRead: 2, rowsInserted: 1, rowsRejected: 1 });
      await expect(rejectedErrors(t, res.body.runs[0].id)).resolves.toEqual([
        {
          line: 2,
          field: null,
          value: null,
          reason: 'the quote opened on line 2 is not closed before the end of the file',
        },
      ]);
    });
  });
});
