import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { openUpload, waitFor } from '../support/hr-files';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('MAX_CONCURRENT_RUNS on %s', (engine) => {
  let t: TestApp;
  let held: ReturnType<typeof openUpload> | undefined;

  const runCount = async (): Promise<number> =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM migration_runs'))[0].n);

  beforeAll(async () => {
    t = await startTestApp(engine, { maxConcurrentRuns: 1 });
    await t.app.listen(0);
  });
  afterAll(async () => {
    // Should the test fail half-way, the upload it holds open is ended, or the service never stops.
    await held?.finish('').catch(() => undefined);
    await t?.close();
  });

  it('should answer 429 and create no run when a load comes while the runs of this replica are at the cap', async () => {
    const url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    held = openUpload(url, t.config.apiKey, 'departments', '1,Held open\n');
    const heldRun = await waitFor('the running run', async () => {
      const runs = (await request(t.server).get('/migrate/runs').expect(200)).body.items;
      return runs.find((run: { status: string }) => run.status === 'running') as { id: number } | undefined;
    });
    const before = await runCount();

    const refused = await request(t.server)
      .post('/migrate/jobs')
      .set(t.auth)
      .send([{ id: 1, job: 'Engineer' }])
      .expect(429);
    expect(refused.body).toMatchObject({ code: 'MIGRATION_TOO_MANY_RUNS' });
    expect(refused.body.message).toMatch(/MAX_CONCURRENT_RUNS/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .attach('file', Buffer.from('1,Engineer\n'), 'jobs.csv')
      .expect(429);
    expect(await runCount()).toBe(before);

    // Queued instead: it begins to load only once the held run has ended.
    const queued = await request(t.server)
      .post('/migrate?async=true')
      .set(t.auth)
      .attach('file', Buffer.from('2,Analyst\n'), 'jobs.csv')
      .expect(202);
    const queuedId = queued.body.runs[0].id as number;

    const done = await held.finish('2,Done\n');
    held = undefined;
    expect(done.status).toBe(201);
    const ended = await waitFor('the queued run to end', async () => {
      const run = (await request(t.server).get(`/migrate/runs/${queuedId}`).expect(200)).body;
      return run.status === 'running' ? undefined : run;
    });
    expect(ended).toMatchObject({ status: 'completed', rowsInserted: 1 });
    const heldEnd = (await request(t.server).get(`/migrate/runs/${heldRun.id}`).expect(200)).body;
    expect(Date.parse(ended.startedAt)).toBeGreaterThanOrEqual(Date.parse(heldEnd.finishedAt));

    await request(t.server)
      .post('/migrate/jobs')
      .set(t.auth)
      .send([{ id: 1, job: 'Engineer' }])
      .expect(201);
  });
});
