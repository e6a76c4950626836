import { fillEmptyFields } from '../support/hr-files';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const GLOBANT = join(__dirname, '../fixtures/globant');
const CSV = join(__dirname, '../fixtures/csv');
const FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'];

interface Run {
  id: number;
  table: string;
  status: string;
  dryRun: boolean;
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  error?: string;
}

function loadGlobant(t: TestApp, fields: Record<string, string>, files = FILES) {
  const req = request(t.server).post('/migrate').set(t.auth);
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  for (const file of files) req.attach('file', join(GLOBANT, file));
  return req;
}

function rejectsCsv(t: TestApp, runId: number, query = '') {
  return request(t.server)
    .get(`/migrate/runs/${runId}/rejects.csv${query}`)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
}

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

describe.each(testEngines())('The rows to fix, dry runs and the reject limit on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['hired_employees', 'jobs', 'departments']) await t.dataSource.query(`DELETE FROM ${table}`);
  });

  it('should give back the 70 rejected rows as sent, and load them once fixed, when the files are loaded by row', async () => {
    const res = await loadGlobant(t, { rejectMode: 'row' }).expect(201);
    const employees = res.body.runs.find((r: Run) => r.table === 'hired_employees') as Run;
    expect(employees).toMatchObject({ rowsInserted: 1929, rowsRejected: 70, dryRun: false });

    const csv = await rejectsCsv(t, employees.id).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="hired_employees-run-${employees.id}-rejects.csv"`,
    );
    const lines = (csv.body as string).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(70);
    expect(lines).toContain('67,Thia Morican,2021-03-10T19:27:10Z,,104');
    expect(lines).toContain('157,Kellia Barribal,,4,61');
    const ids = lines.map((l) => Number(l.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const fixed = `${lines.map(fillEmptyFields).join('\n')}\n`;
    const reload = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('table', 'hired_employees')
      .attach('file', Buffer.from(fixed), 'fix.csv')
      .expect(201);
    expect(reload.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 70, rowsInserted: 70, rowsRejected: 0 });
    await expect(count(t, 'hired_employees')).resolves.toBe(1999);
  });

  it('should add line, field and reason columns when reasons=true', async () => {
    const res = await loadGlobant(t, { rejectMode: 'row' }).expect(201);
    const employees = res.body.runs.find((r: Run) => r.table === 'hired_employees') as Run;
    const csv = await rejectsCsv(t, employees.id, '?reasons=true').expect(200);
    const lines = (csv.body as string).split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('id,name,datetime,department_id,job_id,line,field,reason');
    expect(lines).toHaveLength(71);
    expect(lines).toContain('67,Thia Morican,2021-03-10T19:27:10Z,,104,67,department_id,department_id is empty');
  });

  it('should load the rows of the file with reasons once fixed, ignoring its line, field and reason columns', async () => {
    const res = await loadGlobant(t, { rejectMode: 'row' }).expect(201);
    const employees = res.body.runs.find((r: Run) => r.table === 'hired_employees') as Run;
    const csv = await rejectsCsv(t, employees.id, '?reasons=true').expect(200);
    const [header, ...rows] = (csv.body as string).split('\n').filter((l) => l !== '');
    // The reason cells are kept as they are: only the empty data fields are filled.
    const fixed = rows.map((row) => {
      const cells = row.split(',');
      return [fillEmptyFields(cells.slice(0, 5).join(',')), ...cells.slice(5)].join(',');
    });
    const reload = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('table', 'hired_employees')
      .field('header', 'true')
      .attach('file', Buffer.from(`${[header, ...fixed].join('\n')}\n`), 'fix.csv')
      .expect(201);
    expect(reload.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 70, rowsInserted: 70, rowsRejected: 0 });
    await expect(count(t, 'hired_employees')).resolves.toBe(1999);
  });

  it("should keep the file's header, its column order and its delimiter when the rows are rejected", async () => {
    const other = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('table', 'hired_employees')
      .attach('file', join(CSV, 'ok/header-other-order.csv'))
      .expect(201);
    const csv = await rejectsCsv(t, other.body.runs[0].id).expect(200);
    expect(csv.body).toBe(
      'Job_ID, Name ,DATETIME,department_id,Id\n2,Ann Lee,2021-01-05T10:00:00Z,1,1\n1,"Roe, Bob",2021-04-05T10:00:00Z,2,2\n1,Cy Doe,2021-07-05T10:00:00Z,2,\n',
    );

    const semi = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('table', 'hired_employees')
      .field('delimiter', ';')
      .field('rejectMode', 'row')
      .attach('file', join(CSV, 'ok/semicolons.csv'))
      .expect(201);
    const withReasons = await rejectsCsv(t, semi.body.runs[0].id, '?reasons=true').expect(200);
    const lines = (withReasons.body as string).split('\n');
    expect(lines[0]).toBe('id;name;datetime;department_id;job_id;line;field;reason');
    expect(lines[1]).toBe(
      '1;"Lee; Ann";2021-01-05T10:00:00Z;1;1;2;"department_id; job_id";"department_id 1 does not exist; job_id 1 does not exist"',
    );
  });

  it("should give a JSON batch's rejected rows as CSV in the table's column order", async () => {
    const res = await request(t.server)
      .post('/migrate/departments')
      .set(t.auth)
      .send([
        { department: 'Sales, EMEA', id: 1 },
        { id: 'x', department: 'Ops' },
      ])
      .expect(422);
    const csv = await rejectsCsv(t, res.body.runId).expect(200);
    expect(csv.body).toBe('id,department\n1,"Sales, EMEA"\nx,Ops\n');
  });

  it('should answer 404 in JSON for an unknown run and 400 for a bad reasons value', async () => {
    const missing = await request(t.server).get('/migrate/runs/999999/rejects.csv').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, message: 'There is no migration run 999999' });
    const bad = await request(t.server).get('/migrate/runs/1/rejects.csv?reasons=yes').expect(400);
    expect(bad.body.message).toMatch(/reasons must be true or false/);
  });

  it('should count as a real load and change no row when dryRun=true', async () => {
    await request(t.server)
      .post('/migrate/departments')
      .set(t.auth)
      .send([{ id: 1, department: 'Kept' }])
      .expect(201);
    const res = await loadGlobant(t, { rejectMode: 'row', dryRun: 'true' }).expect(201);
    expect(
      res.body.runs.map((r: Run) => [r.table, r.status, r.dryRun, r.rowsRead, r.rowsInserted, r.rowsRejected]),
    ).toEqual([
      ['departments', 'completed', true, 12, 12, 0],
      ['jobs', 'completed', true, 183, 183, 0],
      ['hired_employees', 'completed', true, 1999, 1929, 70],
    ]);
    await expect(t.dataSource.query('SELECT id, department FROM departments')).resolves.toEqual([
      { id: 1, department: 'Kept' },
    ]);
    await expect(count(t, 'jobs')).resolves.toBe(0);
    await expect(count(t, 'hired_employees')).resolves.toBe(0);
    const employees = res.body.runs[2] as Run;
    const read = await request(t.server).get(`/migrate/runs/${employees.id}`).expect(200);
    expect(read.body).toMatchObject({ dryRun: true, rowsRejected: 70 });
    const csv = await rejectsCsv(t, employees.id).expect(200);
    expect((csv.body as string).split('\n').filter((l) => l !== '')).toHaveLength(70);
  });

  it('should dry-run asynchronously too, changing no row', async () => {
    const res = await loadGlobant(t, { rejectMode: 'row', dryRun: 'true' }).query({ async: 'true' }).expect(202);
    const last = res.body.runs[2] as Run;
    let run: Run;
    do run = (await request(t.server).get(`/migrate/runs/${last.id}`).expect(200)).body as Run;
    while (run.status === 'running');
    expect(run).toMatchObject({ status: 'completed', dryRun: true, rowsInserted: 1929, rowsRejected: 70 });
    await expect(count(t, 'hired_employees')).resolves.toBe(0);
  });

  it('should stop the run with the reason, keeping the batches before it, when maxRejected would be passed', async () => {
    await loadGlobant(t, {}, ['departments.csv', 'jobs.csv']).expect(201);
    const res = await loadGlobant(t, { rejectMode: 'row', maxRejected: '10' }, ['hired_employees.csv']).expect(201);
    expect(res.body.runs[0]).toMatchObject({ status: 'failed', rowsInserted: 0 });
    expect(res.body.runs[0].error).toMatch(/^maxRejected=10 was reached: batch 1 \(lines 1-1000\)/);
    await expect(count(t, 'hired_employees')).resolves.toBe(0);

    // 100-row batches: the first ones stay under the limit and are committed.
    const small = await loadGlobant(t, { rejectMode: 'row', maxRejected: '10', batchSize: '100' }, [
      'hired_employees.csv',
    ]).expect(201);
    const run = small.body.runs[0] as Run;
    expect(run.status).toBe('failed');
    expect(run.rowsRejected).toBeLessThanOrEqual(10);
    expect(run.rowsInserted).toBeGreaterThan(0);
    await expect(count(t, 'hired_employees')).resolves.toBe(run.rowsInserted);

    const enough = await loadGlobant(t, { rejectMode: 'row', maxRejected: '70' }, ['hired_employees.csv']).expect(201);
    expect(enough.body.runs[0]).toMatchObject({ status: 'completed', rowsRejected: 70 });
  });

  it.each([
    [{ dryRun: 'yes' }, 'dryRun must be true or false'],
    [{ maxRejected: '-1' }, 'maxRejected must be an integer from 0 to 2147483647'],
    [{ maxRejected: 'ten' }, 'maxRejected must be an integer from 0 to 2147483647'],
    [{ maxRejected: '1.5' }, 'maxRejected must be an integer from 0 to 2147483647'],
  ])('should answer 400 for %j', async (fields, message) => {
    const res = await loadGlobant(t, fields, ['departments.csv']).expect(400);
    expect(res.body.message).toBe(message);
    await expect(count(t, 'departments')).resolves.toBe(0);
  });
});
