import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const REJECTED_ROWS = 200_000;

interface RejectedBatch {
  batch: number;
  firstLine: number;
  lastLine: number;
  rows: { line: number; values: string[] }[];
  errors: { line: number; field: string | null; value: string | null; reason: string }[];
}

/** Every line breaks a rule (id 0), so every batch of the run is rejected whole. */
function rejectedJobs(lines: number): Buffer {
  return Buffer.from(Array.from({ length: lines }, (_, i) => `0,Job ${i + 1}`).join('\n'));
}

describe.each(testEngines())('paging a run and its reject log on %s', (engine) => {
  let t: TestApp;
  let runId: number;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .attach('file', rejectedJobs(REJECTED_ROWS), 'jobs.csv')
      .expect(201);
    runId = res.body.runs[0].id;
    expect(res.body.runs[0]).toMatchObject({ rowsRejected: REJECTED_ROWS, batchesRejected: 200 });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('should answer the first 100 rejected rows in a few KB with the total when the run rejected 200,000 rows', async () => {
    const res = await request(t.server).get(`/migrate/runs/${runId}`).expect(200);
    expect(Buffer.byteLength(res.text)).toBeLessThan(32 * 1024);
    expect(res.body).toMatchObject({ id: runId, rowsRejected: REJECTED_ROWS, rejectedTotal: REJECTED_ROWS });
    const [batch] = res.body.rejected as RejectedBatch[];
    expect(res.body.rejected).toHaveLength(1);
    expect(batch).toMatchObject({ batch: 1, firstLine: 1, lastLine: 1000 });
    expect(batch.rows.map((r) => r.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(batch.errors.map((e) => e.line)).toEqual(batch.rows.map((r) => r.line));
  });

  it('should cut the batches at both ends of the page when a page straddles two batches', async () => {
    const res = await request(t.server).get(`/migrate/runs/${runId}?rejectedOffset=950&rejectedLimit=100`).expect(200);
    const batches = res.body.rejected as RejectedBatch[];
    expect(batches.map((b) => [b.batch, b.rows[0].line, b.rows.length])).toEqual([
      [1, 951, 50],
      [2, 1001, 50],
    ]);
    expect(batches[1].rows[0].values).toEqual(['0', 'Job 1001']);
    for (const b of batches) expect(b.errors.map((e) => e.line)).toEqual(b.rows.map((r) => r.line));
  });

  it('should answer the last rows, then an empty page, when the offset reaches the end', async () => {
    const last = await request(t.server)
      .get(`/migrate/runs/${runId}?rejectedOffset=${REJECTED_ROWS - 10}&rejectedLimit=1000`)
      .expect(200);
    expect(last.body.rejected.map((b: RejectedBatch) => [b.batch, b.rows.length])).toEqual([[200, 10]]);
    const past = await request(t.server).get(`/migrate/runs/${runId}?rejectedOffset=${REJECTED_ROWS}`).expect(200);
    expect(past.body).toMatchObject({ rejected: [], rejectedTotal: REJECTED_ROWS });
  });

  it.each([
    ['rejectedLimit=0', 'rejectedLimit must be an integer from 1 to 1000'],
    ['rejectedLimit=1001', 'rejectedLimit must be an integer from 1 to 1000'],
    ['rejectedLimit=1e2', 'rejectedLimit must be an integer from 1 to 1000'],
    ['rejectedOffset=-1', 'rejectedOffset must be an integer from 0 to 2147483648'],
    ['rejectedOffset=1e20', 'rejectedOffset must be an integer from 0 to 2147483648'],
    ['rejectedOffset=18446744073709551616', 'rejectedOffset must be an integer from 0 to 2147483648'],
  ])('should answer 400 naming the rule when the run is asked with %s', async (query, message) => {
    const res = await request(t.server).get(`/migrate/runs/${runId}?${query}`).expect(400);
    expect(res.body.message).toBe(message);
  });

  it.each([
    ['offset=1e20', 'offset must be an integer from 0 to 2147483648'],
    ['offset=18446744073709551616', 'offset must be an integer from 0 to 2147483648'],
    ['offset=2147483649', 'offset must be an integer from 0 to 2147483648'],
    ['offset=-1', 'offset must be an integer from 0 to 2147483648'],
    ['offset=0x10', 'offset must be an integer from 0 to 2147483648'],
    ['offset=', 'offset must be an integer from 0 to 2147483648'],
    ['limit=1e3', 'limit must be an integer from 1 to 1000'],
    ['limit=99999999999999999999', 'limit must be an integer from 1 to 1000'],
  ])('should answer 400 naming the rule when the runs are listed with %s', async (query, message) => {
    const res = await request(t.server).get(`/migrate/runs?${query}`).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message });
  });

  it('should answer an empty page when the offset is the largest one allowed', async () => {
    const res = await request(t.server).get('/migrate/runs?offset=2147483648&limit=1000').expect(200);
    expect(res.body).toEqual({ items: [], total: 1 });
  });

  it.each(['2147483648', '18446744073709551616', '1e3', '0', '-1'])(
    'should answer 400 when the run id is %s',
    async (id) => {
      const res = await request(t.server).get(`/migrate/runs/${id}`).expect(400);
      expect(res.body.message).toBe('The run id must be an integer from 1 to 2147483647');
      await request(t.server).get(`/migrate/runs/${id}/events`).expect(400);
    },
  );

  it('should answer 404 when the run id is the largest one allowed', async () => {
    await request(t.server).get('/migrate/runs/2147483647').expect(404);
  });

  it('should document the paging parameters and rejectedTotal in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json').expect(200);
    const parameters = res.body.paths['/migrate/runs/{id}'].get.parameters as { name: string; schema: object }[];
    expect(parameters.find((p) => p.name === 'rejectedLimit')?.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
    });
    expect(parameters.find((p) => p.name === 'rejectedOffset')?.schema).toMatchObject({ type: 'integer', minimum: 0 });
    expect(res.body.components.schemas.RunDetailResponseDto.required).toContain('rejectedTotal');
    for (const path of ['/migrate/runs/{id}', '/migrate/runs/{id}/events']) {
      const ids = res.body.paths[path].get.parameters.filter((p: { name: string }) => p.name === 'id');
      expect(ids).toEqual([
        expect.objectContaining({
          in: 'path',
          required: true,
          schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
        }),
      ]);
    }
  });
});
