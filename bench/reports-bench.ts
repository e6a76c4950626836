/**
 * Times both reports on MySQL/MariaDB with many generated employees and prints the query plans.
 * Not a test: it prints figures. Usage:
 *   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306 BENCH_EMPLOYEES=1000000 \
 *     node -r @swc-node/register bench/reports-bench.ts
 * The database `hr_bench_reports` is created (and filled) once, then reused by later runs.
 */
import 'reflect-metadata';
import { createConnection, type Connection } from 'mysql2/promise';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/config/app-config';
import { DataChangeService } from '../src/database/data-change.service';
import { yearRange } from '../src/reports/report-year';

const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 1_000_000);
const DATABASE = 'hr_bench_reports';
const DEPARTMENTS = 50;
const JOBS = 500;
const CHUNK = 5_000;
// Hires spread over 2020-2022, so a third of them fall in the year asked for.
const FROM = Date.UTC(2020, 0, 1);
const SPAN = Date.UTC(2023, 0, 1) - FROM;

function dbUrl(): string {
  const url = new URL(SERVER);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function fill(conn: Connection): Promise<void> {
  const [[{ n }]] = (await conn.query('SELECT COUNT(*) AS n FROM hired_employees')) as unknown as [{ n: number }[]];
  if (Number(n) === EMPLOYEES) return;
  console.log(`Generating ${EMPLOYEES} employees...`);
  await conn.query('DELETE FROM hired_employees');
  await conn.query('DELETE FROM jobs');
  await conn.query('DELETE FROM departments');
  const names = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, i) => [i + 1, `${i % 2 ? prefix : prefix.toLowerCase()} ${i + 1}`]);
  await conn.query('INSERT INTO departments (id, department) VALUES ?', [names(DEPARTMENTS, 'Department')]);
  await conn.query('INSERT INTO jobs (id, job) VALUES ?', [names(JOBS, 'Job')]);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let start = 0; start < EMPLOYEES; start += CHUNK) {
    const rows = [];
    for (let id = start + 1; id <= Math.min(start + CHUNK, EMPLOYEES); id += 1) {
      const at = new Date(FROM + Math.floor(random() * SPAN)).toISOString().replace('T', ' ').replace('Z', '');
      rows.push([
        id,
        `Employee ${id}`,
        at,
        1 + Math.floor(random() ** 2 * DEPARTMENTS),
        1 + Math.floor(random() * JOBS),
      ]);
    }
    await conn.query('INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES ?', [rows]);
  }
  await conn.query('ANALYZE TABLE hired_employees, departments, jobs');
}

async function time(url: string): Promise<{ ms: number; rows: number }> {
  const started = process.hrtime.bigint();
  const res = await fetch(url);
  const body = (await res.json()) as unknown[];
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: body.length };
}

async function main(): Promise<void> {
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DATABASE}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const config = new AppConfig(
    { type: 'mysql', url: dbUrl() },
    0,
    'bench-key-0123456789abcdef',
    false,
    '/tmp',
    1 << 30,
  );
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const conn = await createConnection({ uri: dbUrl() });
  const fillStarted = Date.now();
  await fill(conn);
  console.log(`Data ready in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const dataSource = app.get(DataSource);
  const [[version]] = (await conn.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
  const [[{ n }]] = (await conn.query(
    "SELECT COUNT(*) AS n FROM hired_employees WHERE datetime >= '2021-01-01' AND datetime < '2022-01-01'",
  )) as unknown as [{ n: number }[]];
  console.log(`${version.v}: ${EMPLOYEES} employees, ${n} in 2021, ${DEPARTMENTS} departments, ${JOBS} jobs`);

  for (const report of ['hires-by-quarter', 'departments-above-mean']) {
    const url = `${base}/reports/${report}?year=2021`;
    const first = await time(url);
    const cached = [];
    for (let i = 0; i < 20; i += 1) cached.push((await time(url)).ms);
    cached.sort((a, b) => a - b);
    const uncached = [];
    for (let i = 0; i < 5; i += 1) {
      app.get(DataChangeService).changed('hired_employees');
      uncached.push((await time(url)).ms);
    }
    uncached.sort((a, b) => a - b);
    console.log(
      `${report}: ${first.rows} rows; first ${first.ms.toFixed(0)} ms; uncached median ${uncached[2].toFixed(0)} ms; ` +
        `cached median ${cached[10].toFixed(1)} ms, max ${cached[19].toFixed(1)} ms`,
    );
  }
  await explain(dataSource);
  await conn.end();
  await app.close();
}

async function explain(dataSource: DataSource): Promise<void> {
  const range = yearRange(2021);
  const queries: [string, unknown[]][] = [
    ['hires-by-quarter', range.quarters.flat()],
    ['departments-above-mean', [range.start, range.end]],
  ];
  for (const [name, params] of queries) {
    const sql = readFileSync(join(__dirname, '..', 'src', 'reports', 'sql', `${name}.sql`), 'utf8');
    const plan: Record<string, unknown>[] = await dataSource.query(`EXPLAIN ${sql}`, params);
    console.log(`EXPLAIN ${name}`);
    console.table(
      plan.map(({ id, select_type, table, type, key, rows, Extra }) => ({
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
