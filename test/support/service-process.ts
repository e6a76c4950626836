import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type Engine, type TestDatabase } from './test-database';

const ROOT = join(__dirname, '..', '..');

export interface ServiceProcess {
  url: string;
  apiKey: string;
  backupDir: string;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  /** What it wrote to stdout alone, and to stderr alone. */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` to the process (SIGKILL to kill it, SIGSTOP and SIGCONT to pause it). */
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The real service in its own process on a throwaway database, answering /health. */
export async function startServiceProcess(
  engine: Engine,
  options: { shared?: TestDatabase; env?: Record<string, string>; backupDir?: string } = {},
): Promise<ServiceProcess> {
  const { shared, env: extraEnv = {} } = options;
  const db = shared ?? (await createTestDatabase(engine));
  const backupDir = options.backupDir ?? mkdtempSync(join(tmpdir(), 'hr-cli-backups-'));
  const port = await freePort();
  const apiKey = 'cli-e2e-key-0123456789abcdef';
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(port),
    API_KEY: apiKey,
    BACKUP_DIR: backupDir,
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env });
  let log = '';
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, () => log);
  } catch (error) {
    await stopChild(child);
    if (!shared) await db.drop();
    throw error;
  }
  return {
    url,
    apiKey,
    backupDir,
    output: () => log,
    stdout: () => stdout,
    stderr: () => stderr,
    signal: (signal) => void child.kill(signal),
    stop: async () => {
      // A paused process could not stop.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChild(child);
      if (!shared) await db.drop();
      if (options.backupDir === undefined) rmSync(backupDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${log()}`);
    const healthy = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the service did not answer /health in time:\n${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `node bin/hr-migrate.js ...args` from the TypeScript source, as a user would run it (in `cwd`). */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const childEnv = { ...process.env, HR_URL: '', API_KEY: '', ...env, HR_MIGRATE_FROM_SOURCE: '1' };
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'hr-migrate.js'), ...args], { cwd, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
