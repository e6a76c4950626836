import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { testEngines } from '../support/test-database';

jest.setTimeout(240_000);

describe.each(testEngines())('hr-migrate backups --download and --delete on %s', (engine) => {
  let service: ServiceProcess;
  let folder: string;
  let file: string;
  let asUser: (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    service = await startServiceProcess(engine);
    folder = mkdtempSync(join(tmpdir(), 'hr-cli-downloads-'));
    asUser = (args, env = { API_KEY: service.apiKey }) => runCli(args, { HR_URL: service.url, ...env }, folder);
    const made = await asUser(['backup', 'jobs', '--json']);
    file = JSON.parse(made.stdout).file;
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('should save the backup in the current folder, byte for byte, and say its sha256 matches', async () => {
    const result = await asUser(['backups', 'jobs', '--download', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const saved = readFileSync(join(folder, file));
    expect(saved.equals(readFileSync(join(service.backupDir, file)))).toBe(true);
    const sha256 = createHash('sha256').update(saved).digest('hex');
    expect(result.stdout).toContain(`its sha256 ${sha256} matches`);
  });

  it('should never replace a file of the same name in the current folder', async () => {
    writeFileSync(join(folder, file), 'mine');
    const result = await asUser(['backups', 'jobs', '--download', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already exists');
    expect(readFileSync(join(folder, file), 'utf8')).toBe('mine');
  });

  it("should exit 2 with the service's message when the backup does not exist", async () => {
    const result = await asUser(['backups', 'jobs', '--download', 'jobs-nothing.avro']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hr-migrate: There is no backup of jobs by that name.*\(404 Not Found\)\n$/);
    expect(existsSync(join(folder, 'jobs-nothing.avro'))).toBe(false);
  });

  it('should need the API key to delete a backup, and delete it with the key', async () => {
    const refused = await asUser(['backups', 'jobs', '--delete', file], { API_KEY: '' });
    expect(refused.code).toBe(2);
    expect(existsSync(join(service.backupDir, file))).toBe(true);
    const result = await asUser(['backups', 'jobs', '--delete', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Deleted ${file}\n`);
    expect(existsSync(join(service.backupDir, file))).toBe(false);
    const list = await asUser(['backups', 'jobs']);
    expect(list.stdout).toContain('No backups of jobs yet');
  });

  it('should refuse --download and --delete together', async () => {
    const result = await asUser(['backups', 'jobs', '--download', 'a', '--delete', 'b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --download or --delete, not both');
  });
});
