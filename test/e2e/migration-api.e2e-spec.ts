import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { chunkedUpload } from '../support/hr-files';
import { TEST_API_KEY, startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const DEPARTMENTS = Buffer.from('1,Finance\r\n2,Sales');

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

/** Starts a chunked upload of a departments file, sends part of it, then drops the connection. */
async function abortedUpload(t: TestApp): Promise<void> {
  const server = createServer(t.app.getHttpAdapter().getInstance());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const boundary = 'xBOUNDARYx';
    const req = httpRequest({
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      // An option in the query string: the file streams into its run as it arrives.
      path: '/migrate?rejectMode=batch',
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="departments.csv"\r\n\r\n`);
    req.write('7,Legal\r\n8,Support\r\n9,Quality');
    await new Promise((resolve) => setTimeout(resolve, 300));
    req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Sends a chunked multipart upload (no Content-Length) and returns the status and body. */
async function chunkedDepartmentsUpload(
  t: TestApp,
  fileBytes: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const server = createServer(t.app.getHttpAdapter().getInstance());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await chunkedUpload(
      `http://127.0.0.1:${port}/migrate?rejectMode=batch`,
      'departments.csv',
      '1,Finance\r\n',
      fileBytes,
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe.each(testEngines())('migration run API on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { maxUploadBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /migrate', () => {
    it('should answer 401 and write nothing when there is no API key', async () => {
      const res = await request(t.server).post('/migrate').attach('file', DEPARTMENTS, 'departments.csv').expect(401);
      expect(res.body.message).toContain('Authorization: Bearer');
      await expect(count(t, 'migration_runs')).resolves.toBe(0);
    });

    it.each([
      ['batchSize', '0', 'batchSize must be an integer from 1 to 1000'],
      ['batchSize', '1001', 'batchSize must be an integer from 1 to 1000'],
      ['batchSize', 'ten', 'batchSize must be an integer from 1 to 1000'],
      ['rejectMode', 'all', 'rejectMode must be batch or row'],
      ['header', 'yes', 'header must be auto, true or false'],
      ['delimiter', ':', 'delimiter must be ",", ";", "|" or "tab" (a tab character is accepted too)'],
      ['delimiter', 'tabs', 'delimiter must be ",", ";", "|" or "tab"'],
      ['table', 'employees', 'table must be one of departments, jobs, hired_employees'],
      ['batchsize', '10', 'Unknown form field or query parameter "batchsize"'],
    ])('should answer 400 when the form field %s is %s', async (field, value, message) => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .field(field, value)
        .attach('file', DEPARTMENTS, 'departments.csv')
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(message);
    });

    it('should load with every field when the fields come after the file', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('31,Legal\r\n32,\r\n33,Audit'), 'departments.csv')
        .field('rejectMode', 'row')
        .field('batchSize', '2')
        .expect(201);
      expect(res.body.runs).toEqual([
        expect.objectContaining({ table: 'departments', rejectMode: 'row', batchSize: 2, rowsInserted: 2 }),
      ]);
      const rows = await t.dataSource.query('SELECT id FROM departments WHERE id IN (31, 32, 33) ORDER BY id');
      expect(rows.map((r: { id: number }) => Number(r.id))).toEqual([31, 33]);
    });

    it('should write nothing when the file comes before dryRun=true', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('41,Dry'), 'departments.csv')
        .field('dryRun', 'true')
        .expect(201);
      expect(res.body.runs).toEqual([expect.objectContaining({ dryRun: true, rowsInserted: 1 })]);
      await expect(t.dataSource.query('SELECT id FROM departments WHERE id = 41')).resolves.toEqual([]);
    });

    it('should take the options from the query string when they are not form fields', async () => {
      const res = await request(t.server)
        .post('/migrate?table=departments&rejectMode=row&dryRun=true&batchSize=5')
        .set(t.auth)
        .attach('file', Buffer.from('42,Query\r\n43,'), 'export.csv')
        .expect(201);
      expect(res.body.runs).toEqual([
        expect.objectContaining({
          table: 'departments',
          dryRun: true,
          rejectMode: 'row',
          batchSize: 5,
          rowsInserted: 1,
        }),
      ]);
      await expect(t.dataSource.query('SELECT id FROM departments WHERE id = 42')).resolves.toEqual([]);
    });

    it('should let a form field win over the same query parameter', async () => {
      const res = await request(t.server)
        .post('/migrate?dryRun=true&batchSize=5')
        .set(t.auth)
        .field('batchSize', '7')
        .attach('file', Buffer.from('44,Form'), 'departments.csv')
        .expect(201);
      expect(res.body.runs).toEqual([expect.objectContaining({ dryRun: true, batchSize: 7 })]);
    });

    it('should answer 400 and write nothing when the file comes first and a later field is wrong', async () => {
      const before = await count(t, 'migration_runs');
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('45,Never'), 'departments.csv')
        .field('batchSize', '0')
        .expect(400);
      expect(res.body.message).toContain('batchSize must be an integer from 1 to 1000');
      expect(res.body.runs).toBeUndefined();
      await expect(count(t, 'migration_runs')).resolves.toBe(before);
      await expect(t.dataSource.query('SELECT id FROM departments WHERE id = 45')).resolves.toEqual([]);
    });

    it('should answer 400 when a field changes after a file that already streamed with the fields before it', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .field('rejectMode', 'row')
        .attach('file', DEPARTMENTS, 'departments.csv')
        .field('batchSize', '10')
        .expect(400);
      expect(res.body.message).toMatch(/The form field batchSize comes after a file that was already loaded/);
      expect(res.body.runs).toEqual([expect.objectContaining({ table: 'departments' })]);
    });

    it('should answer 400 when no file is sent', async () => {
      const res = await request(t.server).post('/migrate').set(t.auth).field('table', 'jobs').expect(400);
      expect(res.body.message).toMatch(/No file was sent/);
    });

    it('should answer 400 when the body is not multipart', async () => {
      const res = await request(t.server).post('/migrate').set(t.auth).send({ file: 'x' }).expect(400);
      expect(res.body.message).toMatch(/multipart\/form-data/);
    });

    it('should answer 400 when the table cannot be told from the file name', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', DEPARTMENTS, 'data.csv')
        .expect(400);
      expect(res.body.message).toMatch(/Cannot tell the table of "data.csv"/);
    });

    it('should answer 400 listing the runs already made when a later file has no known table', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .field('rejectMode', 'batch')
        .attach('file', DEPARTMENTS, 'departments.csv')
        .attach('file', DEPARTMENTS, 'notes.csv')
        .expect(400);
      expect(res.body.message).toMatch(/Cannot tell the table of "notes.csv".*files before it were loaded/);
      expect(res.body.runs).toEqual([
        expect.objectContaining({ table: 'departments', status: 'completed', rowsInserted: 2 }),
      ]);
    });

    it('should answer 400 and make no run when files come before any field and one has no known table', async () => {
      const before = await count(t, 'migration_runs');
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', DEPARTMENTS, 'departments.csv')
        .attach('file', DEPARTMENTS, 'notes.csv')
        .expect(400);
      expect(res.body.message).toMatch(/Cannot tell the table of "notes.csv"/);
      expect(res.body.runs).toBeUndefined();
      await expect(count(t, 'migration_runs')).resolves.toBe(before);
    });

    it('should answer 413 before reading when Content-Length is over the limit', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('1,Finance\r\n'.repeat(8000)), 'departments.csv')
        .expect(413);
      expect(res.body.message).toMatch(/MAX_UPLOAD_MB/);
    });

    it('should answer 413 and fail the run when a chunked upload passes the limit while streaming', async () => {
      const res = await chunkedDepartmentsUpload(t, 200 * 1024);
      expect(res.status).toBe(413);
      const list = await request(t.server).get('/migrate/runs?limit=1').expect(200);
      expect(list.body.items[0]).toMatchObject({ table: 'departments', status: 'failed' });
      await request(t.server).get('/health').expect(200);
    });
  });

  it('should fail the run and keep answering when the client drops the connection mid-upload', async () => {
    await abortedUpload(t);
    let last: { status: string; error?: string } | undefined;
    for (let i = 0; i < 50 && last?.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = (await request(t.server).get('/migrate/runs?limit=1').expect(200)).body.items[0];
    }
    expect(last).toMatchObject({ status: 'failed', error: expect.stringMatching(/could not be read to its end/) });
    await request(t.server).get('/health').expect(200);
  });

  describe('POST /migrate/:table', () => {
    beforeAll(async () => {
      await request(t.server).post('/migrate').set(t.auth).attach('file', DEPARTMENTS, 'departments.csv').expect(201);
      await request(t.server)
        .post('/migrate/jobs')
        .set(t.auth)
        .send([{ id: 1, job: 'Recruiter' }])
        .expect(201);
    });

    it('should write the rows and answer 201 with the run when every row is valid', async () => {
      const res = await request(t.server)
        .post('/migrate/hired_employees')
        .set(t.auth)
        .send([
          { id: 10, name: 'Ann', datetime: '2021-01-01T00:00:00Z', department_id: 1, job_id: 1 },
          { id: 11, name: 'Bob', datetime: '2021-01-01T00:00:00-05:00', department_id: '2', job_id: '1' },
        ])
        .expect(201);
      expect(res.body).toMatchObject({
        table: 'hired_employees',
        file: null,
        status: 'completed',
        rowsInserted: 2,
        batchesCommitted: 1,
      });
      await expect(count(t, 'hired_employees')).resolves.toBe(2);
    });

    it('should answer 422 with every bad row, write nothing and log the batch when a row breaks a rule', async () => {
      const res = await request(t.server)
        .post('/migrate/hired_employees')
        .set(t.auth)
        .send([
          { id: 20, name: 'Cy', datetime: '2021-01-01T00:00:00Z', department_id: 1, job_id: 1 },
          { id: 21, name: 'Di', datetime: '2021-01-01T00:00:00Z', department_id: 99, job_id: 1 },
          { id: 22, name: ' ', datetime: '2021-01-01T00:00:00Z', department_id: 1, job_id: 1 },
        ])
        .expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', runId: expect.any(Number) });
      expect(res.body.errors).toEqual([
        { row: 3, field: 'name', value: ' ', reason: 'name is empty' },
        { row: 2, field: 'department_id', value: '99', reason: 'department_id 99 does not exist' },
      ]);
      await expect(count(t, 'hired_employees')).resolves.toBe(2);
      const run = await request(t.server).get(`/migrate/runs/${res.body.runId}`).expect(200);
      expect(run.body).toMatchObject({ rowsRead: 3, rowsInserted: 0, rowsRejected: 3, batchesRejected: 1 });
      expect(run.body.rejected[0].rows).toHaveLength(3);
    });

    it.each([
      ['an empty array', []],
      ['more than 1000 rows', Array.from({ length: 1001 }, (_, i) => ({ id: i + 1, job: 'x' }))],
      ['not an array', { id: 1, job: 'x' }],
    ])('should answer 400 when the body is %s', async (_name, body) => {
      const res = await request(t.server).post('/migrate/jobs').set(t.auth).send(body).expect(400);
      expect(res.body.message).toBe('The body must be a JSON array of 1 to 1000 rows');
    });

    it('should answer 400 when the table is unknown', async () => {
      const res = await request(t.server)
        .post('/migrate/employees')
        .set(t.auth)
        .send([{ id: 1 }])
        .expect(400);
      expect(res.body.message).toMatch(/Unknown table "employees"/);
    });
  });

  it('should document the migration endpoints, the multipart form and the bearer key in OpenAPI', async () => {
    const res = await request(t.server).get('/docs-json').expect(200);
    const paths = res.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/migrate', '/migrate/{table}', '/migrate/runs', '/migrate/runs/{id}']),
    );
    const form = paths['/migrate'].post.requestBody.content['multipart/form-data'];
    expect(form).toBeDefined();
    const ref: string | undefined = form.schema.$ref;
    const fields = (ref ? res.body.components.schemas[ref.split('/').pop() ?? ''] : form.schema).properties;
    // No example on a field Swagger UI would send: its "Try it out" fills each field with its example.
    expect(fields.delimiter).toMatchObject({ enum: [',', ';', '|', 'tab', '\t'], default: ',' });
    expect(fields.delimiter.example).toBeUndefined();
    expect(fields.dryRun.example).toBeUndefined();
    expect(fields.header).toMatchObject({ enum: ['auto', 'true', 'false'], default: 'auto', example: 'auto' });
    expect(paths['/migrate'].post.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(paths['/migrate'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '413']));
  });

  describe('GET /migrate/runs', () => {
    it('should list the runs newest first with a total, honouring limit and offset', async () => {
      const all = await request(t.server).get('/migrate/runs').expect(200);
      expect(all.body.total).toBeGreaterThanOrEqual(3);
      const ids = all.body.items.map((r: { id: number }) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const page = await request(t.server).get('/migrate/runs?limit=1&offset=1').expect(200);
      expect(page.body).toEqual({ items: [all.body.items[1]], total: all.body.total });
      for (const run of all.body.items) {
        expect(run.rowsRead).toBe(run.rowsInserted + run.rowsRejected);
        expect(run.batchesTotal).toBe(run.batchesCommitted + run.batchesRejected);
      }
    });

    it('should answer 400 when limit is over 1000', async () => {
      await request(t.server).get('/migrate/runs?limit=1000').expect(200);
      await request(t.server).get('/migrate/runs?limit=1001').expect(400);
    });

    it('should answer 404 for an unknown run and 400 for a run id that is not a number', async () => {
      const missing = await request(t.server).get('/migrate/runs/999999').expect(404);
      expect(missing.body.message).toBe('There is no migration run 999999');
      await request(t.server).get('/migrate/runs/abc').expect(400);
    });
  });
});
