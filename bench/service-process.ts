import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NODE_OPTIONS } from '../src/heap-policy';

export const BENCH_KEY = 'bench-api-key-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The compiled service in its own process, so that its memory can be read from /proc. */
export class ServiceProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The inspector's port when the service was started with one (for CPU profiles of single steps). */
    readonly inspectorPort?: number,
  ) {}

  /** Every service started and not yet stopped, for the bench to stop when it fails. */
  private static readonly running = new Set<ServiceProcess>();

  static async stopAll(): Promise<void> {
    await Promise.all([...ServiceProcess.running].map((service) => service.stop()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `inspect`: listen for the inspector protocol on a free local port (the bench's --cpu-prof). */
  static async start(databaseUrl: string, backupDir: string, inspect = false): Promise<ServiceProcess> {
    const port = await freePort();
    const inspectorPort = inspect ? await freePort() : undefined;
    // BENCH_SERVICE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the service;
    // BENCH_SERVICE_STDOUT=1 shows its standard output (where --trace-gc writes).
    // The options `npm start` gives node first: a flag given again later wins.
    const nodeArgs = [
      ...SERVICE_NODE_OPTIONS,
      ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ];
    if (inspectorPort) nodeArgs.push(`--inspect=127.0.0.1:${inspectorPort}`);
    // With the Docker image's malloc setting; BENCH_PLAIN_MALLOC=1 measures with glibc's defaults.
    const runtime = process.env.BENCH_PLAIN_MALLOC ? process.env : { MALLOC_MMAP_THRESHOLD_: '65536', ...process.env };
    // BENCH_SERVICE_MAIN: another build's dist/main.js (another commit checked out beside this one).
    const main = process.env.BENCH_SERVICE_MAIN ?? join(__dirname, '..', 'dist', 'main.js');
    const child = spawn(process.execPath, [...nodeArgs, main], {
      env: { ...runtime, DATABASE_URL: databaseUrl, PORT: String(port), API_KEY: BENCH_KEY, BACKUP_DIR: backupDir },
      stdio: ['ignore', process.env.BENCH_SERVICE_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`, inspectorPort);
    ServiceProcess.running.add(service);
    // A busy machine can take long to start the service: BENCH_START_SECONDS, default 120.
    const seconds = Number(process.env.BENCH_START_SECONDS ?? 120);
    for (let i = 0; i < seconds * 4; i++) {
      if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
      try {
        if ((await fetch(`${service.url}/health`)).ok) return service;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await service.stop();
    throw new Error(`the service did not answer /health within ${seconds} s`);
  }

  /** Resets the peak resident memory (VmHWM) so that the next reading covers one step only. */
  resetPeakMemory(): void {
    writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
  }

  /** Peak resident memory since the last reset, in MB. */
  peakMemoryMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  }

  async post(path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BENCH_KEY}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  }

  /** Uploads files to POST /migrate, streamed from disk. */
  async migrate(files: string[], options: Record<string, string>): Promise<Record<string, unknown>[]> {
    const { openAsBlob } = await import('node:fs');
    const form = new FormData();
    for (const [key, value] of Object.entries(options)) form.append(key, value);
    for (const file of files) form.append('file', await openAsBlob(file), file.split('/').pop());
    const res = await fetch(`${this.url}/migrate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BENCH_KEY}` },
      body: form,
    });
    const json = (await res.json()) as { runs?: Record<string, unknown>[] };
    if (!res.ok || !json.runs) throw new Error(`POST /migrate answered ${res.status}: ${JSON.stringify(json)}`);
    return json.runs;
  }

  async stop(): Promise<void> {
    ServiceProcess.running.delete(this);
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
