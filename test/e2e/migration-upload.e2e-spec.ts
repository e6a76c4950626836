import { request as httpRequest, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { leaksIn } from '../support/hr-files';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { testEngines } from '../support/test-database';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

interface RunBody {
  table: string;
  file: string;
  status: string;
  rowsInserted: number;
  error: string | null;
}

const BOUNDARY = 'xUPLOADx';
const HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="departments.csv"\r\n\r\n`;
const END = `\r\n--${BOUNDARY}--\r\n`;

/** A multipart POST whose body the test writes as it likes; resolves with the answer, whenever it comes. */
function openPost(service: ServiceProcess, path: string, headers: Record<string, string> = {}) {
  const req: ClientRequest = httpRequest(new URL(path, service.url), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${service.apiKey}`,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      ...headers,
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parsed(text), text }));
    });
    req.on('error', reject);
  });
  return { req, answer };
}

function parsed(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(
  service: ServiceProcess,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, service.url), { headers: { Authorization: `Bearer ${service.apiKey}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function runs(service: ServiceProcess): Promise<RunBody[]> {
  return (await getJson(service, '/migrate/runs?limit=50')).body.items as RunBody[];
}

describe.each(testEngines())('uploads against a service process on %s', (engine) => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startServiceProcess(engine, {
      env: {
        UPLOAD_IDLE_SECONDS: '1',
        NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'short-request-deadline.cjs')}`,
      },
    });
  });
  afterAll(async () => {
    await service.stop();
  });

  describe.each([
    ['/migrate', 'streamed'],
    ['/migrate?async=true', 'spooled'],
  ])('POST %s (%s)', (path) => {
    it('should answer 400 and stay up when the body ends before its closing boundary', async () => {
      const body = `${HEAD}1,x\n`;
      const { req, answer } = openPost(service, path, { 'Content-Length': String(Buffer.byteLength(body)) });
      req.end(body);
      const res = await answer;
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^The multipart\/form-data body ends before its closing boundary/);
      expect(leaksIn(res.text)).toEqual([]);
      expect((await getJson(service, '/health')).status).toBe(200);
      expect((await runs(service)).filter((r) => r.status === 'running')).toEqual([]);
    });

    it('should answer 400 and stay up when a chunked body stops inside a part header', async () => {
      const { req, answer } = openPost(service, path);
      req.end(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="fi`);
      const res = await answer;
      expect(res.status).toBe(400);
      expect(leaksIn(res.text)).toEqual([]);
      expect((await getJson(service, '/health')).status).toBe(200);
    });
  });

  it('should store a file name without its control characters and log it on one line when filename* holds %0A and %1B', async () => {
    const name = 'departments%0A2026-01-01%20LOG%20%5BAuth%5D%20admin%20login%20OK%20%28FORGED%29%1B%5B2J%C2%9B.csv';
    const body =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"; filename*=UTF-8''${name}\r\n\r\n` +
      `9101,Named${END}`;
    const { req, answer } = openPost(service, '/migrate', { 'Content-Length': String(Buffer.byteLength(body)) });
    req.end(body);
    const res = await answer;
    expect(res.status).toBe(201);
    const [run] = res.body.runs as RunBody[];
    expect(run.file).toBe('departments2026-01-01 LOG [Auth] admin login OK (FORGED)[2J.csv');
    expect(service.output()).not.toContain('\x1b[2J');
    expect(service.output()).not.toMatch(/^2026-01-01 LOG \[Auth\]/m);
  });

  it('should answer 408 and fail the run when an upload sends nothing for UPLOAD_IDLE_SECONDS', async () => {
    // An option in the query string: the file streams into its run as it arrives.
    const { req, answer } = openPost(service, '/migrate?rejectMode=batch');
    req.write(`${HEAD}701,Idle one\r\n`);
    const res = await answer;
    req.destroy();
    expect(res.status).toBe(408);
    expect(res.body).toMatchObject({
      code: 'MIGRATION_UPLOAD_IDLE',
      message: expect.stringMatching(/UPLOAD_IDLE_SECONDS/),
    });
    const [run] = await runs(service);
    expect(run).toMatchObject({ table: 'departments', status: 'failed', error: expect.any(String) });
    expect((await getJson(service, '/health')).status).toBe(200);
  });

  it('should answer 408 and create no run when an async upload sends nothing for UPLOAD_IDLE_SECONDS', async () => {
    const before = (await runs(service)).length;
    const { req, answer } = openPost(service, '/migrate?async=true');
    req.write(`${HEAD}702,Idle two\r\n`);
    const res = await answer;
    req.destroy();
    expect(res.status).toBe(408);
    expect(await runs(service)).toHaveLength(before);
  });

  it('should load an upload that keeps sending past the request deadline and the idle time', async () => {
    const { req, answer } = openPost(service, '/migrate');
    req.write(HEAD);
    // Sends for longer than the 1 s request deadline and the 1 s idle time, never idle for 1 s.
    for (let id = 801; id <= 816; id++) {
      req.write(`${id},Steady ${id}\r\n`);
      await pause(250);
    }
    req.end(END);
    const res = await answer;
    expect(res.status).toBe(201);
    expect(res.body.runs).toEqual([expect.objectContaining({ status: 'completed', rowsInserted: 16 })]);
  });

  it.each([
    ['a name in UTF-8', 'departments_año_é.csv', 'departments_año_é.csv'],
    ['a name of 300 characters', `departments_${'n'.repeat(284)}.csv`, `departments_${'n'.repeat(238)}….csv`],
  ])('should load %s into the table its name says and keep the name', async (_what, name, stored) => {
    const body = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n901,Named${END}`,
    );
    const { req, answer } = openPost(service, '/migrate');
    req.end(body);
    const res = await answer;
    expect(res.status).toBe(201);
    expect(res.body.runs).toEqual([expect.objectContaining({ table: 'departments', file: stored, rowsInserted: 1 })]);
  });
});
