import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { startServiceProcess, type CliResult, type ServiceProcess } from '../support/service-process';

const ROOT = join(__dirname, '..', '..');

jest.setTimeout(240_000);

/** `hr-migrate ...args` as a user runs it after a global install: found on PATH, run in `cwd`. */
function runInstalled(prefix: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  const PATH = [join(prefix, 'bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  const child = spawn('hr-migrate', args, { cwd, env: { ...process.env, HR_URL: '', API_KEY: '', ...env, PATH } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The CLI needs no database of its own: SQLite is enough for the service it talks to.
describe('hr-migrate installed globally (npm install -g .)', () => {
  let prefix: string;
  let elsewhere: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'hr-global-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'hr-elsewhere-'));
    const npm = spawnSync('npm', ['install', '-g', '.', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      env: {
        ...process.env,
        npm_config_prefix: prefix,
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
      },
      encoding: 'utf8',
    });
    if (npm.status !== 0) throw new Error(`npm install -g . failed:\n${npm.stderr}`);
    service = await startServiceProcess('sqlite');
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(prefix, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('should run from a folder outside the project and download a backup into that folder', async () => {
    const env = { HR_URL: service.url, API_KEY: service.apiKey };
    const made = await runInstalled(prefix, ['backup', 'departments', '--json'], elsewhere, env);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const { file } = JSON.parse(made.stdout) as { file: string };
    const download = await runInstalled(prefix, ['backups', 'departments', '--download', file], elsewhere, env);
    expect(download.code).toBe(0);
    expect(download.stdout).toContain(`to ${join(elsewhere, file)}`);
    expect(existsSync(join(elsewhere, file))).toBe(true);
  });
});
