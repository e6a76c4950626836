/**
 * This build beside another one (a commit checked out beside this one, built), on the same machine
 * in the same minutes: each build gets its own MariaDB database with the departments and jobs
 * loaded, then, `BENCH_ROUNDS` times (default 3), in turns (A B, then B A, …):
 *   - `load`: MariaDB's LOAD DATA of the valid rows into a table of the same schema, then that
 *     build's POST /migrate of the whole file into its emptied table, as a ratio to the LOAD DATA
 *     just before it (so the machine's drift cancels out pair by pair);
 *   - `reports`: the cached `departments-above-mean` report, 20 connections for 10 s, requests/s.
 * Prints every figure, with CPU seconds of the service and the server and the service's peak memory,
 * and the medians.
 *   BENCH_OTHER_MAIN=/path/to/other/dist/main.js npm run bench:beside
 *   BENCH_STEPS=load,reports  BENCH_REJECT_MODE=row|batch  BENCH_ROWS=1000000  BENCH_MYSQL_URL
 */
import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { generateData, type GeneratedFiles } from './generate-data';
import { localServerPid, withCpu } from './process-probes';
import { ServiceProcess } from './service-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const STEPS = (process.env.BENCH_STEPS ?? 'load,reports').split(',');
const REJECT_MODE = process.env.BENCH_REJECT_MODE ?? 'row';
const BUILDS: Record<string, string | undefined> = {
  this: join(__dirname, '..', 'dist', 'main.js'),
  other: process.env.BENCH_OTHER_MAIN,
};
const PREFIX = `hr_beside_${process.pid}`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function urlOf(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withService<T>(build: string, fn: (service: ServiceProcess) => Promise<T>): Promise<T> {
  process.env.BENCH_SERVICE_MAIN = BUILDS[build];
  const service = await ServiceProcess.start(urlOf(`${PREFIX}_${build}`), mkdtempSync(join(tmpdir(), 'hr-bench-')));
  try {
    return await fn(service);
  } finally {
    await service.stop();
  }
}

async function loadData(admin: Connection, files: GeneratedFiles, server: number | undefined) {
  await admin.query(`TRUNCATE TABLE ${PREFIX}_load_data.hired_employees`);
  return withCpu({ server }, () =>
    admin.query({
      sql: `LOAD DATA LOCAL INFILE 'hired_employees.csv' INTO TABLE ${PREFIX}_load_data.hired_employees
            FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\r\\n' (id, name, @dt, department_id, job_id)
            SET datetime = STR_TO_DATE(@dt, '%Y-%m-%dT%H:%i:%sZ')`,
      infileStreamFactory: () => createReadStream(files.validEmployees),
    }),
  );
}

async function loadStep(build: string, admin: Connection, files: GeneratedFiles, server: number | undefined) {
  const baseline = await loadData(admin, files, server);
  await admin.query(`TRUNCATE TABLE ${PREFIX}_${build}.hired_employees`);
  return withService(build, async (service) => {
    service.resetPeakMemory();
    const load = await withCpu({ server, service: service.pid }, () =>
      service.migrate([files.employees], { batchSize: '1000', rejectMode: REJECT_MODE }),
    );
    const ratio = load.seconds / baseline.seconds;
    const line =
      `${ratio.toFixed(2)}× (${load.seconds.toFixed(2)} s against LOAD DATA ${baseline.seconds.toFixed(2)} s; ` +
      `CPU s service ${load.cpu.service} / server ${load.cpu.server}; peak ${service.peakMemoryMb()} MB)`;
    return { ratio, line };
  });
}

async function reportsStep(build: string) {
  // autocannon is CommonJS without types of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (
    opts: object,
  ) => Promise<{ requests: { average: number }; non2xx: number }>;
  return withService(build, async (service) => {
    const url = `${service.url}/reports/departments-above-mean?year=2021`;
    await (await fetch(url)).arrayBuffer(); // fills the cache
    const result = await autocannon({ url, connections: 20, duration: 10 });
    if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
    const rps = Math.round(result.requests.average);
    return { ratio: rps, line: `${rps} requests/s` };
  });
}

async function main(): Promise<void> {
  if (!BUILDS.other) throw new Error('BENCH_OTHER_MAIN names the other build: /path/to/other/dist/main.js');
  const files = await generateData(join(__dirname, 'data'), ROWS);
  const admin = await createConnection({ uri: SERVER, flags: ['+LOCAL_FILES'] });
  const [vars] = await admin.query("SHOW VARIABLES LIKE 'pid_file'");
  const server = localServerPid(new URL(SERVER).hostname, (vars as { Value: string }[])[0]?.Value);
  const databases = [`${PREFIX}_load_data`, `${PREFIX}_this`, `${PREFIX}_other`];
  try {
    for (const name of databases) await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    for (const build of ['this', 'other']) {
      await withService(build, async (service) => {
        await service.migrate([files.departments, files.jobs], {});
        // The reports read a loaded table; the loads empty it first.
        if (STEPS.includes('reports')) await service.migrate([files.employees], { batchSize: '1000' });
      });
    }
    // LOAD DATA's table: this build's schema, its references to this build's departments and jobs.
    await admin.query(`CREATE TABLE ${PREFIX}_load_data.hired_employees LIKE ${PREFIX}_this.hired_employees`);
    await admin.query(`ALTER TABLE ${PREFIX}_load_data.hired_employees
      ADD FOREIGN KEY (department_id) REFERENCES ${PREFIX}_this.departments (id),
      ADD FOREIGN KEY (job_id) REFERENCES ${PREFIX}_this.jobs (id)`);
    for (const step of STEPS) {
      const figures: Record<string, number[]> = { this: [], other: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const build of round % 2 === 0 ? ['this', 'other'] : ['other', 'this']) {
          const { ratio, line } =
            step === 'load' ? await loadStep(build, admin, files, server) : await reportsStep(build);
          figures[build].push(ratio);
          console.log(`${step}, round ${round + 1}, ${build} build: ${line}`);
        }
      }
      const unit = step === 'load' ? '× LOAD DATA' : ' requests/s';
      const shown = (value: number) => (step === 'load' ? value.toFixed(2) : String(value));
      console.log(
        `${step}: median, this build ${shown(median(figures.this))}${unit}, other ${shown(median(figures.other))}${unit}\n`,
      );
    }
  } finally {
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await ServiceProcess.stopAll();
  process.exit(1);
});
