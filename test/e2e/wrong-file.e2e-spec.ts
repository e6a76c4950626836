import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

interface RejectedBatch {
  errors: { line: number; field: string | null; reason: string }[];
}

async function departments(t: TestApp): Promise<[number, string][]> {
  const rows: { id: number; department: string }[] = await t.dataSource.query(
    'SELECT id, department FROM departments ORDER BY id',
  );
  return rows.map((r) => [Number(r.id), r.department]);
}

async function reasons(t: TestApp, runId: number): Promise<[number, string][]> {
  const run = await request(t.server).get(`/migrate/runs/${runId}`).expect(200);
  return (run.body.rejected as RejectedBatch[]).flatMap((b) =>
    b.errors.map((e): [number, string] => [e.line, e.reason]),
  );
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);
// An .xlsx workbook is a zip archive: its first bytes are a zip local file header.
const XLSX = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.from('[Content_Types].xml')]);
const ZIP = Buffer.concat([Buffer.from('PK\x03\x04\x0a\x00\x00\x00', 'latin1'), Buffer.alloc(50, 1)]);

describe.each(testEngines())('a wrong file on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['hired_employees', 'jobs', 'departments']) await t.dataSource.query(`DELETE FROM ${table}`);
    await t.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'Finance')");
  });

  it.each([
    ['before', true],
    ['after', false],
  ])(
    'should answer 400 and write nothing when jobs.csv is sent with table=departments %s the file',
    async (_where, fieldsFirst) => {
      const req = request(t.server).post('/migrate').set(t.auth);
      if (fieldsFirst) req.field('table', 'departments');
      req.attach('file', Buffer.from('1,Data Engineer'), 'jobs.csv');
      if (!fieldsFirst) req.field('table', 'departments');
      const res = await req.expect(400);
      expect(res.body).toMatchObject({ code: 'MIGRATION_TABLE_MISMATCH' });
      expect(res.body.message).toContain('The file "jobs.csv" is named for jobs, not departments');
      expect(res.body.message).toContain('force=true');
      await expect(departments(t)).resolves.toEqual([[1, 'Finance']]);
    },
  );

  it('should load a file named for another table when force=true', async () => {
    const res = await request(t.server)
      .post('/migrate?force=true')
      .set(t.auth)
      .field('table', 'departments')
      .attach('file', Buffer.from('1,Data Engineer'), 'jobs.csv')
      .expect(201);
    expect(res.body.runs).toEqual([expect.objectContaining({ table: 'departments', rowsInserted: 1 })]);
    await expect(departments(t)).resolves.toEqual([[1, 'Data Engineer']]);
  });

  it.each([
    ['a PNG image', PNG, 'departments.csv'],
    ['a zip archive (an .xlsx workbook is one)', ZIP, 'departments.csv'],
    ['a zip archive (an .xlsx workbook is one)', XLSX, 'departments.xlsx'],
  ])('should fail the run with one reason and write nothing when the file is %s', async (kind, bytes, name) => {
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('table', 'departments')
      .field('rejectMode', 'row')
      .attach('file', bytes, name)
      .expect(201);
    expect(res.body.runs).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.stringContaining(`The file is ${kind}, not CSV text: save the sheet as "CSV UTF-8"`),
        rowsRead: 0,
        rowsRejected: 0,
      }),
    ]);
    await expect(reasons(t, res.body.runs[0].id)).resolves.toEqual([]);
    await expect(departments(t)).resolves.toEqual([[1, 'Finance']]);
  });

  it('should hint at delimiter=; when every line of the file is one column holding ;', async () => {
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('rejectMode', 'row')
      .attach('file', Buffer.from('id;department\r\n2;Sales\r\n3;Legal\r\n'), 'departments.csv')
      .expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsInserted: 0, rowsRejected: 3 });
    const hint = "expected 2 columns, found 1: the line is separated by ';', send delimiter=;";
    await expect(reasons(t, res.body.runs[0].id)).resolves.toEqual([
      [1, hint],
      [2, hint],
      [3, hint],
    ]);
  });

  it('should hint at saving as "CSV UTF-8" when the file is in the Windows code page', async () => {
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('rejectMode', 'row')
      .attach('file', Buffer.from('2,Sales\r\n3,Comptabilité\r\n', 'latin1'), 'departments.csv')
      .expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsInserted: 1, rowsRejected: 1 });
    await expect(reasons(t, res.body.runs[0].id)).resolves.toEqual([
      [2, 'line 2 holds bytes that are not UTF-8 text: save the file as "CSV UTF-8"'],
    ]);
  });
});
