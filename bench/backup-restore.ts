/**
 * Backup and restore of a large hired_employees table on MySQL/MariaDB, alone: the service in its
 * own process (built: `nest build`), so that its peak memory is its own. Prints seconds, rows/s and
 * the service's peak resident memory of each step. Not a test: figures only.
 *
 *   npm run bench:backup        (BENCH_ROWS=1000000, BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306)
 *
 * Seeding uses MariaDB's sequence engine (seq_1_to_N), so it costs no memory on this side.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { ServiceProcess } from './service-process';

const server = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

async function main(): Promise<void> {
  const name = `hr_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: server });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-bench-'));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const service = await ServiceProcess.start(url.toString(), backupDir);
  const db = await createConnection({ uri: url.toString() });
  try {
    await seed(db);
    console.log(`seeded ${rows.toLocaleString('en')} hired employees`);

    const backup = await measure(service, 'backup', () => service.post('/backup/hired_employees'));
    console.log(`  ${String(backup.file)}: ${Number(backup.rows).toLocaleString('en')} rows, ${mb(backup.bytes)}`);
    await db.query("UPDATE hired_employees SET name = 'changed' WHERE id <= 1000");
    await measure(service, 'restore over the table with 1,000 rows changed', () =>
      service.post('/restore/hired_employees', { file: backup.file }),
    );
    if ((await count(db, "WHERE name = 'changed'")) !== 0) throw new Error('the restore did not bring the rows back');
    await db.query('TRUNCATE TABLE hired_employees');
    await measure(service, 'restore into the emptied table', () =>
      service.post('/restore/hired_employees', { file: backup.file }),
    );
    if ((await count(db, '')) !== rows) throw new Error('the restore did not bring every row back');
  } finally {
    await service.stop();
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

async function seed(db: Connection): Promise<void> {
  await db.query("INSERT INTO departments SELECT seq, CONCAT('Department ', seq) FROM seq_1_to_12");
  await db.query("INSERT INTO jobs SELECT seq, CONCAT('Job ', seq) FROM seq_1_to_200");
  for (let start = 1; start <= rows; start += 200_000) {
    const end = Math.min(rows, start + 199_999);
    await db.query(
      `INSERT INTO hired_employees
       SELECT seq, CONCAT('Employee ', seq), TIMESTAMP('2021-01-01') + INTERVAL seq * 31 SECOND + INTERVAL seq % 1000 * 1000 MICROSECOND,
              1 + seq % 12, 1 + seq % 200
       FROM seq_${start}_to_${end}`,
    );
  }
}

async function count(db: Connection, where: string): Promise<number> {
  const [result] = await db.query(`SELECT COUNT(*) AS n FROM hired_employees ${where}`);
  return Number((result as { n: number | string }[])[0].n);
}

async function measure(
  service: ServiceProcess,
  label: string,
  run: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  service.resetPeakMemory();
  const started = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${label}: ${seconds.toFixed(2)} s, ${Math.round(rows / seconds).toLocaleString('en')} rows/s, ` +
      `service peak ${service.peakMemoryMb()} MB`,
  );
  return result;
}

function mb(bytes: unknown): string {
  return `${(Number(bytes) / 1024 / 1024).toFixed(1)} MB`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
