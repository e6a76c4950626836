import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUpload, waitFor } from '../support/hr-files';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** A process id that no process has: the highest possible one, past pid_max. */
const GONE_PID = 4_194_305;

describe.each(testEngines())('the upload spool on %s', (engine) => {
  let t: TestApp;
  let spoolDir: string;
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');

  beforeAll(async () => {
    spoolDir = mkdtempSync(join(tmpdir(), 'hr-spool-test-'));
    for (const name of [`upload-${host}-${GONE_PID}-abc123`, `upload-another-host-${GONE_PID}-abc123`]) {
      mkdirSync(join(spoolDir, name));
      writeFileSync(join(spoolDir, name, 'departments.csv'), '1,Left over\n');
    }
    writeFileSync(join(spoolDir, 'notes.txt'), 'not an upload');
    t = await startTestApp(engine, { spoolDir });
    await t.app.listen(0);
  });
  afterAll(async () => t?.close());

  it('should remove the uploads a stopped process of this host spooled when the service starts', () => {
    expect(existsSync(join(spoolDir, `upload-${host}-${GONE_PID}-abc123`))).toBe(false);
    expect(existsSync(join(spoolDir, `upload-another-host-${GONE_PID}-abc123`))).toBe(true);
    expect(existsSync(join(spoolDir, 'notes.txt'))).toBe(true);
  });

  it('should spool an async upload in the spool folder while it arrives and remove it once loaded', async () => {
    const url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const before = new Set(readdirSync(spoolDir));
    const upload = openUpload(url, TEST_API_KEY, 'departments', '1,Spooled\n', '/migrate?async=true');
    const folder = await waitFor('a spool folder of the upload', async () =>
      readdirSync(spoolDir).find((name) => !before.has(name) && readdirSync(join(spoolDir, name)).length > 0),
    );
    expect(folder).toMatch(new RegExp(`^upload-${host}-${process.pid}-`));
    const answer = await upload.finish('2,Also spooled\n');
    expect(answer.status).toBe(202);
    await waitFor('the spool folder to go', async () => !existsSync(join(spoolDir, folder)));
    const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM departments');
    expect(Number(row.n)).toBe(2);
  });
});
