/**
 * Times both reports with many generated employees and prints the query plans. Not a test: it prints
 * figures. The database is filled once, then reused by later runs. Usage:
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/hr_bench_reports BENCH_EMPLOYEES=1000000 \
 *     node -r @swc-node/register bench/reports-bench.ts
 *   BENCH_DATABASE_URL=sqlite:bench/data/reports.sqlite node -r @swc-node/register bench/reports-bench.ts
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { AppConfig, type DatabaseConfig } from '../src/config/app-config';
import { DataChangeService } from '../src/database/data-change.service';
import { yearRange } from '../src/reports/report-year';
import { ReportsRepository } from '../src/reports/reports.repository';

const URL_TEXT = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/hr_bench_reports';
const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 1_000_000);
const DEPARTMENTS = 50;
const JOBS = 500;
const CHUNK = 5_000;
// Hires spread over 2020-2022, so a third of them fall in the year asked for.
const FROM = Date.UTC(2020, 0, 1);
const SPAN = Date.UTC(2023, 0, 1) - FROM;

async function databaseConfig(): Promise<DatabaseConfig> {
  if (URL_TEXT.startsWith('sqlite:')) return { type: 'sqlite', path: URL_TEXT.slice('sqlite:'.length) };
  const url = new URL(URL_TEXT);
  const name = url.pathname.slice(1);
  url.pathname = '';
  const admin = await createConnection({ uri: url.toString() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  return { type: 'mysql', url: URL_TEXT };
}

async function insert(db: DataSource, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  await db.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`,
    rows.flat(),
  );
}

async function fill(db: DataSource): Promise<void> {
  const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM hired_employees');
  if (Number(n) === EMPLOYEES) return;
  console.log(`Generating ${EMPLOYEES} employees...`);
  for (const table of ['hired_employees', 'jobs', 'departments']) await db.query(`DELETE FROM ${table}`);
  const names = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, i) => [i + 1, `${i % 2 ? prefix : prefix.toLowerCase()} ${i + 1}`]);
  await insert(db, 'departments', ['id', 'department'], names(DEPARTMENTS, 'Department'));
  await insert(db, 'jobs', ['id', 'job'], names(JOBS, 'Job'));
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let start = 0; start < EMPLOYEES; start += CHUNK) {
    const rows = [];
    for (let id = start + 1; id <= Math.min(start + CHUNK, EMPLOYEES); id += 1) {
      const at = new Date(FROM + Math.floor(random() * SPAN)).toISOString().replace('T', ' ').replace('Z', '');
      const department = 1 + Math.floor(random() ** 2 * DEPARTMENTS);
      rows.push([id, `Employee ${id}`, at, department, 1 + Math.floor(random() * JOBS)]);
    }
    await insert(db, 'hired_employees', ['id', 'name', 'datetime', 'department_id', 'job_id'], rows);
  }
}

/** Timed by curl in its own process, so the client's work does not share the service's event loop. */
async function time(url: string): Promise<{ ms: number; bytes: number }> {
  const format = '%{http_code} %{time_total} %{size_download}';
  const { stdout } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', format, url]);
  const [status, seconds, bytes] = stdout.trim().split(' ');
  if (status !== '200') throw new Error(`${url}: ${status}`);
  return { ms: Number(seconds) * 1000, bytes: Number(bytes) };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeHttp(base: string, changes: DataChangeService): Promise<void> {
  for (const report of ['hires-by-quarter', 'departments-above-mean']) {
    const url = `${base}/reports/${report}?year=2021`;
    const first = await time(url);
    const cached = [];
    for (let i = 0; i < 20; i += 1) cached.push((await time(url)).ms);
    const uncached = [];
    for (let i = 0; i < 5; i += 1) {
      changes.changed('hired_employees');
      uncached.push((await time(url)).ms);
    }
    console.log(
      `HTTP ${report} (${first.bytes} bytes): first ${first.ms.toFixed(0)} ms, uncached median ` +
        `${median(uncached).toFixed(0)} ms, cached median ${median(cached).toFixed(1)} ms, max ${Math.max(...cached).toFixed(1)} ms`,
    );
  }
}

async function timeQueries(repository: ReportsRepository): Promise<void> {
  const range = yearRange(2021);
  const runs: [string, () => Promise<unknown[]>][] = [
    ['hires-by-quarter', () => repository.countHiresByQuarter(range)],
    ['departments-above-mean', () => repository.findDepartmentsAboveMean(range)],
  ];
  for (const [name, run] of runs) {
    const times = [];
    for (let i = 0; i < 5; i += 1) {
      const started = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    console.log(
      `Query ${name} with row mapping: median ${median(times).toFixed(0)} ms, best ${Math.min(...times).toFixed(0)} ms`,
    );
  }
}

async function explain(db: DataSource, sqlite: boolean): Promise<void> {
  const range = yearRange(2021);
  const queries: [string, unknown[]][] = [
    ['hires-by-quarter', range.quarters.flat()],
    ['departments-above-mean', [range.start, range.end]],
  ];
  for (const [name, params] of queries) {
    const sql = readFileSync(join(__dirname, '..', 'src', 'reports', 'sql', `${name}.sql`), 'utf8');
    const plan: Record<string, unknown>[] = await db.query(
      `${sqlite ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${sql}`,
      params,
    );
    console.log(`EXPLAIN ${name}`);
    console.table(
      sqlite
        ? plan.map(({ detail }) => ({ detail }))
        : plan.map(({ id, select_type, table, type, key, rows, Extra }) => ({
            id,
            select_type,
            table,
            type,
            key,
            rows,
            Extra,
          })),
    );
  }
}

async function main(): Promise<void> {
  const database = await databaseConfig();
  const config = new AppConfig({
    database,
    port: 0,
    apiKey: 'bench-key-0123456789abcdef',
    backupDir: '/tmp',
    rateLimitPerMinute: 0,
  });
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const db = app.get(DataSource);
  const started = Date.now();
  await fill(db);
  console.log(`Data ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const [{ n }] = await db.query(
    "SELECT COUNT(*) AS n FROM hired_employees WHERE datetime >= '2021-01-01 00:00:00' AND datetime < '2022-01-01 00:00:00'",
  );
  console.log(`${database.type}: ${EMPLOYEES} employees, ${n} in 2021, ${DEPARTMENTS} departments, ${JOBS} jobs`);
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  await timeHttp(base, app.get(DataChangeService));
  await timeQueries(app.get(ReportsRepository));
  await explain(db, database.type === 'sqlite');
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
