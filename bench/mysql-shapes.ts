/**
 * What MariaDB spends per row on each statement shape a batch could be written with: the valid rows
 * of the bench's file, in transactions of 1,000 rows on 3 connections (the service's shape), into
 * the emptied hired_employees table, with the same per-batch bookkeeping writes the service makes.
 * Prints wall time and the server's CPU seconds per shape, against one LOAD DATA of the whole file.
 *   npm run bench:shapes   (BENCH_ROWS, BENCH_MYSQL_URL, BENCH_SHAPES=a,b,... BENCH_ROUNDS=2)
 * Run `npm run bench` once first: it generates the rows.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createConnection, createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { insertText, loadDataText, type StoredValue } from '../src/database/mysql-statements';
import { generateData } from './generate-data';
import { localServerPid, withCpu } from './process-probes';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DB = `hr_shapes_${process.pid}`;
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 3);

type Rows = StoredValue[][];
type Fence = 'update' | 'share' | 'none';
interface Shape {
  name: string;
  fence: Fence;
  write: (conn: PoolConnection, rows: Rows) => Promise<void>;
}

const COLUMNS = 'id,name,datetime,department_id,job_id';

const SHAPES: Shape[] = [
  {
    name: 'upsert',
    fence: 'update',
    write: (c, rows) => c.query(insertText('hired_employees', rows, true)).then(() => undefined),
  },
  {
    name: 'upsert-share',
    fence: 'share',
    write: (c, rows) => c.query(insertText('hired_employees', rows, true)).then(() => undefined),
  },
  {
    name: 'upsert-nofence',
    fence: 'none',
    write: (c, rows) => c.query(insertText('hired_employees', rows, true)).then(() => undefined),
  },
  {
    name: 'insert',
    fence: 'update',
    write: (c, rows) => c.query(insertText('hired_employees', rows, false)).then(() => undefined),
  },
  {
    name: 'loaddata-replace',
    fence: 'update',
    write: (c, rows) => loadData(c, rows, 'REPLACE'),
  },
  {
    name: 'loaddata-replace-share',
    fence: 'share',
    write: (c, rows) => loadData(c, rows, 'REPLACE'),
  },
  {
    name: 'prepared-upsert',
    fence: 'update',
    write: (c, rows) => {
      const marks = rows.map(() => '(?,?,?,?,?)').join(',');
      return c
        .execute(
          `INSERT INTO hired_employees (${COLUMNS}) VALUES ${marks} ON DUPLICATE KEY UPDATE name=VALUES(name),datetime=VALUES(datetime),department_id=VALUES(department_id),job_id=VALUES(job_id)`,
          rows.flat(),
        )
        .then(() => undefined);
    },
  },
];

function loadData(conn: PoolConnection, rows: Rows, mode: 'REPLACE' | ''): Promise<void> {
  const raw = (conn as unknown as { connection: { query: (o: object, cb: (e: Error | null) => void) => void } })
    .connection;
  return new Promise((resolve, reject) =>
    raw.query(
      {
        sql: `LOAD DATA LOCAL INFILE 'rows.tsv' ${mode} INTO TABLE hired_employees CHARACTER SET utf8mb4 (${COLUMNS})`,
        infileStreamFactory: () => Readable.from([Buffer.from(loadDataText(rows))]),
      },
      (e) => (e ? reject(e) : resolve()),
    ),
  );
}

function readRows(file: string): Rows {
  const rows: Rows = [];
  for (const line of readFileSync(file, 'utf8').split('\r\n')) {
    if (!line) continue;
    const [id, name, dt, dep, job] = line.split(',');
    rows.push([Number(id), name, `${dt.slice(0, 10)} ${dt.slice(11, 19)}.000`, Number(dep), Number(job)]);
  }
  return rows;
}

async function schema(pool: Pool): Promise<void> {
  await pool.query(
    'DROP TABLE IF EXISTS hired_employees, departments, jobs, migration_run_batches, coordination_leases',
  );
  await pool.query(
    'CREATE TABLE departments (id INT PRIMARY KEY, department VARCHAR(255) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  );
  await pool.query(
    'CREATE TABLE jobs (id INT PRIMARY KEY, job VARCHAR(255) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  );
  await pool.query(`CREATE TABLE hired_employees (id INT PRIMARY KEY, name VARCHAR(255) NOT NULL, datetime DATETIME(3) NOT NULL,
    department_id INT NOT NULL, job_id INT NOT NULL,
    CONSTRAINT fk_d FOREIGN KEY (department_id) REFERENCES departments (id),
    CONSTRAINT fk_j FOREIGN KEY (job_id) REFERENCES jobs (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await pool.query('CREATE INDEX idx_dt ON hired_employees (datetime, department_id, job_id)');
  await pool.query(`CREATE TABLE migration_run_batches (run_id INT NOT NULL, batch_no INT NOT NULL, rows_read INT NOT NULL,
    rows_inserted INT NOT NULL, rows_rejected INT NOT NULL, committed TINYINT(1) NOT NULL, bytes_read BIGINT NULL,
    PRIMARY KEY (run_id, batch_no)) ENGINE=InnoDB`);
  await pool.query(`CREATE TABLE coordination_leases (name VARCHAR(191) PRIMARY KEY, owner VARCHAR(191) NOT NULL,
    token BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL, changes BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`);
  await pool.query("INSERT INTO coordination_leases VALUES ('table:hired_employees', 'me', 1, 0, 0)");
  const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
  await pool.query('INSERT INTO departments VALUES ' + ids.map((i) => `(${i},'d${i}')`).join(','));
  await pool.query('INSERT INTO jobs VALUES ' + ids.map((i) => `(${i},'j${i}')`).join(','));
}

async function runShape(pool: Pool, shape: Shape, rows: Rows, run: number): Promise<void> {
  let next = 0;
  let batchNo = 0;
  const worker = async () => {
    const conn = await pool.getConnection();
    try {
      while (next < rows.length) {
        const slice = rows.slice(next, next + BATCH);
        next += BATCH;
        const no = batchNo++;
        await conn.query('START TRANSACTION');
        await shape.write(conn, slice);
        await conn.query('INSERT INTO migration_run_batches VALUES (?, ?, ?, ?, 0, 1, ?)', [
          run,
          no,
          slice.length,
          slice.length,
          no * 45000,
        ]);
        if (shape.fence === 'update')
          await conn.query(
            "UPDATE coordination_leases SET changes = changes + 1 WHERE name = 'table:hired_employees' AND owner = 'me' AND token = 1",
          );
        else if (shape.fence === 'share')
          await conn.query(
            "SELECT 1 FROM coordination_leases WHERE name = 'table:hired_employees' AND owner = 'me' AND token = 1 LOCK IN SHARE MODE",
          );
        await conn.query('COMMIT');
      }
    } finally {
      conn.release();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function main(): Promise<void> {
  const files = await generateData(`${__dirname}/data`, ROWS);
  const rows = readRows(files.validEmployees);
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  const [vars] = await admin.query("SHOW VARIABLES LIKE 'pid_file'");
  const server = localServerPid(new URL(SERVER).hostname, (vars as { Value: string }[])[0]?.Value);
  const url = new URL(SERVER);
  url.pathname = `/${DB}`;
  const pool = createPool({
    uri: url.toString(),
    connectionLimit: IN_FLIGHT + 1,
    flags: ['+LOCAL_FILES'],
    infileStreamFactory: undefined,
  });
  await schema(pool);
  const wanted = process.env.BENCH_SHAPES?.split(',');
  const shapes = SHAPES.filter((s) => !wanted || wanted.includes(s.name));
  const results: Record<string, string[]> = {};
  const ld = async () => {
    await pool.query('TRUNCATE TABLE hired_employees');
    const conn = await pool.getConnection();
    const m = await withCpu({ server }, () =>
      (conn as unknown as { query: (o: object) => Promise<unknown> }).query({
        sql: `LOAD DATA LOCAL INFILE 'f.csv' INTO TABLE hired_employees FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\r\\n'
          (id, name, @dt, department_id, job_id) SET datetime = STR_TO_DATE(@dt, '%Y-%m-%dT%H:%i:%sZ')`,
        infileStreamFactory: () => createReadStream(files.validEmployees),
      }),
    );
    conn.release();
    return m;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const base = await ld();
    (results['LOAD DATA'] ??= []).push(`${base.seconds.toFixed(2)} s / ${base.cpu.server} cpu`);
    for (const shape of shapes) {
      await pool.query('TRUNCATE TABLE hired_employees');
      const m = await withCpu({ server }, () => runShape(pool, shape, rows, round * 100 + shapes.indexOf(shape)));
      (results[shape.name] ??= []).push(
        `${m.seconds.toFixed(2)} s / ${m.cpu.server} cpu (${(m.seconds / base.seconds).toFixed(2)}×)`,
      );
      console.log(
        `round ${round + 1} ${shape.name}: ${m.seconds.toFixed(2)} s, server ${m.cpu.server} CPU s, ${(m.seconds / base.seconds).toFixed(2)}× LOAD DATA ${base.seconds.toFixed(2)} s`,
      );
    }
  }
  console.table(results);
  await pool.end();
  await admin.query(`DROP DATABASE ${DB}`);
  await admin.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
