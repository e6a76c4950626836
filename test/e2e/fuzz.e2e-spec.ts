import fc from 'fast-check';
import { parseString } from 'fast-csv';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { leaksIn, seedOneDepartmentAndJob } from '../support/hr-files';
import { parseServerSentEvents } from '../support/run-events';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/**
 * Mutated requests thrown at the real application: multipart framing, CSV bytes, file names, JSON
 * batches and Avro files, and the rows to fix read back by a CSV reader. Whatever comes in, no request stops the process, every answer is a 2xx or a 4xx JSON
 * body that shows no SQL, stack frame or path, and the tables hold only valid rows.
 * A failure prints its seed and path; replay it with FUZZ_SEED=<seed> FUZZ_PATH=<path>.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const PATH = process.env.FUZZ_PATH;
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const PARAMETERS: fc.Parameters<unknown> = {
  seed: SEED,
  numRuns: RUNS,
  endOnFailure: true,
  ...(PATH ? { path: PATH } : {}),
};

const TABLES = ['departments', 'jobs', 'hired_employees'] as const;
const MAX_ID = 2_147_483_647;
// eslint-disable-next-line no-control-regex -- a control character in a stored name is what is looked for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** What a stored file name never holds: C0, C1, bidirectional controls, tab included. */
// eslint-disable-next-line no-control-regex -- a control character in a stored name is what is looked for
const NAME_CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** A cell a spreadsheet would run as a formula. */
const FORMULA_CELL = /^[=+\-@\t\r]/;

interface Answer {
  status: number;
  text: string;
  body: unknown;
  headers: Record<string, string>;
}

/** What every answer must be, whatever was sent. */
function expectSafe(res: Answer): void {
  const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500);
  if (!ok) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(typeof res.body).toBe('object');
  if (res.status >= 400) expect(res.body).toMatchObject({ statusCode: res.status, message: expect.any(String) });
  expect(leaksIn(res.text)).toEqual([]);
}

/** Names must show something: not only white space and characters drawn as nothing or as a blank. */
const ONLY_INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]*$/u;

function isValidText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const length = [...value].length;
  return (
    length >= 1 &&
    length <= 255 &&
    value.trim() === value &&
    !CONTROL.test(value) &&
    !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value) &&
    !ONLY_INVISIBLE.test(value)
  );
}

const isValidId = (value: unknown) => Number.isInteger(Number(value)) && Number(value) >= 1 && Number(value) <= MAX_ID;

/** Rows that break the data rules, each as text; none is expected. */
async function invalidRows(t: TestApp): Promise<string[]> {
  const bad: string[] = [];
  const ids: Record<string, Set<number>> = {};
  for (const [table, text] of [
    ['departments', 'department'],
    ['jobs', 'job'],
  ] as const) {
    const rows: Record<string, unknown>[] = await t.dataSource.query(`SELECT id, ${text} AS text FROM ${table}`);
    ids[table] = new Set(rows.map((r) => Number(r.id)));
    for (const row of rows)
      if (!isValidId(row.id) || !isValidText(row.text)) bad.push(`${table} ${JSON.stringify(row)}`);
  }
  const hires: Record<string, unknown>[] = await t.dataSource.query(
    'SELECT id, name, datetime, department_id, job_id FROM hired_employees',
  );
  for (const row of hires) {
    const at = new Date(row.datetime instanceof Date ? row.datetime : `${String(row.datetime).replace(' ', 'T')}Z`);
    const year = at.getUTCFullYear();
    const valid =
      isValidId(row.id) &&
      isValidText(row.name) &&
      !Number.isNaN(at.getTime()) &&
      year >= 1000 &&
      year <= 9999 &&
      ids.departments.has(Number(row.department_id)) &&
      ids.jobs.has(Number(row.job_id));
    if (!valid) bad.push(`hired_employees ${JSON.stringify(row)}`);
  }
  return bad;
}

// --- what is sent ---

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Finance', 'Sales', 'Recruiter', 'Ann Lee') },
  fc.constantFrom('Finance', 'Sales', ' padded ', '', 'a,b', '"quoted"', 'multi\nline', 'x'.repeat(300), 'año é 😀'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);
