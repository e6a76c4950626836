import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { seedOneDepartmentAndJob } from '../support/hr-files';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

interface Run {
  id: number;
  status: string;
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  error?: string;
}

function send(t: TestApp, content: Buffer | string, rejectMode = 'row') {
  return request(t.server)
    .post('/migrate')
    .set(t.auth)
    .field('rejectMode', rejectMode)
    .attach('file', Buffer.from(content), 'hired_employees.csv');
}

async function errorsOf(t: TestApp, runId: number): Promise<{ line: number; field: string | null; reason: string }[]> {
  const res = await request(t.server).get(`/migrate/runs/${runId}`).expect(200);
  return res.body.rejected.flatMap((b: { errors: unknown[] }) => b.errors);
}

describe.each(testEngines())('hostile uploads on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedOneDepartmentAndJob(t);
  });
  afterEach(async () => {
    await request(t.server).get('/health').expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should reject the rows of random bytes with reasons and keep counts that add up', async () => {
    const res = await send(t, randomBytes(256 * 1024)).expect(201);
    const run: Run = res.body.runs[0];
    expect(run.rowsInserted).toBe(0);
    expect(run.rowsRead).toBeGreaterThan(0);
    expect(run.rowsRejected).toBe(run.rowsRead);
  });

  it('should fail the run saying the file is empty when the file is empty', async () => {
    const res = await send(t, '').expect(201);
    expect(res.body.runs[0]).toMatchObject({ status: 'failed', rowsRead: 0, error: 'The file is empty' });
  });

  it('should reject the row with a field over 64 KiB and load the others', async () => {
    const content = `1,Ann,2021-01-01T00:00:00Z,1,1\r\n2,${'x'.repeat(3 * 1024 * 1024)},2021-01-01T00:00:00Z,1,1\r\n3,Cy,2021-01-01T00:00:00Z,1,1`;
    const res = await send(t, content).expect(201);
    expect(res.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 3, rowsInserted: 2, rowsRejected: 1 });
    await expect(errorsOf(t, res.body.runs[0].id)).resolves.toEqual([
      { line: 2, field: null, value: null, reason: 'line 2: field 2 is longer than 65536 characters' },
      {
        line: 2,
        field: null,
        value: null,
        reason: 'the row is longer than 1048576 characters: rejects.csv leaves it out, fix it in the file you sent',
      },
    ]);
  });

  it('should reject a line of 500,000 commas as a row with the wrong number of columns', async () => {
    const content = `1,Ann,2021-01-01T00:00:00Z,1,1\r\n${','.repeat(500_000)}\r\n3,Cy,2021-01-01T00:00:00Z,1,1`;
    const res = await send(t, content).expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsRead: 3, rowsInserted: 2, rowsRejected: 1 });
    await expect(errorsOf(t, res.body.runs[0].id)).resolves.toEqual([
      { line: 2, field: null, value: null, reason: 'expected 5 columns, found 500001' },
    ]);
  });

  it('should reject the row with text after a closing quote and go on with the next lines', async () => {
    const content = `1,"Ann" Lee,2021-01-01T00:00:00Z,1,1\r\n2,Bob,2021-01-01T00:00:00Z,1,1`;
    const res = await send(t, content).expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsRead: 2, rowsInserted: 1, rowsRejected: 1 });
    const [error] = await errorsOf(t, res.body.runs[0].id);
    expect(error).toMatchObject({ line: 1, field: null });
    expect(error.reason).toMatch(/text after a closing quote/);
  });

  it('should reject the row and the rest of the file when a quote is never closed', async () => {
    const content = `1,Ann,2021-01-01T00:00:00Z,1,1\r\n2,"Bob,2021-01-01T00:00:00Z,1,1\r\n${'3,Cy,2021-01-01T00:00:00Z,1,1\r\n'.repeat(5000)}`;
    const res = await send(t, content).expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsRead: 2, rowsInserted: 1, rowsRejected: 1 });
    const [error] = await errorsOf(t, res.body.runs[0].id);
    expect(error.reason).toBe('the quote opened on line 2 is not closed before the end of the file');
  });
});
