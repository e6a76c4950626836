/**
 * The benchmark: loads N synthetic employees (default 1,000,000) through the service on MariaDB and
 * through MariaDB's own LOAD DATA LOCAL INFILE, alternately, then measures backup, restore and the
 * reports, and the service's load on SQLite against the sqlite3 command line's .import.
 * Prints tables and writes bench/results/latest.json. Run with `npm run bench [-- --cpu-prof]`.
 *   BENCH_ROWS=1000000  BENCH_BIG_ROWS=5000000 (0 to skip)  BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306
 *   BENCH_PAIRS=3: LOAD DATA and the service's load, alternately, each into the emptied table
 *   --cpu-prof or BENCH_CPU_PROF=1: CPU profiles of the service's steps in BENCH_CPU_PROF_DIR
 *     (default bench/results/profiles), and the top of each printed
 *   BENCH_SQLITE=0 skips the SQLite comparison, BENCH_SQLITE=only runs it alone; BENCH_REPORTS=0 skips the reports
 *   BENCH_PLAIN_MALLOC=1: the service with glibc's malloc defaults instead of the Docker image's setting
 *   BENCH_SERVICE_MAIN=/path/to/other/dist/main.js: measure another build (a commit checked out beside)
 *   BENCH_OTHER_MAIN=/path/to/other/dist/main.js: also the cached report of that build and this one, in
 *     turns (bench/side-by-side.ts, BENCH_ROUNDS rounds)
 *   BENCH_ENGINE=postgres: the PostgreSQL figures instead (bench/postgres-bench.ts)
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createConnection } from 'mysql2/promise';
import { SQLITE_CHECKPOINT_PAGES } from '../src/database/data-source';
import { generateData, type GeneratedFiles } from './generate-data';
import { runPostgresBench } from './postgres-bench';
import { Inspector, localServerPid, withCpu } from './process-probes';
import { ServiceProcess } from './service-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 5_000_000);
const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DATA_DIR = join(__dirname, 'data');
const RESULTS_DIR = join(__dirname, 'results');
const CPU_PROF = process.argv.includes('--cpu-prof') || process.env.BENCH_CPU_PROF === '1';
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR ?? join(RESULTS_DIR, 'profiles');
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SQLITE = process.env.BENCH_SQLITE !== '0';
const ONLY_SQLITE = process.env.BENCH_SQLITE === 'only';
const REPORTS = process.env.BENCH_REPORTS !== '0';
const OTHER_MAIN = process.env.BENCH_OTHER_MAIN;

type Figures = Record<string, unknown>;

/** Databases of this run carry its process id: benches run side by side on one server must not meet. */
const dbName = (name: string) => `${name}_${process.pid}`;

