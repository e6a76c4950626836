/**
 * Cached report requests/s of this build beside another build (a commit checked out beside this
 * one), on the same machine, alternately: each build loads the same generated rows into its own
 * MariaDB database, then `departments-above-mean` is requested for 10 s by 20 connections, three
 * times each, A B A B A B. Prints every figure and the medians.
 *   BENCH_OTHER_MAIN=/path/to/other/dist/main.js npm run bench:reports-beside
 *   (BENCH_ROWS, default 100,000; BENCH_MYSQL_URL; BENCH_ROUNDS, default 3)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { generateData } from './generate-data';
import { ServiceProcess } from './service-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const OTHER = process.env.BENCH_OTHER_MAIN;
const THIS = join(__dirname, '..', 'dist', 'main.js');

async function database(name: string): Promise<string> {
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withService<T>(main: string, url: string, fn: (service: ServiceProcess) => Promise<T>): Promise<T> {
  process.env.BENCH_SERVICE_MAIN = main;
  const service = await ServiceProcess.start(url, mkdtempSync(join(tmpdir(), 'hr-bench-backups-')));
  try {
    return await fn(service);
  } finally {
    await service.stop();
  }
}

async function requestsPerSecond(service: ServiceProcess): Promise<number> {
  // autocannon is CommonJS without types of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (
    opts: object,
  ) => Promise<{ requests: { average: number }; non2xx: number }>;
  const url = `${service.url}/reports/departments-above-mean?year=2021`;
  await fetch(url); // the first request fills the cache
  const result = await autocannon({ url, connections: 20, duration: 10 });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
  return Math.round(result.requests.average);
}

async function main(): Promise<void> {
  if (!OTHER) throw new Error('BENCH_OTHER_MAIN names the other build: /path/to/other/dist/main.js');
  const files = await generateData(join(__dirname, 'data'), ROWS);
  const builds = { this: THIS, other: OTHER };
  const urls: Record<string, string> = {};
  for (const [name, main] of Object.entries(builds)) {
    urls[name] = await database(`hr_bench_beside_${name}_${process.pid}`);
    await withService(main, urls[name], (s) => s.migrate([files.departments, files.jobs, files.employees], {}));
  }
  const figures: Record<string, number[]> = { this: [], other: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? ['other', 'this'] : ['this', 'other']) {
      const rps = await withService(builds[name as 'this'], urls[name], requestsPerSecond);
      figures[name].push(rps);
      console.log(`round ${round + 1}, ${name === 'this' ? 'this build' : 'other build'}: ${rps} requests/s`);
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`\nmedian: this build ${median(figures.this)}, other build ${median(figures.other)} requests/s`);
  const admin = await createConnection({ uri: SERVER });
  for (const url of Object.values(urls)) await admin.query(`DROP DATABASE \`${new URL(url).pathname.slice(1)}\``);
  await admin.end();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await ServiceProcess.stopAll();
  process.exit(1);
});
