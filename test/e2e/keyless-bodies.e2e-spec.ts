import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** True when the server closed the connection once it had answered. */
  closed: Promise<boolean>;
}

/**
 * A POST that announces `length` bytes of JSON and sends only `sent` of them, then waits: only an
 * answer given without the rest of the body (or after the body was idle) ever comes.
 */
function partialPost(t: TestApp, path: string, headers: Record<string, string>, length = 1000): Promise<Answer> {
  const port = (t.server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(length), ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const closed = new Promise<boolean>((done) => req.socket?.once('close', () => done(true)));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text), closed }),
      );
    });
    // The server may close while the client still has bytes to send; the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    req.write('[{"id": 1, "department": "Sl');
  });
}

describe.each(testEngines())('bodies of writes on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { rateLimitPerMinute: 4, uploadIdleMs: 500 });
    await t.app.listen(0);
  });
  afterAll(async () => t?.close());

  it('should answer 401 without reading the body when a POST without a key sends its body slowly', async () => {
    const answer = await partialPost(t, '/migrate/departments', {});
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'AUTH_MISSING_KEY' });
    await expect(answer.closed).resolves.toBe(true);
  });

  it('should answer 401 without reading the body when the key is wrong', async () => {
    const answer = await partialPost(t, '/restore/departments', { Authorization: 'Bearer not-the-key-at-all' });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'AUTH_INVALID_KEY' });
  });

  it('should count keyless bodies against the rate limit and answer 429 over it, unread', async () => {
    // Two failed checks so far; the limit is 4 a minute.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await partialPost(t, '/backup/jobs', {})).status);
    expect(statuses).toEqual([401, 401, 429]);
    const refused = await partialPost(t, '/migrate/departments', { Authorization: `Bearer ${TEST_API_KEY}` });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe.each(testEngines())('idle bodies on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { uploadIdleMs: 300 });
    await t.app.listen(0);
  });
  afterAll(async () => t?.close());

  it('should answer 408 and close when a JSON body with the key sends nothing for UPLOAD_IDLE_SECONDS', async () => {
    const answer = await partialPost(t, '/migrate/departments', { Authorization: `Bearer ${TEST_API_KEY}` });
    expect(answer.status).toBe(408);
    expect(answer.body).toMatchObject({
      code: 'REQUEST_BODY_IDLE',
      message: expect.stringMatching(/UPLOAD_IDLE_SECONDS/),
    });
    await expect(answer.closed).resolves.toBe(true);
    const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM migration_runs');
    expect(Number(row.n)).toBe(0);
  });
});