async function createDatabase(base: string): Promise<string> {
  const name = dbName(base);
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(base: string): Promise<void> {
  const name = dbName(base);
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
}

/** The server settings that weigh most on commits and inserts; the service never changes them. */
async function serverSettings(): Promise<Figures> {
  const admin = await createConnection({ uri: SERVER });
  const [rows] = await admin.query(
    `SHOW VARIABLES WHERE Variable_name IN ('version', 'innodb_flush_log_at_trx_commit', 'innodb_buffer_pool_size',
      'innodb_doublewrite', 'log_bin', 'sync_binlog', 'max_allowed_packet', 'pid_file')`,
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

/** The bench's own processes to watch: the service and, when it runs here, the database server. */
type Pids = Record<string, number | undefined>;

interface Step extends Figures {
  seconds: number;
  cpu: Record<string, number>;
}

/** LOAD DATA LOCAL INFILE of the valid rows into the emptied hired_employees of `url`. */
async function loadDataInto(url: string, files: GeneratedFiles, pids: Pids): Promise<Step> {
  const conn = await createConnection({ uri: url, flags: ['+LOCAL_FILES'] });
  await conn.query('TRUNCATE TABLE hired_employees');
  const { seconds, cpu } = await withCpu(pids, () =>
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
  const loaded = Number((rows as { n: number }[])[0].n);
  return { rows: loaded, seconds: round(seconds), rowsPerSecond: Math.round(loaded / seconds), cpu };
}

async function truncate(url: string, table: string): Promise<void> {
  const conn = await createConnection({ uri: url });
  await conn.query(`TRUNCATE TABLE ${table}`);
  await conn.end();
}

/** Runs `fn` measuring CPU seconds and, with --cpu-prof, under the service's profiler. */
async function step<T>(
  service: ServiceProcess,
  pids: Pids,
  profileName: string,
  fn: () => Promise<T>,
): Promise<{ result: T; seconds: number; cpu: Record<string, number>; top?: string[] }> {
  if (!CPU_PROF || !service.inspectorPort) return withCpu(pids, fn);
  const inspector = await Inspector.connect(service.inspectorPort);
  try {
    let top: string[] = [];
    const measured = await withCpu(pids, async () => {
      const profiled = await inspector.profile(PROFILE_DIR, profileName, fn);
      top = profiled.top;
      return profiled.result;
    });
    return { ...measured, top };
  } finally {
    inspector.close();
  }
}

/** A service on a fresh database `name` with the departments and jobs loaded. */
async function startService(name: string, files: GeneratedFiles, backupDir: string) {
  const url = await createDatabase(name);
  const service = await ServiceProcess.start(url, backupDir, CPU_PROF);
  await service.migrate([files.departments, files.jobs], {});
  return { service, url };
}

/** Loads the employees CSV through POST /migrate into the emptied table. */
async function loadThroughService(
  service: ServiceProcess,
  url: string,
  files: GeneratedFiles,
  rejectMode: 'row' | 'batch',
  pids: Pids,
  profileName: string,
): Promise<Step> {
  await truncate(url, 'hired_employees');
  service.resetPeakMemory();
  const { result, seconds, cpu, top } = await step(service, pids, profileName, () =>
    service.migrate([files.employees], { batchSize: '1000', rejectMode }),
  );
  const run = result[0];
  return {
    rejectMode,
    rowsRead: run.rowsRead,
    rowsInserted: run.rowsInserted,
    rowsRejected: run.rowsRejected,
    seconds: round(seconds),
    rowsPerSecond: Math.round(Number(run.rowsRead) / seconds),
    peakMemoryMb: service.peakMemoryMb(),
    cpu,
    ...(top ? { profileTop: top } : {}),
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

/**
 * The cached report of this build and of the build at BENCH_OTHER_MAIN, in turns on one machine
 * (`bench/side-by-side.ts` with `BENCH_STEPS=reports`): the medians of its rounds.
 */
async function reportsBeside(): Promise<Figures> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'side-by-side.ts')], {
      env: { ...process.env, BENCH_STEPS: 'reports', BENCH_ROWS: String(ROWS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      process.stdout.write(chunk.replace(/^/gm, '  '));
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`side-by-side exited with ${code}`))));
  });
  const rounds = (build: string) =>
    [...output.matchAll(new RegExp(`reports, round \\d+, ${build} build: (\\d+) requests/s`, 'g'))].map((m) =>
      Number(m[1]),
    );
  const mine = rounds('this');
  const other = rounds('other');
  return {
    otherBuild: OTHER_MAIN,
    thisBuild: mine,
    otherBuildRounds: other,
    ratio: round(median(mine) / median(other)),
  };
}

