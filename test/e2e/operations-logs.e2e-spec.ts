import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { testEngines } from '../support/test-database';

const FIXTURES = join(__dirname, '..', 'fixtures', 'globant');

jest.setTimeout(240_000);

/** The three real files in one upload, rows rejected one by one. */
function globantUpload(): FormData {
  const form = new FormData();
  form.append('rejectMode', 'row');
  for (const name of ['departments.csv', 'jobs.csv', 'hired_employees.csv']) {
    form.append('file', new Blob([readFileSync(join(FIXTURES, name))]), name);
  }
  return form;
}

type LogLine = Record<string, unknown>;

describe.each(testEngines())('logs of the service in its own process on %s', (engine) => {
  describe('with LOG_FORMAT=json', () => {
    let service: ServiceProcess;
    let lines: string[];
    let records: LogLine[];
    let loadStatus: number;
    let notFound: { status: number; header: string | null; body: Record<string, unknown> };

    beforeAll(async () => {
      service = await startServiceProcess(engine, { env: { LOG_FORMAT: 'json' } });
      const auth = { Authorization: `Bearer ${service.apiKey}`, 'X-Request-Id': 'load-of-globant.1' };
      const load = await fetch(`${service.url}/migrate`, { method: 'POST', headers: auth, body: globantUpload() });
      loadStatus = load.status;
      await load.arrayBuffer();
      const missing = await fetch(`${service.url}/no/such/route`, {
        headers: { 'X-Request-Id': 'bad id with spaces' },
      });
      notFound = {
        status: missing.status,
        header: missing.headers.get('x-request-id'),
        body: (await missing.json()) as Record<string, unknown>,
      };
      await service.stop();
      lines = service
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      records = lines.map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return { notJson: line };
        }
      });
    });

    it('should write only JSON objects, one per line, each with time, level, context and message', () => {
      expect(loadStatus).toBe(201);
      expect(records.filter((r) => 'notJson' in r)).toEqual([]);
      for (const record of records) {
        expect(record).toEqual(
          expect.objectContaining({
            time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            level: expect.any(String),
            context: expect.any(String),
            message: expect.any(String),
          }),
        );
      }
    });

    it("should end the employees' run with 1929 rows written and 70 rejected, with its run id and the request's id", () => {
      const ends = records.filter((r) => r.context === 'MigrationRun' && r.table === 'hired_employees' && r.status);
      expect(ends).toEqual([
        expect.objectContaining({
          status: 'completed',
          rowsRead: 1999,
          rowsInserted: 1929,
          rowsRejected: 70,
          runId: expect.any(Number),
          requestId: 'load-of-globant.1',
        }),
      ]);
      const starts = records.filter((r) => r.context === 'MigrationRun' && /started/.test(String(r.message)));
      expect(starts.map((r) => r.table)).toEqual(['departments', 'jobs', 'hired_employees']);
    });

    it("should write one access line per request with the client's id, method, path, status and time", () => {
      const access = records.filter((r) => r.context === 'HTTP' && r.requestId === 'load-of-globant.1');
      expect(access).toEqual([
        expect.objectContaining({ method: 'POST', path: '/migrate', status: 201, durationMs: expect.any(Number) }),
      ]);
    });

    it('should give a request whose id is not sane a new one, in the header, the error body and the access line', () => {
      expect(notFound.status).toBe(404);
      expect(notFound.header).toMatch(/^[0-9a-f-]{36}$/);
      expect(notFound.body.requestId).toBe(notFound.header);
      const access = records.filter((r) => r.context === 'HTTP' && r.path === '/no/such/route');
      expect(access).toEqual([expect.objectContaining({ status: 404, requestId: notFound.header })]);
    });
  });

  describe('with the default text format, written to a pipe', () => {
    it("should write Nest's readable lines without colours, the access line with its request id", async () => {
      const service = await startServiceProcess(engine, { env: { LOG_LEVEL: 'log' } });
      await fetch(`${service.url}/health`, { headers: { 'X-Request-Id': 'health-check-7' } }).then((r) => r.text());
      await service.stop();
      const output = service.output();
      expect(output).not.toContain('\u001b[');
      expect(output).toMatch(/LOG \[HTTP\] GET \/health 200 \d+ms .*requestId: 'health-check-7'/);
    });

    it("should name the error's code in the access line of an error, and tell a missing key from a wrong one", async () => {
      const service = await startServiceProcess(engine);
      const auth = { Authorization: `Bearer ${service.apiKey}` };
      const form = new FormData();
      form.append('table', 'salaries');
      form.append('file', new Blob(['1,x\n']), 'x.csv');
      const bad = await fetch(`${service.url}/migrate`, { method: 'POST', headers: auth, body: form });
      await bad.arrayBuffer();
      await fetch(`${service.url}/backup/jobs`, { method: 'POST' }).then((r) => r.text());
      const wrong = { Authorization: 'Bearer not-the-key-0123456789' };
      await fetch(`${service.url}/backup/jobs`, { method: 'POST', headers: wrong }).then((r) => r.text());
      await service.stop();
      const output = service.output();
      expect(bad.status).toBe(400);
      expect(output).toMatch(/\[HTTP\] POST \/migrate 400 MIGRATION_[A-Z_]+ \d+ms/);
      expect(output).toMatch(/\[HTTP\] POST \/backup\/jobs 401 AUTH_MISSING_KEY missing key \d+ms/);
      expect(output).toMatch(/\[HTTP\] POST \/backup\/jobs 401 AUTH_INVALID_KEY wrong key \d+ms/);
    });

    it('should write one line when SIGTERM arrives and one when the shutdown is done, and no line per route at start', async () => {
      const service = await startServiceProcess(engine);
      await service.stop();
      const lines = service.output().trimEnd().split('\n');
      expect(lines.filter((line) => /SIGTERM received: stopping/.test(line))).toHaveLength(1);
      expect(lines.at(-1)).toMatch(/\[Shutdown\] Shutdown complete \(SIGTERM\)/);
      expect(lines.filter((line) => /RouterExplorer|RoutesResolver|InstanceLoader/.test(line))).toEqual([]);
      expect(lines.length).toBeLessThan(15);
    });

    it('should write only warnings and errors with LOG_LEVEL=warn', async () => {
      const service = await startServiceProcess(engine, { env: { LOG_LEVEL: 'warn' } });
      await fetch(`${service.url}/health`).then((r) => r.text());
      await service.stop();
      expect(service.output()).not.toMatch(/ LOG /);
    });
  });
});
