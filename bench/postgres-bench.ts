/**
 * The PostgreSQL mode of the benchmark (`BENCH_ENGINE=postgres npm run bench`): loads N synthetic
 * employees (default 1,000,000) with full validation through the service, and in the same run the
 * same valid rows through `psql \copy` and through a bare loop of 1,000-row upsert transactions (the
 * floor for a loader that commits batch by batch); then restores a backup into the emptied table.
 * The machine may be shared, so the three loads are measured in rounds, their order turned each
 * round, and the medians compared. Each load gets a fresh database made by the service's migrations.
 *   BENCH_ROWS=1000000  BENCH_ROUNDS=3  BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { generateData, type GeneratedFiles } from './generate-data';
import { ServiceProcess } from './service-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATA_DIR = join(__dirname, 'data');

type Method = 'service' | 'bareLoop' | 'copy';

function urlOf(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: urlOf('postgres') });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** A fresh database with the service's schema, departments and jobs loaded; the service stopped. */
async function freshDatabase(name: string, files: GeneratedFiles, backupDir: string): Promise<string> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const service = await ServiceProcess.start(urlOf(name), backupDir);
  await service.migrate([files.departments, files.jobs], {});
  await service.stop();
  return urlOf(name);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function count(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM hired_employees');
  await client.end();
  return Number(rows[0].n);
}

/** One 1,000-row upsert a transaction, over arrays, as the service's statement; no validation. */
async function bareLoop(url: string, file: string): Promise<void> {
  const client = new Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  const sql = `INSERT INTO hired_employees (id, name, datetime, department_id, job_id)
    SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::int[], $5::int[])
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, datetime = EXCLUDED.datetime,
      department_id = EXCLUDED.department_id, job_id = EXCLUDED.job_id`;
  let columns: unknown[][] = [[], [], [], [], []];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    const [id, name, datetime, department, job] = line.split(',');
    columns[0].push(Number(id));
    columns[1].push(name);
    columns[2].push(datetime);
    columns[3].push(Number(department));
    columns[4].push(Number(job));
    if (columns[0].length === 1000) {
      await client.query(sql, columns);
      columns = [[], [], [], [], []];
    }
  }
  if (columns[0].length > 0) await client.query(sql, columns);
  await client.end();
}

function psqlCopy(url: string, file: string): void {
  execFileSync(
    'psql',
    [url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy hired_employees FROM '${file}' WITH (FORMAT csv)`],
    {
      stdio: 'ignore',
    },
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runPostgresBench(): Promise<void> {
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-bench-backups-'));
  console.log(`Generating ${ROWS.toLocaleString('en')} employees (about 3% defective) in ${DATA_DIR}`);
  const files = await generateData(DATA_DIR, ROWS);
  const seconds: Record<Method, number[]> = { service: [], bareLoop: [], copy: [] };
  const order: Method[] = ['service', 'bareLoop', 'copy'];
  let servicePeakMb = 0;
  let serviceRows = 0;
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    for (const method of [...order.slice(round_ % 3), ...order.slice(0, round_ % 3)]) {
      const url = await freshDatabase('bench_pg', files, backupDir);
      let took: number;
      if (method === 'service') {
        const service = await ServiceProcess.start(url, backupDir);
        service.resetPeakMemory();
        const run = await timed(() => service.migrate([files.employees], { batchSize: '1000', rejectMode: 'row' }));
        took = run.seconds;
        servicePeakMb = Math.max(servicePeakMb, service.peakMemoryMb());
        serviceRows = Number(run.result[0].rowsInserted);
        await service.stop();
      } else if (method === 'bareLoop') {
        took = (await timed(() => bareLoop(url, files.validEmployees))).seconds;
      } else {
        took = (await timed(async () => psqlCopy(url, files.validEmployees))).seconds;
      }
      const rows = await count(url);
      seconds[method].push(took);
      console.log(`round ${round_ + 1}: ${method} ${round(took)} s, ${rows.toLocaleString('en')} rows in the table`);
    }
  }

  console.log('Backup, then restore into the emptied table; \\copy into an emptied table beside it');
  const url = await freshDatabase('bench_pg', files, backupDir);
  psqlCopy(url, files.validEmployees);
  const service = await ServiceProcess.start(url, backupDir);
  const backup = await service.post('/backup/hired_employees');
  const restoreSeconds: number[] = [];
  const copySeconds: number[] = [];
  let restorePeakMb = 0;
  for (let i = 0; i < ROUNDS; i++) {
    await admin(`SELECT 1`);
    const empty = new Client({ connectionString: url });
    await empty.connect();
    await empty.query('TRUNCATE hired_employees');
    service.resetPeakMemory();
    restoreSeconds.push((await timed(() => service.post('/restore/hired_employees', { file: backup.file }))).seconds);
    restorePeakMb = Math.max(restorePeakMb, service.peakMemoryMb());
    await empty.query('TRUNCATE hired_employees');
    await empty.end();
    copySeconds.push((await timed(async () => psqlCopy(url, files.validEmployees))).seconds);
    console.log(`round ${i + 1}: restore ${round(restoreSeconds[i])} s, \\copy ${round(copySeconds[i])} s`);
  }
  await service.stop();
  await admin('DROP DATABASE IF EXISTS bench_pg WITH (FORCE)');
  rmSync(backupDir, { recursive: true, force: true });

  const m = { service: median(seconds.service), bareLoop: median(seconds.bareLoop), copy: median(seconds.copy) };
  const restore = median(restoreSeconds);
  const copyForRestore = median(copySeconds);
  console.log(`\nPostgreSQL, ${ROWS.toLocaleString('en')} employees, medians of ${ROUNDS} interleaved rounds:`);
  console.log('| method | median time | rows written | peak memory |\n| --- | --- | --- | --- |');
  console.log(
    `| the service (POST /migrate, rejectMode=row) | ${round(m.service)} s | ${serviceRows} | ${servicePeakMb} MB |`,
  );
  console.log(`| bare loop of 1,000-row upsert transactions | ${round(m.bareLoop)} s | valid rows | — |`);
  console.log(`| psql \\copy | ${round(m.copy)} s | valid rows | — |`);
  console.log(`| restore into the emptied table | ${round(restore)} s | backup rows | ${restorePeakMb} MB |`);
  console.log(`| psql \\copy into the emptied table | ${round(copyForRestore)} s | valid rows | — |`);
  console.log(
    `\nLoad: ${round(m.service / m.bareLoop)}× the bare batch floor (goal 1.3), ${round(m.service / m.copy)}× \\copy.`,
  );
  console.log(`Restore into an empty table: ${round(restore / copyForRestore)}× \\copy (goal 1.5).`);
}
