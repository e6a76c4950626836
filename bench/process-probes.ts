/**
 * What the bench reads about processes: CPU seconds from /proc, the local database server's process
 * id, and CPU profiles taken through the inspector protocol (Profiler.start / Profiler.stop), so that
 * a profile covers one step, not the whole life of the process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User plus system CPU seconds a process has used so far, or undefined when it cannot be read. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** The CPU seconds each process spends during `fn`. */
export async function withCpu<T>(
  pids: Record<string, number | undefined>,
  fn: () => Promise<T>,
): Promise<{ result: T; seconds: number; cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const start = process.hrtime.bigint();
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu: Record<string, number> = {};
  for (const [k, pid] of Object.entries(pids)) {
    const after = cpuSeconds(pid);
    const was = before[k];
    if (after !== undefined && was !== undefined) cpu[k] = Math.round((after - was) * 100) / 100;
  }
  return { result, seconds, cpu };
}

/**
 * The process id of the database server when it runs on this machine: MariaDB and MySQL name their
 * pid file in @@pid_file. Undefined for a remote server or an unreadable file.
 */
export function localServerPid(host: string, pidFile: string | undefined): number | undefined {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || !pidFile) return undefined;
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && cpuSeconds(pid) !== undefined ? pid : undefined;
  } catch {
    return undefined;
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** A connection to a process's inspector (node --inspect), for CPU profiles of single steps. */
export class Inspector {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) this.waiting.get(message.id)?.(message);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    const inspector = new Inspector(socket);
    await inspector.send('Profiler.enable');
    return inspector;
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (message) => {
        this.waiting.delete(id);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result);
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Runs `fn` under the profiler; writes `<dir>/<name>.cpuprofile` and returns its top functions. */
  async profile<T>(dir: string, name: string, fn: () => Promise<T>): Promise<{ result: T; top: string[] }> {
    await this.send('Profiler.start');
    const result = await fn();
    const { profile } = (await this.send('Profiler.stop')) as { profile: Profile };
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return { result, top: topOfProfile(profile) };
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * The functions with the most self time, as lines "12.3%  1.23 s  name (file:line)". Each sample
 * counts for the time until the next one: V8 sometimes records runs of samples microseconds apart
 * (hundreds in a row, in one function), which counted one by one would make that function look
 * like the busiest.
 */
export function topOfProfile(profile: Profile, count = 15): string[] {
  const total = (profile.endTime - profile.startTime) / 1e6;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const micros = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    micros.set(samples[i], (micros.get(samples[i]) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const sampled = [...micros.values()].reduce((a, b) => a + b, 0);
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(node_modules\/|dist\/)/, '$1');
    const name = `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + (micros.get(node.id) ?? 0));
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => {
      const share = sampled > 0 ? n / sampled : 0;
      return `${(share * 100).toFixed(1).padStart(5)}%  ${(share * total).toFixed(2).padStart(6)} s  ${name}`;
    });
}
