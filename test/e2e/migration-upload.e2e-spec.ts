import { request as httpRequest, type ClientRequest } from 'node:http';
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
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), text }));
    });
    req.on('error', reject);
  });
  return { req, answer };
}

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
    service = await startServiceProcess(engine);
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
});
