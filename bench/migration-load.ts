/**
 * Loads N generated hired_employees rows through POST /migrate and prints rows per second.
 *   TEST_MYSQL_URL=mysql://root@127.0.0.1:3306 node --expose-gc -r @swc-node/register bench/migration-load.ts [rows] [sqlite|mysql]
 * With --expose-gc it also prints the heap kept after the load (it should not grow with the file).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startTestApp, TEST_API_KEY } from '../test/support/test-app';
import type { Engine } from '../test/support/test-database';

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const month = String((i % 12) + 1).padStart(2, '0');
    chunk += `${i},Employee number ${i},2021-${month}-15T10:20:30Z,${(i % 12) + 1},${(i % 183) + 1}\r\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function upload(port: number, path: string, fields: Record<string, string>): Promise<string> {
  const boundary = 'benchBoundary';
  const head =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hired_employees.csv"\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        method: 'POST',
        path: '/migrate',
        headers: {
          Authorization: `Bearer ${TEST_API_KEY}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': Buffer.byteLength(head) + statSync(path).size + Buffer.byteLength(tail),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path);
    file.pipe(req, { end: false });
    file.on('end', () => req.end(tail));
  });
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const engine = (process.argv[3] ?? (process.env.TEST_MYSQL_URL ? 'mysql' : 'sqlite')) as Engine;
  const dir = mkdtempSync(join(tmpdir(), 'hr-bench-'));
  const t = await startTestApp(engine);
  try {
    const file = join(dir, 'hired_employees.csv');
    await generate(file, rows);
    await t.dataSource.query(
      `INSERT INTO departments (id, department) VALUES ${Array.from({ length: 12 }, (_, i) => `(${i + 1}, 'D${i + 1}')`).join(',')}`,
    );
    await t.dataSource.query(
      `INSERT INTO jobs (id, job) VALUES ${Array.from({ length: 183 }, (_, i) => `(${i + 1}, 'J${i + 1}')`).join(',')}`,
    );
    const server = t.app.getHttpServer().listen(0);
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
    const started = process.hrtime.bigint();
    const body = await upload(port, file, { table: 'hired_employees', rejectMode: 'batch' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    gc?.();
    const run = JSON.parse(body).runs?.[0];
    console.log(
      JSON.stringify({
        engine,
        rows,
        fileMB: +(statSync(file).size / 1e6).toFixed(1),
        ms: Math.round(ms),
        rowsPerSecond: Math.round((rows / ms) * 1000),
        peakHeapGrowthMB: Math.round((peakHeap - heapBefore) / 1e6),
        keptHeapMB: gc ? Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6) : undefined,
        run: run && { status: run.status, rowsInserted: run.rowsInserted, batchesCommitted: run.batchesCommitted },
      }),
    );
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