const id = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }) },
  fc.constantFrom(0, -1, MAX_ID, MAX_ID + 1, 1.5, 1e20),
  fc.string({ maxLength: 6 }),
);
const datetime = fc.oneof(
  fc.constantFrom('2021-07-27T16:02:08Z', '2021-02-30T00:00:00Z', '0999-01-01T00:00:00Z', '2021-07-27', ''),
  fc
    .date({ min: new Date('0500-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.string({ maxLength: 25 }),
);
const cell = (value: unknown) => {
  const s = String(value);
  return /[",\r\n]/.test(s) && s.length % 2 === 0 ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine = fc.oneof(
  fc.tuple(id, text).map((cells) => cells.map(cell).join(',')),
  fc.tuple(id, text, datetime, id, id).map((cells) => cells.map(cell).join(',')),
  fc.constantFrom('id,department', 'id,name,datetime,department_id,job_id', '', ',,,,', '"unclosed,1'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const csvBytes = fc.oneof(
  fc
    .tuple(fc.array(csvLine, { maxLength: 12 }), fc.constantFrom('\r\n', '\n', '\r'), fc.boolean())
    .map(([lines, eol, bom]) => Buffer.from(`${bom ? '\uFEFF' : ''}${lines.join(eol)}`)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);
const fileName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('departments.csv', 'jobs.csv', 'hired_employees.csv') },
  fc.constantFrom('departments.csv', 'jobs.csv', 'hired_employees.csv', 'DEPARTMENTS (2).CSV', 'notes.csv', 'año.csv'),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `${s}.csv`),
);
const field = fc.tuple(
  fc.constantFrom('table', 'batchSize', 'rejectMode', 'header', 'other', 'table[0]', '__proto__'),
  fc.constantFrom('departments', 'jobs', 'hired_employees', '2', '0', 'row', 'batch', 'true', 'auto', 'x', ''),
);

/** File names as a sender may spell them in filename*=UTF-8''…: any characters, controls included. */
const anyFileName = fc
  .tuple(
    fc.constantFrom('departments', 'jobs', 'hired_employees', ''),
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('\n2026-01-01 LOG [Auth] OK', '\x1b]0;title\x07', '\u009b31m', '\u202Egnp.csv', '\r\n\t'),
    ),
    fc.constantFrom('.csv', '.CSV', ''),
  )
  .map(([table, middle, extension]) => `${table}${middle}${extension}`);

/** One multipart body, well formed, then perhaps broken. */
const multipart = fc
  .record({
    fields: fc.array(field, { maxLength: 3 }),
    files: fc.array(fc.tuple(fileName, csvBytes, fc.constantFrom('file', 'files', '')), { minLength: 1, maxLength: 3 }),
    charset: fc.constantFrom('', '; charset=utf-8', '; charset=utf-16le', '; charset=x-nonsense'),
    mutation: fc.constantFrom('none', 'truncate', 'boundary', 'garbage header', 'no closing', 'no boundary'),
    at: fc.nat(),
    garbage: fc.uint8Array({ minLength: 1, maxLength: 40 }),
    async: fc.boolean(),
  })
  .map((m) => {
    const boundary = 'fuzzBOUNDARY';
    const chunks: Buffer[] = [];
    for (const [name, value] of m.fields) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    }
    for (const [name, bytes, fieldName] of m.files) {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="${name}"\r\n`),
      );
      if (m.mutation === 'garbage header') chunks.push(Buffer.from(m.garbage), Buffer.from('\r\n'));
      chunks.push(Buffer.from('Content-Type: text/csv\r\n\r\n'), bytes, Buffer.from('\r\n'));
    }
    if (m.mutation !== 'no closing') chunks.push(Buffer.from(`--${boundary}--\r\n`));
    let body = Buffer.concat(chunks);
    if (m.mutation === 'truncate') body = body.subarray(0, m.at % (body.length + 1));
    const sent = m.mutation === 'boundary' ? 'otherBOUNDARY' : boundary;
    const contentType =
      m.mutation === 'no boundary'
        ? `multipart/form-data${m.charset}`
        : `multipart/form-data; boundary=${sent}${m.charset}`;
    return { body, contentType, path: m.async ? '/migrate?async=true' : '/migrate' };
  });

const ROWS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  departments: fc.record({ id, department: text }),
  jobs: fc.record({ id, job: text }),
  hired_employees: fc.record({ id, name: text, datetime, department_id: id, job_id: id }),
};
const anyRow = fc.record(
  { id, department: text, job: text, name: text, datetime, department_id: id, job_id: id, extra: fc.anything() },
  { requiredKeys: [] },
);
/** A table (or not) and a body for it: rows of its shape, rows of any shape, any JSON, or JSON cut short. */
const jsonBatch = fc
  .oneof(fc.constantFrom(...TABLES), fc.constantFrom('employees', '..%2Fetc', 'DEPARTMENTS'))
  .chain((table) =>
    fc.tuple(
      fc.constant(table),
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .array(ROWS[table] ?? anyRow, { minLength: 1, maxLength: 8 })
            .map((rows) => JSON.stringify(rows)),
        },
        fc.array(anyRow, { maxLength: 8 }).map((rows) => JSON.stringify(rows)),
        fc.json({ maxDepth: 3 }),
        fc
          .tuple(fc.array(anyRow, { minLength: 1, maxLength: 4 }), fc.nat())
          .map(([rows, at]) => JSON.stringify(rows).slice(0, at % 40)),
      ),
    ),
  );

/** An Avro file: a real backup with bytes flipped, cut, inserted or repeated. */
const avroMutation = fc.record({
  table: fc.constantFrom('departments' as const, 'jobs' as const),
  kind: fc.constantFrom('flip', 'cut', 'insert', 'repeat', 'none'),
  at: fc.nat(),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

function mutate(original: Buffer, m: { kind: string; at: number; bytes: Uint8Array }): Buffer {
  const at = m.at % (original.length + 1);
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(original);
      m.bytes.forEach((b, i) => {
        if (at + i < copy.length) copy[at + i] ^= b || 1;
      });
      return copy;
    }
    case 'cut':
      return original.subarray(0, at);
    case 'insert':
      return Buffer.concat([original.subarray(0, at), Buffer.from(m.bytes), original.subarray(at)]);
    case 'repeat':
      return Buffer.concat([original.subarray(0, at), original.subarray(at - (at % 64)), original.subarray(at)]);
    default:
      return original;
  }
}

async function rejectsCsv(t: TestApp, runId: number, query: string): Promise<string> {
  const res = await request(t.server)
    .get(`/migrate/runs/${runId}/rejects.csv${query}`)
    .buffer(true)
    .parse((r, done) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (body += chunk));
      r.on('end', () => done(null, body));
    })
    .expect(200);
  return res.body as string;
}

/** A CSV text's records, as a CSV reader reads them. */
function records(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const found: string[][] = [];
    parseString(text)
      .on('data', (record: string[]) => found.push(record))
      .on('error', reject)
      .on('end', () => resolve(found));
  });
}

/** A write without the right key: any route, any header but the key, any body, perhaps announced longer than sent. */
const keylessWrite = fc.record({
  route: fc.constantFrom<[string, string]>(
    ['POST', '/migrate'],
    ['POST', '/migrate?async=true'],
    ['POST', '/migrate/departments'],
    ['POST', '/migrate/nope'],
    ['POST', '/backup/jobs'],
    ['POST', '/restore/jobs'],
    ['DELETE', '/backup/jobs/jobs-20210101T000000000Z.avro'],
  ),
  authorization: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dGVzdA==', 'bearer wrong-key-0123456789', 'Bearer a b'),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'multipart/form-data; boundary=x',
    'text/csv',
    'application/x-www-form-urlencoded',
  ),
  body: fc.oneof(
    fc.json({ maxDepth: 2 }).map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 300 }).map(Buffer.from),
  ),
  missing: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000_000 })),
});

/** A run id as a client may send it, and what else it may send with the stream request. */
const streamRequest = fc.record({
  id: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('1', '2') },
    fc.constantFrom('0', '-1', '999999', '2147483648', '1e3', '01', 'abc', '%00', '1%2F..', ''),
    fc.string({ maxLength: 8 }).map(encodeURIComponent),
  ),
  lastEventId: fc.option(fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))),
  accept: fc.constantFrom('text/event-stream', '*/*', 'application/json'),
});

interface RawAnswer extends Answer {
  /** The body as sent, however it is typed. */
  raw: string;
}

/** One request on its own connection; resolves on the answer, whether or not the whole body was sent. */
function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers });
    req.on('response', (res) => {
      let raw = '';
      res.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          text: raw,
          raw,
          body: parsed,
          headers: res.headers as Record<string, string>,
        });
        req.destroy();
      });
    });
    // The server closes a refused body's connection while the client may still be sending.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    if (body) req.write(body);
    else req.end();
  });
}

describe.each(testEngines())('fuzzing the API on %s', (engine) => {
  let t: TestApp;
  const backups: Record<string, Buffer> = {};

  beforeAll(async () => {
    process.stdout.write(`fuzz on ${engine}: seed ${SEED}, ${RUNS} runs each (replay with FUZZ_SEED=${SEED})\n`);
    t = await startTestApp(engine);
    await t.app.listen(0);
    await seedOneDepartmentAndJob(t);
    for (const table of ['departments', 'jobs']) {
      const res = await request(t.server).post(`/backup/${table}`).set(t.auth).expect(201);
      backups[table] = readFileSync(join(t.backupDir, res.body.file as string));
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sends, checks the answer, then that the service is up and the tables valid. */
  async function check(send: () => PromiseLike<Answer>): Promise<void> {
    expectSafe(await send());
    await request(t.server).get('/health').expect(200);
    expect(await invalidRows(t)).toEqual([]);
  }

  it('should answer any multipart body safely', async () => {
    await fc.assert(
      fc.asyncProperty(multipart, ({ body, contentType, path }) =>
        check(() => request(t.server).post(path).set(t.auth).set('Content-Type', contentType).send(body)),
      ),
      PARAMETERS,
    );
  });

  it('should load any CSV bytes safely', async () => {
    const options = fc.record({
      name: fileName,
      rejectMode: fc.constantFrom('row', 'batch'),
      header: fc.constantFrom('auto', 'true', 'false'),
      batchSize: fc.constantFrom('1', '3', '1000'),
    });
    await fc.assert(
      fc.asyncProperty(csvBytes, options, (bytes, o) =>
        check(() =>
          request(t.server)
            .post('/migrate')
            .set(t.auth)
            .field('rejectMode', o.rejectMode)
            .field('header', o.header)
            .field('batchSize', o.batchSize)
            .attach('file', bytes, { filename: o.name, contentType: 'text/csv' }),
        ),
      ),
      PARAMETERS,
    );
  });

  it('should store any file name without control characters', async () => {
    await fc.assert(
      fc.asyncProperty(anyFileName, async (name) => {
        const boundary = 'fuzzNAME';
        const encoded = encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
        const body = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="table"\r\n\r\ndepartments\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"; filename*=UTF-8''${encoded}\r\n` +
            `Content-Type: text/csv\r\n\r\n1,Finance\r\n--${boundary}--\r\n`,
        );
        let res: Answer | undefined;
        await check(async () => {
          res = await request(t.server)
            .post('/migrate')
            .set(t.auth)
            .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
            .send(body);
          return res;
        });
        if (res?.status !== 201) return;
        for (const run of (res.body as { runs: { file: string }[] }).runs) expect(run.file).not.toMatch(NAME_CONTROL);
        const list = await request(t.server).get('/migrate/runs?limit=5').expect(200);
        for (const run of list.body.items as { file: string | null }[])
          expect(run.file ?? '').not.toMatch(NAME_CONTROL);
      }),
      PARAMETERS,
    );
  });

  it('should give back every rejected row as a CSV reader reads it, with no formula cell when reasons=true', async () => {
    await fc.assert(
      fc.asyncProperty(csvBytes, fc.constantFrom('auto', 'false'), async (bytes, header) => {
        const res = await request(t.server)
          .post('/migrate')
          .set(t.auth)
          .field('table', 'departments')
          .field('rejectMode', 'row')
          .field('header', header)
          .attach('file', bytes, { filename: 'departments.csv', contentType: 'text/csv' });
        expectSafe(res);
        if (res.status !== 201) return;
        const [run] = res.body.runs as { id: number; rowsRejected: number; headerSkipped: boolean }[];
        const detail = await request(t.server).get(`/migrate/runs/${run.id}?rejectedLimit=1000`).expect(200);
        const reasons = (detail.body.rejected as { errors: { reason: string }[] }[])
          .flatMap((b) => b.errors.map((e) => e.reason))
          .join('\n');
        const plain = await rejectsCsv(t, run.id, '');
        const reasonsCsv = await rejectsCsv(t, run.id, '?reasons=true');
        // A row whose own quotes are broken is given back as sent, broken: a reader cannot read it.
        if (/quote/.test(reasons)) return;
        const withReasons = await records(reasonsCsv);
        for (const cell of withReasons.flat()) expect(cell).not.toMatch(FORMULA_CELL);
        expect(await records(plain)).toHaveLength(run.rowsRejected + (run.headerSkipped ? 1 : 0));
        expect(withReasons).toHaveLength(run.rowsRejected + 1);
        for (const record of withReasons.slice(1)) expect(record[record.length - 3]).toMatch(/^[1-9]\d*$/);
      }),
      PARAMETERS,
    );
  });

  it('should answer any JSON batch safely', async () => {
    await fc.assert(
      fc.asyncProperty(jsonBatch, ([name, body]) =>
        check(() =>
          request(t.server).post(`/migrate/${name}`).set(t.auth).set('Content-Type', 'application/json').send(body),
        ),
      ),
      PARAMETERS,
    );
  });

  it('should restore or refuse any Avro file safely', async () => {
    await fc.assert(
      fc.asyncProperty(avroMutation, (m) => {
        const file = `${m.table}-fuzz.avro`;
        writeFileSync(join(t.backupDir, file), mutate(backups[m.table], m));
        return check(() => request(t.server).post(`/restore/${m.table}`).set(t.auth).send({ file }));
      }),
      PARAMETERS,
    );
  });

  it('should refuse any write without the key with 401, unread, and change nothing', async () => {
    const port = (t.server.address() as AddressInfo).port;
    const counts = async () => [
      Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM migration_runs'))[0].n),
      (await request(t.server).get('/backup/jobs').expect(200)).body.length as number,
    ];
    const before = await counts();
    await fc.assert(
      fc.asyncProperty(keylessWrite, async (w) => {
        const [method, path] = w.route;
        const headers: Record<string, string> = {
          'Content-Type': w.contentType,
          'Content-Length': String(w.body.length + w.missing),
        };
        if (w.authorization !== undefined) headers.Authorization = w.authorization;
        // Sent only in part when `missing` > 0: an answer can only come without reading the rest.
        const res = await rawRequest(port, method, path, headers, w.body);
        expectSafe(res);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: expect.stringMatching(/^AUTH_(MISSING|INVALID)_KEY$/) });
        await request(t.server).get('/health').expect(200);
      }),
      PARAMETERS,
    );
    expect(await counts()).toEqual(before);
  });

  it('should answer any event stream request with a stream that ends, or a 4xx JSON answer', async () => {
    const port = (t.server.address() as AddressInfo).port;
    await fc.assert(
      fc.asyncProperty(streamRequest, async (s) => {
        const headers: Record<string, string> = { Accept: s.accept };
        if (s.lastEventId !== null) headers['Last-Event-ID'] = s.lastEventId;
        const res = await rawRequest(port, 'GET', `/migrate/runs/${s.id}/events`, headers);
        if (res.status === 200) {
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          const events = parseServerSentEvents(res.raw);
          expect(events.at(-1)?.event).toBe('end');
          expect(leaksIn(res.raw)).toEqual([]);
        } else {
          expect(res.status).not.toBe(429);
          expectSafe(res);
        }
        await request(t.server).get('/health').expect(200);
      }),
      PARAMETERS,
    );
  });
});
