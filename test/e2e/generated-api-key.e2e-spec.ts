import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServiceProcess } from '../support/service-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

jest.setTimeout(240_000);

/** The key printed at start: `API key (kept in <file>): <key>`. */
function printedKey(text: string): { file: string; key: string } | null {
  const match = /API key \(kept in (.+)\): (\S+)/.exec(text);
  return match ? { file: match[1], key: match[2] } : null;
}

// SQLite only: the key is kept beside the database file, which a test can put in a folder of its own.
describe('the generated API key of a service started without API_KEY', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('should keep the key in the data folder, print it on the console only, and reuse it after a restart', async () => {
    const first = await startServiceProcess('sqlite', { shared: db, env: { API_KEY: '', LOG_FORMAT: 'json' } });
    await first.stop();
    const printed = printedKey(first.stderr());
    expect(printed).not.toBeNull();
    const { file, key } = printed!;
    expect(file).toBe(join(dirname(db.url.slice('sqlite:'.length)), 'api-key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // stdout holds JSON log lines only, none of them with the key; one of them says where it is kept.
    const stdout = first.stdout().trim().split('\n');
    expect(stdout.filter((line) => !line.startsWith('{'))).toEqual([]);
    expect(stdout.filter((line) => line.includes(key))).toEqual([]);
    expect(stdout.some((line) => line.includes(`kept in ${file}`))).toBe(true);

    const again = await startServiceProcess('sqlite', { shared: db, env: { API_KEY: '', LOG_FORMAT: 'text' } });
    const backup = await fetch(`${again.url}/backup/departments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}` },
    });
    await backup.arrayBuffer();
    await again.stop();
    expect(backup.status).toBe(201);
    expect(printedKey(again.stdout())).toEqual({ file, key });
    expect(
      again
        .output()
        .split('\n')
        .filter((line) => line.includes(key) && /\[\w+\]/.test(line)),
    ).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });

  it('should refuse to start with the example key of .env.example', async () => {
    await expect(
      startServiceProcess('sqlite', { shared: db, env: { API_KEY: 'change-me-to-a-long-random-key' } }),
    ).rejects.toThrow(/API_KEY is the example of \.env\.example/);
  });
});
