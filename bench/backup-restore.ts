/**
 * Backup and restore of a large hired_employees table on MySQL/MariaDB, through HTTP, on the real
 * application. Prints seconds, rows/s and the peak RSS of each phase. Not a test: figures only.
 *
 *   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306 BENCH_ROWS=1000000 \
 *     node -r @swc-node/register bench/backup-restore.ts
 *
 * Seeding uses MariaDB's sequence engine (seq_1_to_N), so it costs this process no memory.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/config/app-config';

const server = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const key = randomBytes(16).toString('hex');

async function main(): Promise<void> {
  const name = `hr_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: server });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-bench-'));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const app = await createApp(
    new AppConfig({ type: 'mysql', url: url.toString() }, 0, key, false, backupDir, 2 ** 30),
    {
      logger: false,
    },
  );
  try {
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const db = app.get(DataSource);
    await seed(db);
    console.log(`seeded ${rows} hired employees; rss ${mb(process.memoryUsage().rss)}`);

    const backup = await measure('backup', () => post(`${base}/backup/hired_employees`, {}));
    console.log(`  file ${backup.body.file}: ${backup.body.rows} rows, ${mb(backup.body.bytes)}`);
    await db.query("UPDATE hired_employees SET name = 'changed' WHERE id <= 1000");
    const restore = await measure('restore', () => post(`${base}/restore/hired_employees`, { file: backup.body.file }));
    console.log(`  ${restore.body.rowsRestored} rows restored`);
    const [{ n }] = await db.query("SELECT COUNT(*) AS n FROM hired_employees WHERE name = 'changed'");
    if (Number(n) !== 0) throw new Error('the restore did not bring the rows back');
  } finally {
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

async function seed(db: DataSource): Promise<void> {
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

async function measure<T extends { body: Record<string, unknown> & { rows?: number } }>(
  label: string,
  run: () => Promise<T>,
): Promise<T> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  console.log(
    `${label}: ${seconds.toFixed(2)} s, ${Math.round(rows / seconds).toLocaleString('en')} rows/s, peak rss ${mb(peak)}`,
  );
  return result;
}

async function post(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return { status: res.status, body: json };
}

function mb(bytes: unknown): string {
  return `${(Number(bytes) / 1024 / 1024).toFixed(1)} MB`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
