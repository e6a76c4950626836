import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { TEST_API_KEY, type TestApp } from './test-app';

/** `count` valid hired_employees lines with ids from `firstId`, for departments 1..2 and job 1. */
export function employeesCsv(count: number, firstId = 1): string {
  const lines: string[] = [];
  for (let id = firstId; id < firstId + count; id++) {
    lines.push(`${id},Person ${id},2021-0${1 + (id % 9)}-1${id % 10}T10:00:00Z,${1 + (id % 2)},1`);
  }
  return lines.join('\r\n');
}

/** `POST /migrate` of one hired_employees CSV, named by the table field. */
export function uploadEmployees(t: TestApp, csv: string) {
  return request(t.server)
    .post('/migrate')
    .set(t.auth)
    .field('table', 'hired_employees')
    .attach('file', Buffer.from(csv), 'hired_employees.csv');
}

/** Waits for a condition, polling; fails with `what` when it does not hold in time. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What an answer must never show: SQL of a query, a stack frame, a file path. */
export const LEAKS = [
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|VALUES \(|ON DUPLICATE KEY)\b/,
  /\n\s+at /,
  /\bat \S+ \(/,
  /\/work|\/tmp|node_modules|\/home\/|\/usr\//,
];

export function leaksIn(text: string): string[] {
  return LEAKS.filter((re) => re.test(text)).map(String);
}

/**
 * A multipart upload of one CSV file whose end the test decides: the run stays `running` until
 * `finish()` sends the rest, so what happens meanwhile does not depend on timing.
 */
export function openUpload(
  url: string,
  apiKey: string,
  table: string,
  head: string,
  path = '/migrate',
): { finish(tail: string): Promise<{ status: number; body: OpenUploadAnswer }> } {
  const boundary = `----hr${Date.now()}`;
  const target = new URL(path, url);
  const req = httpRequest(target, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${apiKey}`,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
    },
  });
  const answer = new Promise<{ status: number; body: OpenUploadAnswer }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  // A test may kill the service before it answers; whoever awaits the answer still hears the error.
  answer.catch(() => undefined);
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="table"\r\n\r\n${table}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${table}.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${head}`,
  );
  return {
    finish: (tail: string) => {
      req.end(`${tail}\r\n--${boundary}--\r\n`);
      return answer;
    },
  };
}

interface OpenUploadAnswer {
  runs: { status: string; rowsInserted: number; rowsRejected: number; id: number }[];
  [key: string]: unknown;
}

/**
 * A chunked multipart upload (no Content-Length, so a size limit is found while streaming) of one
 * file made of `line` repeated until `bytes` are sent, with back-pressure. The server may stop
 * reading once it has answered; the answer is what counts.
 */
export function chunkedUpload(
  url: string,
  fileName: string,
  line: string,
  bytes: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const boundary = 'xBOUNDARYx';
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: `${target.pathname}${target.search}`,
        headers: {
          Authorization: `Bearer ${TEST_API_KEY}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n\r\n`);
    const lines = line.repeat(1000);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += lines.length;
        if (!req.write(lines)) return void req.once('drain', pump);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
}

/** One department (1, Finance) and one job (1, Recruiter), through the JSON batch endpoints. */
export async function seedOneDepartmentAndJob(t: TestApp): Promise<void> {
  await request(t.server)
    .post('/migrate/departments')
    .set(t.auth)
    .send([{ id: 1, department: 'Finance' }])
    .expect(201);
  await request(t.server)
    .post('/migrate/jobs')
    .set(t.auth)
    .send([{ id: 1, job: 'Recruiter' }])
    .expect(201);
}

/** The fix a person would script: every empty field of a row gets a value that passes the rules. */
export function fillEmptyFields(line: string): string {
  const fill = ['0', 'Name Unknown', '2021-01-01T00:00:00Z', '1', '1'];
  return line
    .split(',')
    .map((value, i) => (value === '' ? fill[i] : value))
    .join(',');
}
