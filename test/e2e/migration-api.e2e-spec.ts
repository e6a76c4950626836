import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TEST_API_KEY, startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const DEPARTMENTS = Buffer.from('1,Finance\r\n2,Sales');

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

/** Sends a chunked multipart upload (no Content-Length) and returns the status and body. */
async function chunkedUpload(
  t: TestApp,
  fileBytes: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const server = createServer(t.app.getHttpAdapter().getInstance());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await sendChunked((server.address() as AddressInfo).port, fileBytes);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function sendChunked(port: number, fileBytes: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const boundary = 'xBOUNDARYx';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        method: 'POST',
        path: '/migrate',
        headers: {
          Authorization: `Bearer ${TEST_API_KEY}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    // The server may stop reading once it has answered; the answer is what counts.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="departments.csv"\r\n\r\n`);
    const line = '1,Finance\r\n';
    let sent = 0;
    const pump = () => {
      while (sent < fileBytes) {
        sent += line.length * 1000;
        if (!req.write(line.repeat(1000))) return void req.once('drain', pump);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
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
      ['table', 'employees', 'table must be one of departments, jobs, hired_employees'],
      ['batchsize', '10', 'Unknown form field "batchsize"'],
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

    it('should answer 413 before reading when Content-Length is over the limit', async () => {
      const res = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('1,Finance\r\n'.repeat(8000)), 'departments.csv')
        .expect(413);
      expect(res.body.message).toMatch(/MAX_UPLOAD_MB/);
    });

    it('should answer 413 and fail the run when a chunked upload passes the limit while streaming', async () => {
      const res = await chunkedUpload(t, 200 * 1024);
      expect(res.status).toBe(413);
      const list = await request(t.server).get('/migrate/runs?limit=1').expect(200);
      expect(list.body.items[0]).toMatchObject({ table: 'departments', status: 'failed' });
      await request(t.server).get('/health').expect(200);
    });
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

    it('should answer 400 when limit is over 500', async () => {
      await request(t.server).get('/migrate/runs?limit=501').expect(400);
    });

    it('should answer 404 for an unknown run and 400 for a run id that is not a number', async () => {
      const missing = await request(t.server).get('/migrate/runs/999999').expect(404);
      expect(missing.body.message).toBe('There is no migration run 999999');
      await request(t.server).get('/migrate/runs/abc').expect(400);
    });
  });
});
