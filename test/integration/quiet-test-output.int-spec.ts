import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs one test file with jest, as `npm test` would, and gives what it printed. */
function jest(file: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--runTestsByPath', file], {
    cwd: ROOT,
    env: { ...process.env, TEST_LOG: '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the output of the tests', () => {
  it('should hold no warning that a test provokes on purpose when TEST_LOG is unset', () => {
    const { status, output } = jest('src/database/batch-transaction.spec.ts');
    expect(status).toBe(0);
    expect(output).not.toContain('Lost the database connection');
    expect(output).not.toContain('INSERT INTO secret_table');
  });

  it('should show the warnings when TEST_LOG=1 asks for them', () => {
    const { status, output } = jest('src/database/batch-transaction.spec.ts', { TEST_LOG: '1' });
    expect(status).toBe(0);
    expect(output).toContain('Lost the database connection');
  });
});