async function backupAndRestore(service: ServiceProcess, databaseUrl: string, rows: number, pids: Pids) {
  const figures = (
    measured: { seconds: number; cpu: Record<string, number>; top?: string[] },
    restored?: unknown,
  ): Step => ({
    rows: restored === undefined ? rows : Number(restored),
    seconds: round(measured.seconds),
    rowsPerSecond: Math.round(rows / measured.seconds),
    peakMemoryMb: service.peakMemoryMb(),
    cpu: measured.cpu,
    ...(measured.top ? { profileTop: measured.top } : {}),
  });
  service.resetPeakMemory();
  const backup = await step(service, pids, 'backup', () => service.post('/backup/hired_employees'));
  const backupFigures = { ...figures(backup), bytes: backup.result.bytes };
  service.resetPeakMemory();
  const restore = await step(service, pids, 'restore-over', () =>
    service.post('/restore/hired_employees', { file: backup.result.file }),
  );
  const restoreFigures = figures(restore, restore.result.rowsRestored);
  // Every row written again: the table emptied (TRUNCATE, so that no purge of deleted rows runs meanwhile).
  await truncate(databaseUrl, 'hired_employees');
  service.resetPeakMemory();
  const restoreEmpty = await step(service, pids, 'restore-empty', () =>
    service.post('/restore/hired_employees', { file: backup.result.file }),
  );
  return {
    backup: backupFigures,
    restore: restoreFigures,
    restoreIntoEmptyTable: figures(restoreEmpty, restoreEmpty.result.rowsRestored),
  };
}

/**
 * SQLite, the default engine: the service's load against the sqlite3 command line's `.import` of
 * the valid rows (datetimes in the stored form) into the same schema with the service's pragmas.
 */
