import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCli, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { testEngines } from '../support/test-database';

const FIXTURES = join(__dirname, '..', 'fixtures', 'globant');
const GLOBANT_FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'].map((f) => join(FIXTURES, f));

jest.setTimeout(240_000);

describe.each(testEngines())('hr-migrate against the service on %s', (engine) => {
  let service: ServiceProcess;
  let asUser: (args: string[]) => ReturnType<typeof runCli>;
  // The service's own temporary folder, to see that async uploads leave no spooled file behind.
  const serviceTmp = mkdtempSync(join(tmpdir(), 'hr-cli-service-tmp-'));

  beforeAll(async () => {
    service = await startServiceProcess(engine, { env: { TMPDIR: serviceTmp } });
    asUser = (args) => runCli(args, { HR_URL: service.url, API_KEY: service.apiKey });
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(serviceTmp, { recursive: true, force: true });
  });

  describe('load', () => {
    let rejectsRunId: string;

    it('should load the three files and exit 1 with the summary table when some rows are rejected', async () => {
      const result = await asUser(['load', ...GLOBANT_FILES, '--reject-mode', 'row']);
      expect(result.code).toBe(1);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^table\s+file\s+read\s+inserted\s+rejected\s+batches\s+time$/);
      expect(lines.find((l) => l.startsWith('departments '))).toMatch(
        /^departments\s+departments\.csv\s+12\s+12\s+0\s/,
      );
      expect(lines.find((l) => l.startsWith('jobs '))).toMatch(/^jobs\s+jobs\.csv\s+183\s+183\s+0\s/);
      expect(lines.find((l) => l.startsWith('hired_employees '))).toMatch(
        /^hired_employees\s+hired_employees\.csv\s+1,999\s+1,929\s+70\s/,
      );
      expect(lines.find((l) => l.startsWith('total '))).toMatch(/^total\s+2,194\s+2,124\s+70\s/);
      const see = lines.find((l) => l.startsWith('See the rejects: hr-migrate run '));
      rejectsRunId = /run (\d+)/.exec(see ?? '')?.[1] ?? '';
      expect(rejectsRunId).toMatch(/^\d+$/);
      expect(result.stderr).toContain('uploading 3 files to');
    });

    it('should list every rejected row with its reason when asked for the run', async () => {
      const result = await asUser(['run', rejectsRunId]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('70 rows rejected; 70 reasons:');
      const rejectTable = result.stdout.slice(result.stdout.lastIndexOf('batch  '));
      const rows = rejectTable.split('\n').filter((l) => /^\s*\d+\s+\d+\s+\S+/.test(l));
      expect(rows).toHaveLength(70);
    });

    it('should show a page of the rejected rows and the command for the next when --limit is smaller than the rejects', async () => {
      const result = await asUser(['run', rejectsRunId, '--limit', '50']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `Rejected rows 1-50 of 70 shown; the next ones: hr-migrate run ${rejectsRunId} --offset 50`,
      );
      const last = await asUser(['run', rejectsRunId, '--offset', '50', '--limit', '50']);
      const rows = last.stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s+\S+/.test(l));
      expect(rows).toHaveLength(20);
      expect(last.stdout).not.toContain('the next ones');
    });

    it('should print the summary as JSON when --json is given', async () => {
      const result = await asUser(['load', GLOBANT_FILES[0], '--json']);
      expect(result.code).toBe(0);
      const body = JSON.parse(result.stdout) as { runs: { table: string; rowsInserted: number }[] };
      expect(body.runs).toEqual([expect.objectContaining({ table: 'departments', rowsInserted: 12 })]);
    });

    it('should list the runs newest first when asked for the runs', async () => {
      const result = await asUser(['runs', '--limit', '2']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\n\s*\d+\s+\S+ \S+\s+departments\s+departments\.csv\s+completed/);
      expect(result.stdout).toMatch(/2 of 4 runs \(newest first\)/);
    });
  });

  describe('load --async', () => {
    it('should follow the runs to their end and print the same summary and exit code when --async is given', async () => {
      const result = await asUser(['load', ...GLOBANT_FILES, '--reject-mode', 'row', '--async']);
      expect(result.code).toBe(1);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^table\s+file\s+read\s+inserted\s+rejected\s+batches\s+time$/);
      expect(lines.find((l) => l.startsWith('departments '))).toMatch(
        /^departments\s+departments\.csv\s+12\s+12\s+0\s/,
      );
      expect(lines.find((l) => l.startsWith('jobs '))).toMatch(/^jobs\s+jobs\.csv\s+183\s+183\s+0\s/);
      expect(lines.find((l) => l.startsWith('hired_employees '))).toMatch(
        /^hired_employees\s+hired_employees\.csv\s+1,999\s+1,929\s+70\s/,
      );
      expect(lines.find((l) => l.startsWith('total '))).toMatch(/^total\s+2,194\s+2,124\s+70\s/);
      expect(result.stderr).toContain('loading hired_employees.csv (');
      expect(result.stderr).toContain('hired_employees.csv: read 1,999, wrote 1,929, rejected 70 in ');
      const runId = /hr-migrate run (\d+)/.exec(result.stdout)?.[1];
      const run = (await fetch(`${service.url}/migrate/runs/${runId}`).then((r) => r.json())) as {
        rejected: { errors: unknown[] }[];
      };
      expect(run).toMatchObject({
        table: 'hired_employees',
        status: 'completed',
        rowsInserted: 1929,
        rowsRejected: 70,
      });
      expect(run.rejected.flatMap((b: { errors: unknown[] }) => b.errors)).toHaveLength(70);
      // The service removes the spooled files right after the last commit; the client may see `end` first.
      const spooled = () => readdirSync(serviceTmp).filter((name) => name.startsWith('hr-upload-'));
      for (let wait = 0; wait < 50 && spooled().length > 0; wait++) await new Promise((r) => setTimeout(r, 100));
      expect(spooled()).toEqual([]);
    });

    it('should exit 0 and print the ended runs as JSON when every row loads with --async --json', async () => {
      const result = await asUser(['load', GLOBANT_FILES[1], '--async', '--json']);
      expect(result.code).toBe(0);
      const body = JSON.parse(result.stdout) as { runs: { table: string; status: string; rowsInserted: number }[] };
      expect(body.runs).toEqual([expect.objectContaining({ table: 'jobs', status: 'completed', rowsInserted: 183 })]);
    });

    it('should exit 2 and create no run when the service refuses an async upload', async () => {
      const before = (await fetch(`${service.url}/migrate/runs?limit=1`).then((r) => r.json())) as { total: number };
      const result = await asUser(['load', GLOBANT_FILES[0], '--table', 'employees', '--async']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^hr-migrate: table must be one of .*\(400 Bad Request\)\n$/m);
      const after = (await fetch(`${service.url}/migrate/runs?limit=1`).then((r) => r.json())) as { total: number };
      expect(after.total).toBe(before.total);
    });

    it('should describe --async as the default, and --sync, when asked for the help of load', async () => {
      const result = await asUser(['load', '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/--async\s+the default: the service loads after the upload/);
      expect(result.stdout).toMatch(/--sync\s+load in the one request/);
    });
  });

  describe('failures', () => {
    it('should exit 2 and say the key was refused when the key is wrong', async () => {
      const result = await asUser(['load', GLOBANT_FILES[0], '--key', 'wrong-key-0123456789']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('hr-migrate: the API key was refused; pass --key or set API_KEY');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    it('should exit 2 and ask for the key when no key is given', async () => {
      const result = await runCli(['backup', 'jobs'], { HR_URL: service.url });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('hr-migrate: this command needs the API key; pass --key or set API_KEY\n');
    });

    it('should exit 2 and say the service cannot be reached when nothing listens at the URL', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const result = await runCli(['load', GLOBANT_FILES[0], '--url', url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`hr-migrate: cannot reach the service at ${url}: connection refused`);
    });

    it('should exit 2 before uploading anything when a file is missing', async () => {
      const result = await asUser(['load', GLOBANT_FILES[0], 'no-such-file.csv']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('hr-migrate: file not found: no-such-file.csv\n');
    });

    it("should exit 2 with the service's message when the service refuses the request", async () => {
      const result = await asUser(['backup', 'cars']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^hr-migrate: .*cars.*\(400 Bad Request\)\n$/);
    });
  });

  describe('reports', () => {
    it('should show Support with 216 hires first when asked for the departments above the mean in 2021', async () => {
      const result = await asUser(['report', 'above-mean', '--year', '2021']);
      expect(result.code).toBe(0);
      const rows = result.stdout.split('\n').filter((l) => /^\s*\d+\s+\S/.test(l));
      expect(rows[0]).toMatch(/^\s*\d+\s+Support\s+216$/);
    });

    it("should print the service's CSV when --csv is given", async () => {
      const result = await asUser(['report', 'quarter', '--csv']);
      expect(result.code).toBe(0);
      expect(result.stdout.split(/\r?\n/)[0]).toBe('department,job,Q1,Q2,Q3,Q4');
    });
  });

  describe('load --delimiter', () => {
    it('should send the delimiter and load a semicolon file under a header in another order', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hr-cli-delimiter-'));
      try {
        const lines = readFileSync(GLOBANT_FILES[0], 'utf8').split(/\r?\n/);
        const file = join(dir, 'departments-semicolons.csv');
        const swapped = lines.map((l) => l.split(',').reverse().join(';'));
        writeFileSync(file, ['Department;ID', ...swapped].join('\r\n'));
        const result = await asUser(['load', file, '--delimiter', ';', '--json']);
        expect(result.code).toBe(0);
        const body = JSON.parse(result.stdout) as { runs: object[] };
        expect(body.runs).toEqual([
          expect.objectContaining({ table: 'departments', headerSkipped: true, rowsRead: 12, rowsInserted: 12 }),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should refuse a delimiter the service does not know before uploading', async () => {
      const result = await asUser(['load', GLOBANT_FILES[0], '--delimiter', ':']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--delimiter must be ',', ';', '|' or tab; got ':'`);
    });
  });

  describe('backup and restore', () => {
    it('should back a table up, list the backup and restore it', async () => {
      const backup = await asUser(['backup', 'departments']);
      expect(backup.code).toBe(0);
      const file = /to (departments-\S+\.avro)/.exec(backup.stdout)?.[1];
      expect(backup.stdout).toMatch(/^Backed up 12 rows of departments to departments-\S+\.avro/);
      const list = await asUser(['backups', 'departments']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`\\n${file?.replace(/\./g, '\\.')}\\s+12\\s`));
      const restore = await asUser(['restore', 'departments', file ?? '']);
      expect(restore.code).toBe(0);
      expect(restore.stdout).toBe(`Restored 12 rows into departments from ${file}\n`);
    });
  });
});
