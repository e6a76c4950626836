import { fillEmptyFields } from '../support/hr-files';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { testEngines } from '../support/test-database';

const FIXTURES = join(__dirname, '..', 'fixtures', 'globant');
const [DEPARTMENTS, JOBS, EMPLOYEES] = ['departments.csv', 'jobs.csv', 'hired_employees.csv'].map((f) =>
  join(FIXTURES, f),
);

jest.setTimeout(240_000);

describe.each(testEngines())('hr-migrate: the fix-and-reload loop, dry runs and the reject limit on %s', (engine) => {
  let service: ServiceProcess;
  let asUser: (args: string[]) => ReturnType<typeof runCli>;
  const work = mkdtempSync(join(tmpdir(), 'hr-cli-reload-'));

  beforeAll(async () => {
    service = await startServiceProcess(engine);
    asUser = (args) => runCli(args, { HR_URL: service.url, API_KEY: service.apiKey });
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('should write nothing and report the counts of a real load when --dry-run is given', async () => {
    const result = await asUser(['load', DEPARTMENTS, JOBS, EMPLOYEES, '--reject-mode', 'row', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nhired_employees\s+hired_employees\.csv\s+1,999\s+1,929\s+70\s/);
    expect(result.stdout).toContain('A dry run: every rule applied, no row written.');
    const backup = await asUser(['backup', 'departments', '--json']);
    expect(JSON.parse(backup.stdout)).toMatchObject({ rows: 0 });
  });

  it('should give the 70 rows to fix, and load them once fixed, when the files were loaded by row', async () => {
    const load = await asUser(['load', DEPARTMENTS, JOBS, EMPLOYEES, '--reject-mode', 'row']);
    expect(load.code).toBe(1);
    const runId = /hr-migrate rejects (\d+) -o fix\.csv/.exec(load.stdout)?.[1];
    expect(runId).toMatch(/^\d+$/);

    const fix = join(work, 'fix.csv');
    const rejects = await asUser(['rejects', runId as string, '-o', fix]);
    expect(rejects).toMatchObject({ code: 0, stderr: `70 rows to fix written to ${fix}\n` });
    const lines = readFileSync(fix, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(70);

    writeFileSync(fix, `${lines.map(fillEmptyFields).join('\n')}\n`);
    const reload = await asUser(['load', fix, '--table', 'hired_employees']);
    expect(reload.code).toBe(0);
    expect(reload.stdout).toMatch(/\nhired_employees\s+fix\.csv\s+70\s+70\s+0\s/);
    const backup = await asUser(['backup', 'hired_employees', '--json']);
    expect(JSON.parse(backup.stdout)).toMatchObject({ rows: 1999 });

    const withReasons = await asUser(['rejects', runId as string, '--reasons']);
    expect(withReasons.stdout.split('\n')[0]).toBe('id,name,datetime,department_id,job_id,line,field,reason');
  });

  it('should stop at the limit with its reason, shown by load and by run, when --max-rejected is passed', async () => {
    const result = await asUser(['load', EMPLOYEES, '--reject-mode', 'row', '--max-rejected', '10']);
    expect(result.code).toBe(2);
    const runId = /The run (\d+) \(hired_employees\.csv\) failed: maxRejected=10 was reached/.exec(result.stdout)?.[1];
    expect(runId).toMatch(/^\d+$/);
    const run = await asUser(['run', runId as string]);
    expect(run.stdout).toContain('The run failed: maxRejected=10 was reached: batch 1 (lines 1-1000)');
  });

  it('should load in the one request, the lone file sent with its table, when --sync is given', async () => {
    const result = await asUser(['load', EMPLOYEES, '--reject-mode', 'row', '--sync']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nhired_employees\s+hired_employees\.csv\s+1,999\s+1,929\s+70\s/);
    expect(result.stderr).toContain('uploaded ');
    expect(result.stderr).not.toContain('loading hired_employees.csv');
  });

  it('should follow the run and show its progress by default', async () => {
    const result = await asUser(['load', EMPLOYEES, '--reject-mode', 'row']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('loading hired_employees.csv (');
    expect(result.stderr).toContain('hired_employees.csv: read 1,999, wrote 1,929, rejected 70 in ');
  });

  it('should answer a clear line for an unknown run and show each option with an example in the help', async () => {
    const missing = await asUser(['rejects', '999999']);
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'hr-migrate: There is no migration run 999999 (404 Not Found)\n',
    });
    const load = await asUser(['load', '--help']);
    expect(load.stdout).toMatch(/--dry-run\s+apply every rule/);
    expect(load.stdout).toMatch(/--max-rejected <n>\s+stop a file's run/);
    expect(load.stdout).toContain('hr-migrate load hired_employees.csv --max-rejected 10');
    const rejects = await asUser(['rejects', '--help']);
    expect(rejects.stdout).toContain('hr-migrate rejects 3 -o fix.csv');
  });
});
