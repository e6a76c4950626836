// better-sqlite3 against Node's built-in node:sqlite, with the service's statement shape: 1,000-row
// multi-row upserts of employees, one transaction per batch, then one grouped report query.
// Prints the CPU seconds of this process (wall time moves with whatever else the machine does).
// Usage: node -r @swc-node/register bench/sqlite-drivers.ts better|node [rows]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Statement {
  run(...values: unknown[]): unknown;
  all(...values: unknown[]): unknown[];
}
interface Database {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  close(): unknown;
}

async function open(driver: string, path: string): Promise<Database> {
  if (driver === 'better') {
    // better-sqlite3 ships no types of its own; typeorm only needs its constructor.
    const { default: BetterSqlite } = (await import('better-sqlite3' as string)) as {
      default: new (path: string) => Database;
    };
    return new BetterSqlite(path);
  }
  if (driver === 'node') {
    const { DatabaseSync } = await import('node:sqlite');
    return new DatabaseSync(path) as unknown as Database;
  }
  throw new Error('usage: sqlite-drivers.ts better|node [rows]');
}

async function main(): Promise<void> {
  const driver = process.argv[2] ?? '';
  const rows = Number(process.argv[3] ?? 1_000_000);
  const batch = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-drivers-'));
  const db = await open(driver, join(dir, 'bench.sqlite'));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL');
  db.exec('CREATE TABLE e (id INTEGER PRIMARY KEY, name TEXT, datetime TEXT, department_id INTEGER, job_id INTEGER)');
  db.exec('CREATE INDEX e_datetime ON e (datetime)');
  const values = Array.from({ length: batch }, () => '(?,?,?,?,?)').join(',');
  const upsert = db.prepare(
    `INSERT INTO e (id, name, datetime, department_id, job_id) VALUES ${values} ON CONFLICT (id) DO UPDATE SET ` +
      'name = excluded.name, datetime = excluded.datetime, department_id = excluded.department_id, job_id = excluded.job_id',
  );
  const loadStart = process.cpuUsage();
  for (let first = 1; first <= rows; first += batch) {
    const args: unknown[] = [];
    for (let id = first; id < first + batch; id++) {
      args.push(id, `Name ${id}`, `2021-0${1 + (id % 9)}-1${id % 10} 10:00:00.000`, 1 + (id % 12), 1 + (id % 180));
    }
    db.exec('BEGIN');
    upsert.run(...args);
    db.exec('COMMIT');
  }
  const load = process.cpuUsage(loadStart);
  const reportStart = process.cpuUsage();
  const groups = db
    .prepare("SELECT department_id, job_id, COUNT(*) AS n FROM e WHERE datetime >= '2021-01-01' GROUP BY 1, 2")
    .all().length;
  const report = process.cpuUsage(reportStart);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const seconds = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;
  console.log(
    `${driver} on node ${process.version}: load of ${rows} rows ${seconds(load).toFixed(2)} CPU s; ` +
      `report query ${(seconds(report) * 1000).toFixed(0)} CPU ms (${groups} groups)`,
  );
}

void main();
