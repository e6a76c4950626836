import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { openUpload, waitFor } from '../support/hr-files';
import { parseServerSentEvents } from '../support/run-events';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

interface Stream {
  status: number;
  response: IncomingMessage;
  /** The whole body, once the server ends it. */
  body: Promise<string>;
  close(): void;
}

/** Opens a run's event stream from a given loopback address, so that tests can be several clients. */
function openStream(t: TestApp, runId: number, from = '127.0.0.1'): Promise<Stream> {
  const port = (t.server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, localAddress: from, path: `/migrate/runs/${runId}/events` });
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const body = new Promise<string>((done) => response.on('close', () => done(text)));
      resolve({ status: response.statusCode ?? 0, response, body, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(testEngines())('run event stream caps on %s', (engine) => {
  let t: TestApp;
  let url: string;
  let runId: number;
  let upload: ReturnType<typeof openUpload>;
  const open: Stream[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine, { eventStreams: { perClient: 2, total: 3, maxMs: 60_000 } });
    await t.app.listen(0);
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    // A run that stays running until the test ends its upload.
    upload = openUpload(url, t.config.apiKey, 'departments', '1,Held open\n');
    runId = await waitFor('the running run', async () => {
      const runs = (await request(t.server).get('/migrate/runs').expect(200)).body.items;
      return runs.find((run: { status: string }) => run.status === 'running')?.id as number | undefined;
    });
  });
  afterAll(async () => {
    for (const stream of open) stream.close();
    await upload.finish('2,Done\n');
    await t?.close();
  });

  it('should answer 429 to a client over its cap of streams, and take it again once one closes', async () => {
    open.push(await openStream(t, runId), await openStream(t, runId));
    expect(open.map((s) => s.status)).toEqual([200, 200]);
    const refused = await openStream(t, runId);
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body)).toMatchObject({ code: 'MIGRATION_TOO_MANY_STREAMS' });
    expect(Number(refused.response.headers['retry-after'])).toBeGreaterThan(0);

    open.shift()?.close();
    const again = await waitFor('a stream once one has closed', async () => {
      const stream = await openStream(t, runId);
      if (stream.status === 200) return stream;
      stream.close();
      return undefined;
    });
    open.push(again);
  });

  it('should answer 429 to any client once the streams in all reach their cap', async () => {
    open.push(await openStream(t, runId, '127.0.0.2'));
    expect(open).toHaveLength(3);
    const refused = await openStream(t, runId, '127.0.0.3');
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body).message).toMatch(/in all/);
  });
});

describe.each(testEngines())('run event stream lifetime on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { eventStreams: { perClient: 1, total: 10, maxMs: 300 } });
    await t.app.listen(0);
  });
  afterAll(async () => t?.close());

  it('should end a stream whose run is still running once it reaches its time limit, and free its place', async () => {
    const url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const upload = openUpload(url, t.config.apiKey, 'departments', '1,Held open\n');
    const runId = await waitFor('the running run', async () => {
      const runs = (await request(t.server).get('/migrate/runs').expect(200)).body.items;
      return runs.find((run: { status: string }) => run.status === 'running')?.id as number | undefined;
    });
    const stream = await openStream(t, runId);
    expect(stream.status).toBe(200);
    const events = parseServerSentEvents(await stream.body);
    expect(events.at(-1)).toMatchObject({ event: 'error' });
    expect(events.at(-1)?.data).toMatch(/time limit/);
    const next = await openStream(t, runId);
    expect(next.status).toBe(200);
    next.close();
    await upload.finish('2,Done\n');
  });
});