async function sqliteComparison(files: GeneratedFiles, backupDir: string): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'hr-bench-sqlite-'));
  try {
    const serviceFile = join(dir, 'service.sqlite');
    const cliFile = join(dir, 'cli.sqlite');
    // The schema and the small tables, made by the service; the same file copied for the CLI.
    let service = await ServiceProcess.start(`sqlite:${serviceFile}`, backupDir);
    await service.migrate([files.departments, files.jobs], {});
    await service.stop();
    copyFileSync(serviceFile, cliFile);
    const importFile = join(dir, 'hired_employees.csv');
    await pipeline(
      createReadStream(files.validEmployees, 'utf8'),
      async function* (chunks: AsyncIterable<string>) {
        for await (const chunk of chunks) yield chunk.replace(/(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z/g, '$1 $2.000');
      },
      createWriteStream(importFile),
    );
    const pragmas = [
      'PRAGMA journal_mode = WAL;',
      'PRAGMA busy_timeout = 10000;',
      'PRAGMA synchronous = NORMAL;',
      `PRAGMA wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES};`,
      'PRAGMA foreign_keys = ON;',
    ];
    const script = [...pragmas, '.mode csv', `.import ${importFile} hired_employees`].join('\n');
    const cli = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('sqlite3', [cliFile], { stdio: ['pipe', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sqlite3 exited with ${code}`))));
          child.stdin.end(script + '\n');
        }),
    );
    service = await ServiceProcess.start(`sqlite:${serviceFile}`, backupDir, CPU_PROF);
    service.resetPeakMemory();
    const load = await step(service, { service: service.pid }, 'sqlite-load', () =>
      service.migrate([files.employees], { batchSize: '1000', rejectMode: 'row' }),
    );
    const peak = service.peakMemoryMb();
    await service.stop();
    return {
      sqlite3Import: { rows: files.validRows, seconds: round(cli.seconds) },
      service: {
        rowsInserted: load.result[0].rowsInserted,
        seconds: round(load.seconds),
        peakMemoryMb: peak,
        cpu: load.cpu,
        ...(load.top ? { profileTop: load.top } : {}),
      },
      ratio: round(load.seconds / cli.seconds),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The figures as docs/performance.md shows them. */
function printTables(f: Figures): void {
  const pairs = (f.pairs ?? []) as { loadData: Step; service: Step; ratio: number }[];
  if (pairs.length > 0) printMysqlTables(f, pairs);
  const sqlite = f.sqlite as { sqlite3Import: Step; service: Step; ratio: number } | undefined;
  if (sqlite) {
    console.log(
      `\nSQLite: the service's load ${sqlite.service.seconds} s (${sqlite.service.peakMemoryMb as number} MB), ` +
        `sqlite3 .import ${sqlite.sqlite3Import.seconds} s: ${sqlite.ratio}×.`,
    );
  }
  for (const [label, s] of [...mysqlSteps(f, pairs), ['SQLite load', sqlite?.service] as [string, Step | undefined]]) {
    const top = s?.profileTop as string[] | undefined;
    if (top) console.log(`\nCPU profile of the service, ${label} (self time):\n${top.join('\n')}`);
  }
}

/** The MySQL steps other than the pairs, as the table lists them (none in a SQLite-only run). */
function mysqlSteps(f: Figures, pairs: { service: Step }[]): [string, Step | undefined][] {
  if (pairs.length === 0) return [];
  return [
    ['POST /migrate, rejectMode=row (last pair)', pairs[pairs.length - 1]?.service],
    ['POST /migrate, rejectMode=batch', f.migrateBatch as Step],
    ['backup (AVRO)', f.backup as Step],
    ['restore over the same rows', f.restore as Step],
    ['restore into the emptied table', f.restoreIntoEmptyTable as Step],
    [`POST /migrate, rejectMode=row, ${BIG_ROWS.toLocaleString('en')} rows`, f.migrateBig as Step | undefined],
  ];
}

function printMysqlTables(f: Figures, pairs: { loadData: Step; service: Step; ratio: number }[]): void {
  type Latency = Record<string, { firstMs: number; medianMs: number; p95Ms: number }>;
  const n = (x: number) => x.toLocaleString('en');
  const cpu = (c: Record<string, number> | undefined) =>
    `${c?.service ?? '—'} / ${c?.server === undefined ? '—' : c.server}`;
  console.log('\n| pair | LOAD DATA | service | ratio | CPU s service / server: LOAD DATA | service load |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  pairs.forEach((p, i) =>
    console.log(
      `| ${i + 1} | ${p.loadData.seconds} s | ${p.service.seconds} s | ${p.ratio}× | ${cpu(p.loadData.cpu)} | ${cpu(p.service.cpu)} |`,
    ),
  );
  console.log(`\nLoad through the service: median ${f.ratioToLoadData as number}× the LOAD DATA time.`);
  const loadData = f.loadDataMedianSeconds as number;
  const rows = mysqlSteps(f, pairs);
  console.log(`\n| step | time | × LOAD DATA (median ${loadData} s) | CPU s service / server | peak memory |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [label, s] of rows) {
    if (!s) continue;
    const memory = s.peakMemoryMb === undefined ? '—' : `${s.peakMemoryMb as number} MB`;
    console.log(`| ${label} | ${s.seconds} s | ${round(s.seconds / loadData)}× | ${cpu(s.cpu)} | ${memory} |`);
  }
  console.log(`Service malloc: ${f.serviceMalloc as string}.`);
  if (f.reports100k) {
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
  const beside = f.reportsBeside as {
    otherBuild: string;
    thisBuild: number[];
    otherBuildRounds: number[];
    ratio: number;
  };
  if (beside) {
    console.log(
      `Cached report in turns with ${beside.otherBuild}: this build ${beside.thisBuild.map(n).join(' / ')} ` +
        `requests/s against ${beside.otherBuildRounds.map(n).join(' / ')} (medians: ${beside.ratio.toFixed(2)}×).`,
    );
  }
}

async function main(): Promise<void> {
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-bench-backups-'));
  const server = await serverSettings();
  const serverPid = localServerPid(new URL(SERVER).hostname, server.pid_file as string | undefined);
  const figures: Figures = {
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: loadavg().map((l) => round(l)),
    },
    rows: ROWS,
    date: new Date().toISOString(),
    serviceMalloc: process.env.BENCH_PLAIN_MALLOC ? 'glibc defaults' : 'MALLOC_MMAP_THRESHOLD_=65536',
    server,
  };
  if (CPU_PROF) mkdirSync(PROFILE_DIR, { recursive: true });
  console.log(`Generating ${ROWS.toLocaleString('en')} employees (about 3% defective) in ${DATA_DIR}`);
  const files = await generateData(DATA_DIR, ROWS);

  if (!ONLY_SQLITE) {
    if (REPORTS) {
      console.log('Reports at 100,000 rows');
      const small = await generateData(join(DATA_DIR, 'small'), 100_000);
      const smallRun = await startService('bench_small', small, backupDir);
      await loadThroughService(smallRun.service, smallRun.url, small, 'row', {}, 'small');
      figures.reports100k = await reportLatency(smallRun.service);
      await smallRun.service.stop();
      await dropDatabase('bench_small');
    }

    console.log('POST /migrate, rejectMode=batch');
    const batchRun = await startService('bench_batch', files, backupDir);
    figures.migrateBatch = await loadThroughService(
      batchRun.service,
      batchRun.url,
      files,
      'batch',
      { service: batchRun.service.pid, server: serverPid },
      'load-batch',
    );
    await batchRun.service.stop();
    await dropDatabase('bench_batch');

    console.log(`LOAD DATA LOCAL INFILE and POST /migrate (rejectMode=row), alternately, ${PAIRS} times each`);
    const rowRun = await startService('bench_row', files, backupDir);
    const pids = { service: rowRun.service.pid, server: serverPid };
    const pairs: { loadData: Step; service: Step; ratio: number }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const loadData = await loadDataInto(rowRun.url, files, pids);
      const service = await loadThroughService(rowRun.service, rowRun.url, files, 'row', pids, 'load');
      pairs.push({ loadData, service, ratio: round(service.seconds / loadData.seconds) });
      console.log(`  pair ${i + 1}: LOAD DATA ${loadData.seconds} s, service ${service.seconds} s, ${pairs[i].ratio}×`);
    }
    figures.pairs = pairs;
    figures.ratioToLoadData = median(pairs.map((p) => p.ratio));
    figures.loadDataMedianSeconds = median(pairs.map((p) => p.loadData.seconds));

    if (REPORTS) {
      console.log('Reports at full size');
      figures.reports = await reportLatency(rowRun.service);
      figures.throughput = await throughput(rowRun.service);
    }
    console.log('Backup and restore');
    const rows = Number(pairs[pairs.length - 1].service.rowsInserted);
    Object.assign(figures, await backupAndRestore(rowRun.service, rowRun.url, rows, pids));
    const loadData = figures.loadDataMedianSeconds as number;
    figures.ratios = {
      batch: round((figures.migrateBatch as Step).seconds / loadData),
      backup: round((figures.backup as Step).seconds / loadData),
      restoreIntoEmptyTable: round((figures.restoreIntoEmptyTable as Step).seconds / loadData),
    };
    await rowRun.service.stop();
    await dropDatabase('bench_row');

    if (BIG_ROWS > 0) {
      console.log(`Memory at ${BIG_ROWS.toLocaleString('en')} rows`);
      const big = await generateData(join(DATA_DIR, 'big'), BIG_ROWS);
      const bigRun = await startService('bench_big', big, backupDir);
      figures.migrateBig = await loadThroughService(
        bigRun.service,
        bigRun.url,
        big,
        'row',
        { service: bigRun.service.pid, server: serverPid },
        'load-big',
      );
      await bigRun.service.stop();
      await dropDatabase('bench_big');
    }
  }
  if (SQLITE) {
    console.log('SQLite: the service against sqlite3 .import');
    figures.sqlite = await sqliteComparison(files, backupDir);
  }
  if (OTHER_MAIN && REPORTS && !ONLY_SQLITE) {
    console.log(`Cached report in turns with the build at ${OTHER_MAIN}`);
    figures.reportsBeside = await reportsBeside();
  }
  rmSync(backupDir, { recursive: true, force: true });

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(figures, null, 2) + '\n');
  printTables(figures);
  console.log(`\nFigures written to ${join(RESULTS_DIR, 'latest.json')}`);
  if (CPU_PROF) console.log(`CPU profiles (.cpuprofile, for Chrome DevTools) in ${PROFILE_DIR}`);
}

(process.env.BENCH_ENGINE === 'postgres' ? runPostgresBench() : main()).catch(async (error: unknown) => {
  console.error(error);
  await ServiceProcess.stopAll();
  process.exit(1);
});
