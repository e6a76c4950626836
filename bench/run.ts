/**
 * The benchmark: loads N synthetic employees (default 1,000,000) through the service on MariaDB and
 * through MariaDB's own LOAD DATA LOCAL INFILE, then measures backup, restore and the reports.
 * Prints a table and writes bench/results/latest.json. Run with `npm run bench`.
 *   BENCH_ROWS=1000000  BENCH_BIG_ROWS=5000000 (0 to skip)  BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306
 *   BENCH_PLAIN_MALLOC=1: the service with glibc's malloc defaults instead of the Docker image's setting
 *   BENCH_ENGINE=postgres: the PostgreSQL figures instead (bench/postgres-bench.ts)
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { generateData, type GeneratedFiles } from './generate-data';
import { runPostgresBench } from './postgres-bench';
import { ServiceProcess } from './service-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 5_000_000);
const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DATA_DIR = join(__dirname, 'data');
const RESULTS_DIR = join(__dirname, 'results');

type Figures = Record<string, unknown>;

async function createDatabase(name: string): Promise<string> {
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
}

/** The server settings that weigh most on commits and inserts; the service never changes them. */
async function serverSettings(): Promise<Figures> {
  const admin = await createConnection({ uri: SERVER });
  const [rows] = await admin.query(
    `SHOW VARIABLES WHERE Variable_name IN ('version', 'innodb_flush_log_at_trx_commit', 'innodb_buffer_pool_size',
      'innodb_doublewrite', 'log_bin', 'sync_binlog', 'max_allowed_packet')`,
  );
  await admin.end();
  return Object.fromEntries(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** LOAD DATA LOCAL INFILE of the valid rows into the same schema, made by the service's schema migrations. */
async function loadDataBaseline(files: GeneratedFiles, backupDir: string): Promise<Figures> {
  const url = await createDatabase('bench_load_data');
  const service = await ServiceProcess.start(url, backupDir);
  await service.migrate([files.departments, files.jobs], {});
  await service.stop();
  const conn = await createConnection({ uri: url, flags: ['+LOCAL_FILES'] });
  const { seconds } = await timed(() =>
    conn.query({
      sql: `LOAD DATA LOCAL INFILE 'hired_employees.csv' INTO TABLE hired_employees
            FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\r\\n'
            (id, name, @dt, department_id, job_id)
            SET datetime = STR_TO_DATE(@dt, '%Y-%m-%dT%H:%i:%sZ')`,
      infileStreamFactory: () => createReadStream(files.validEmployees),
    }),
  );
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM hired_employees');
  await conn.end();
  await dropDatabase('bench_load_data');
  const loaded = Number((rows as { n: number }[])[0].n);
  return { rows: loaded, seconds: round(seconds), rowsPerSecond: Math.round(loaded / seconds) };
}

/** Loads the CSV through POST /migrate on a fresh database; returns the service, still running. */
async function loadThroughService(
  name: string,
  files: GeneratedFiles,
  rejectMode: 'row' | 'batch',
  backupDir: string,
): Promise<{ figures: Figures; service: ServiceProcess; url: string }> {
  const url = await createDatabase(name);
  const service = await ServiceProcess.start(url, backupDir);
  await service.migrate([files.departments, files.jobs], {});
  service.resetPeakMemory();
  const { result, seconds } = await timed(() => service.migrate([files.employees], { batchSize: '1000', rejectMode }));
  const run = result[0];
  return {
    service,
    url,
    figures: {
      rejectMode,
      rowsRead: run.rowsRead,
      rowsInserted: run.rowsInserted,
      rowsRejected: run.rowsRejected,
      seconds: round(seconds),
      rowsPerSecond: Math.round(Number(run.rowsRead) / seconds),
      peakMemoryMb: service.peakMemoryMb(),
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function reportLatency(service: ServiceProcess, repeats = 50): Promise<Figures> {
  const out: Figures = {};
  for (const report of ['hires-by-quarter', 'departments-above-mean']) {
    const url = `${service.url}/reports/${report}?year=2021`;
    const first = await timed(async () => (await fetch(url)).arrayBuffer());
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push((await timed(async () => (await fetch(url)).arrayBuffer())).seconds);
    times.sort((a, b) => a - b);
    out[report] = {
      firstMs: round(first.seconds * 1000, 1),
      medianMs: round(percentile(times, 50) * 1000, 2),
      p95Ms: round(percentile(times, 95) * 1000, 2),
    };
  }
  return out;
}

async function throughput(service: ServiceProcess): Promise<Figures> {
  // autocannon is CommonJS without types of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (
    opts: object,
  ) => Promise<{ requests: { average: number }; non2xx: number }>;
  const result = await autocannon({
    url: `${service.url}/reports/departments-above-mean?year=2021`,
    connections: 20,
    duration: 10,
  });
  return {
    endpoint: '/reports/departments-above-mean',
    requestsPerSecond: Math.round(result.requests.average),
    non2xx: result.non2xx,
  };
}

async function backupAndRestore(service: ServiceProcess, databaseUrl: string, rows: number): Promise<Figures> {
  service.resetPeakMemory();
  const backup = await timed(() => service.post('/backup/hired_employees'));
  const backupMemory = service.peakMemoryMb();
  service.resetPeakMemory();
  const restore = await timed(() => service.post('/restore/hired_employees', { file: backup.result.file }));
  const restoreMemory = service.peakMemoryMb();
  // Every row written again: the table emptied (TRUNCATE, so that no purge of deleted rows runs meanwhile).
  const conn = await createConnection({ uri: databaseUrl });
  await conn.query('TRUNCATE TABLE hired_employees');
  await conn.end();
  service.resetPeakMemory();
  const restoreEmpty = await timed(() => service.post('/restore/hired_employees', { file: backup.result.file }));
  return {
    backup: {
      rows,
      seconds: round(backup.seconds),
      rowsPerSecond: Math.round(rows / backup.seconds),
      bytes: backup.result.bytes,
      peakMemoryMb: backupMemory,
    },
    restore: {
      rows: restore.result.rowsRestored,
      seconds: round(restore.seconds),
      rowsPerSecond: Math.round(rows / restore.seconds),
      peakMemoryMb: restoreMemory,
    },
    restoreIntoEmptyTable: {
      rows: restoreEmpty.result.rowsRestored,
      seconds: round(restoreEmpty.seconds),
      rowsPerSecond: Math.round(rows / restoreEmpty.seconds),
      peakMemoryMb: service.peakMemoryMb(),
    },
  };
}

/** The figures as docs/performance.md shows them. */
function printTables(f: Figures): void {
  type Step = { seconds: number; rowsPerSecond: number; peakMemoryMb?: number; rows?: number; rowsRead?: number };
  type Latency = Record<string, { firstMs: number; medianMs: number; p95Ms: number }>;
  const n = (x: number) => x.toLocaleString('en');
  const rows: [string, Step | undefined][] = [
    ['LOAD DATA LOCAL INFILE (valid rows)', f.loadData as Step],
    ['POST /migrate, rejectMode=row', f.migrateRow as Step],
    ['POST /migrate, rejectMode=batch', f.migrateBatch as Step],
    ['backup (AVRO)', f.backup as Step],
    ['restore over the same rows', f.restore as Step],
    ['restore into the emptied table', f.restoreIntoEmptyTable as Step],
    [`POST /migrate, rejectMode=row, ${n(BIG_ROWS)} rows`, f.migrateBig as Step | undefined],
  ];
  console.log('\n| step | time | rows/s | peak memory |\n| --- | --- | --- | --- |');
  for (const [label, step] of rows) {
    if (!step) continue;
    const memory = step.peakMemoryMb === undefined ? '—' : `${step.peakMemoryMb} MB`;
    console.log(`| ${label} | ${step.seconds} s | ${n(step.rowsPerSecond)} | ${memory} |`);
  }
  console.log(`\nLoad through the service: ${f.ratioToLoadData as number}× the LOAD DATA time.`);
  const big = f.migrateBig as Step | undefined;
  const one = (f.migrateRow as Step).peakMemoryMb;
  if (big?.peakMemoryMb !== undefined && one) {
    const change = Math.round((big.peakMemoryMb / one - 1) * 100);
    console.log(
      `Peak memory at ${n(BIG_ROWS)} rows: ${change >= 0 ? '+' : ''}${change}% of the ${n(ROWS)}-row load's.`,
    );
  }
  console.log(`Service malloc: ${f.serviceMalloc as string}.`);
  console.log('\n| report | first request | median | p95 |\n| --- | --- | --- | --- |');
  for (const [size, key] of [
    ['100k', 'reports100k'],
    [n(ROWS), 'reports'],
  ]) {
    for (const [report, l] of Object.entries(f[key] as Latency)) {
      console.log(`| ${report}, ${size} rows | ${l.firstMs} ms | ${l.medianMs} ms | ${l.p95Ms} ms |`);
    }
  }
  const throughput = f.throughput as { requestsPerSecond: number };
  console.log(`\nCached report under load (20 connections, 10 s): ${n(throughput.requestsPerSecond)} requests/s.`);
}

async function main(): Promise<void> {
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-bench-backups-'));
  const figures: Figures = {
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    rows: ROWS,
    date: new Date().toISOString(),
    serviceMalloc: process.env.BENCH_PLAIN_MALLOC ? 'glibc defaults' : 'MALLOC_MMAP_THRESHOLD_=65536',
    server: await serverSettings(),
  };
  console.log(`Generating ${ROWS.toLocaleString('en')} employees (about 3% defective) in ${DATA_DIR}`);
  const files = await generateData(DATA_DIR, ROWS);

  console.log('LOAD DATA LOCAL INFILE baseline');
  figures.loadData = await loadDataBaseline(files, backupDir);

  console.log('Reports at 100,000 rows');
  const small = await generateData(join(DATA_DIR, 'small'), 100_000);
  const smallRun = await loadThroughService('bench_small', small, 'row', backupDir);
  figures.reports100k = await reportLatency(smallRun.service);
  await smallRun.service.stop();
  await dropDatabase('bench_small');

  console.log('POST /migrate, rejectMode=batch');
  const batchRun = await loadThroughService('bench_batch', files, 'batch', backupDir);
  figures.migrateBatch = batchRun.figures;
  await batchRun.service.stop();
  await dropDatabase('bench_batch');

  console.log('POST /migrate, rejectMode=row');
  const rowRun = await loadThroughService('bench_row', files, 'row', backupDir);
  figures.migrateRow = rowRun.figures;
  const loadData = figures.loadData as { seconds: number };
  figures.ratioToLoadData = round((rowRun.figures.seconds as number) / loadData.seconds);

  console.log('Reports at full size, then backup and restore');
  figures.reports = await reportLatency(rowRun.service);
  figures.throughput = await throughput(rowRun.service);
  Object.assign(figures, await backupAndRestore(rowRun.service, rowRun.url, Number(rowRun.figures.rowsInserted)));
  await rowRun.service.stop();
  await dropDatabase('bench_row');

  if (BIG_ROWS > 0) {
    console.log(`Memory at ${BIG_ROWS.toLocaleString('en')} rows`);
    const big = await generateData(join(DATA_DIR, 'big'), BIG_ROWS);
    const bigRun = await loadThroughService('bench_big', big, 'row', backupDir);
    figures.migrateBig = bigRun.figures;
    await bigRun.service.stop();
    await dropDatabase('bench_big');
  }
  rmSync(backupDir, { recursive: true, force: true });

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
  printTables(figures);
  console.log(`\nFigures written to ${join(RESULTS_DIR, 'latest.json')}`);
}

(process.env.BENCH_ENGINE === 'postgres' ? runPostgresBench() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
