import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { leaksIn, seedOneDepartmentAndJob } from '../support/hr-files';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const CORPUS = join(__dirname, '..', 'fixtures', 'hostile');
const fixture = (name: string) => readFileSync(join(CORPUS, name));

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

interface HostileCase {
  name: string;
  send(t: TestApp): Promise<Answer>;
  /** The status expected: a 4xx, or 201 when the file loads with per-row rejects. */
  status: number;
  /** What the message (or, for a run, its reject reasons) must say. */
  says?: RegExp;
  /** Departments the case may add: only its valid rows, exactly as sent. */
  adds?: Record<number, string>;
}

function csv(t: TestApp, content: Buffer | string, fileName = 'departments.csv', table?: string) {
  const req = request(t.server).post('/migrate').set(t.auth).field('rejectMode', 'row');
  if (table !== undefined) req.field('table', table);
  return req.attach('file', Buffer.from(content), fileName).then((r) => r);
}

function json(t: TestApp, path: string, body: Buffer | string) {
  return request(t.server)
    .post(path)
    .set(t.auth)
    .set('Content-Type', 'application/json')
    .send(Buffer.from(body).toString())
    .then((r) => r);
}

/** A valid row holding U+FFFD as UTF-8, then a row holding a Latin-1 byte. */
const utf8AndLatin1 = () => Buffer.concat([Buffer.from('52,Point \uFFFD\n53,caf'), Buffer.from([0xe9])]);

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const hugeArray = `[${'1,'.repeat(1_999_999)}1]`;

const CASES: HostileCase[] = [
  { name: 'binary bytes', send: (t) => csv(t, fixture('csv/binary.bin')), status: 201 },
  {
    name: 'bytes that are not UTF-8',
    send: (t) => csv(t, fixture('csv/invalid-utf8.csv')),
    status: 201,
    says: /line 2 holds bytes that are not UTF-8 text/,
    adds: { 51: 'Valid' },
  },
  {
    name: 'U+FFFD sent as a character (EF BF BD)',
    send: (t) => csv(t, utf8AndLatin1()),
    status: 201,
    says: /line 2 holds bytes that are not UTF-8 text/,
    adds: { 52: 'Point \uFFFD' },
  },
  {
    name: 'a JSON body whose bytes are not UTF-8',
    send: (t) =>
      request(t.server)
        .post('/migrate/departments')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        .serialize((body: Buffer) => body as unknown as string)
        .send(Buffer.from([...Buffer.from('[{"id":54,"department":"caf'), 0xe9, ...Buffer.from('"}]')]))
        .then((r) => r),
    status: 400,
    says: /^The request body must be UTF-8$/,
  },
  {
    name: 'control characters',
    send: (t) => csv(t, fixture('csv/control-characters.csv')),
    status: 201,
    says: /line 1 holds a control character/,
    adds: { 57: 'Fine' },
  },
  {
    name: 'names that look blank or hold C1 and bidirectional controls',
    send: (t) => csv(t, '81,\u2800\n82,\u200B\u2800\n83,\u{1D159}\n84,\u202Eevil\n85,y\u009B31m\n86,\u2800Visible'),
    status: 201,
    says: /department holds only invisible characters[^]*department holds a control character/,
    adds: { 86: '\u2800Visible' },
  },
  {
    name: 'SQL in every field',
    send: (t) => csv(t, fixture('csv/sql-in-every-field.csv')),
    status: 201,
    says: /id 63 OR 1=1 is not a positive integer/,
    adds: {
      61: "Robert'); DROP TABLE departments;--",
      62: '1; DELETE FROM jobs WHERE 1=1',
      64: "' OR '1'='1",
      66: 'x" UNION SELECT id, department FROM departments --',
      67: 'SLEEP(10)',
    },
  },
  {
    name: 'a 3 MB field',
    send: (t) => csv(t, `71,Ok\r\n72,${'x'.repeat(3 * 1024 * 1024)}\r\n73,Fine too`),
    status: 201,
    says: /line 2: field 2 is longer than 65536 characters/,
    adds: { 71: 'Ok', 73: 'Fine too' },
  },
  {
    name: 'a line over 1 MiB',
    send: (t) => csv(t, `74,${Array(20).fill('y'.repeat(60_000)).join(',')}\r\n75,After`),
    status: 201,
    says: /line 1 is longer than 1048576 characters/,
    adds: { 75: 'After' },
  },
  {
    name: '200 columns',
    send: (t) => csv(t, `76,${Array(199).fill('c').join(',')}\r\n77,Two columns`),
    status: 201,
    says: /expected 2 columns, found 200/,
    adds: { 77: 'Two columns' },
  },
  {
    name: 'a path in the file name',
    send: (t) => csv(t, '1,Finance', '../../etc/passwd.csv'),
    status: 400,
    says: /Cannot tell the table of "passwd\.csv"/,
  },
  {
    name: 'a path in the table field',
    send: (t) => csv(t, '1,Finance', 'x.csv', '../../etc/passwd'),
    status: 400,
    says: /table/,
  },
  {
    name: 'a path in the table of the JSON route',
    send: (t) => json(t, '/migrate/..%2F..%2Fetc%2Fpasswd', '[{"id":1}]'),
    status: 400,
    says: /Unknown table/,
  },
  {
    name: 'JSON nested a million levels deep, to /migrate/:table',
    send: (t) => json(t, '/migrate/departments', deep(1_000_000)),
    status: 400,
    says: /nested more than 32 levels deep/,
  },
  {
    name: 'JSON nested a million levels deep, to /restore/:table',
    send: (t) => json(t, '/restore/departments', `{"file":${deep(1_000_000)}}`),
    status: 400,
    says: /nested more than 32 levels deep/,
  },
  {
    name: 'a 2,000,000-element array, to /migrate/:table',
    send: (t) => json(t, '/migrate/departments', hugeArray),
    status: 400,
    says: /^The JSON body holds more than 100000 values$/,
  },
  {
    name: 'a 2,000,000-element array, to /restore/:table',
    send: (t) => json(t, '/restore/departments', `{"file":${hugeArray}}`),
    status: 400,
    says: /^The JSON body holds more than 100000 values$/,
  },
  {
    name: 'malformed JSON, to /migrate/:table',
    send: (t) => json(t, '/migrate/departments', fixture('json/malformed.json')),
    status: 400,
    says: /^The request body is not valid JSON$/,
  },
  {
    name: 'malformed JSON, to /restore/:table',
    send: (t) => json(t, '/restore/departments', fixture('json/malformed.json')),
    status: 400,
    says: /^The request body is not valid JSON$/,
  },
  {
    name: 'SQL in every JSON field',
    send: (t) => json(t, '/migrate/departments', fixture('json/sql-in-every-field.json')),
    status: 422,
    says: /2 of 2 rows cannot be loaded; nothing was written/,
  },
  {
    name: 'a __proto__ key',
    send: (t) => json(t, '/migrate/departments', fixture('json/prototype-pollution.json')),
    status: 422,
    says: /cannot be loaded/,
  },
  {
    name: 'a constructor key',
    send: (t) => json(t, '/migrate/departments', fixture('json/constructor-pollution.json')),
    status: 422,
    says: /cannot be loaded/,
  },
  {
    name: 'a restore of ../../../../etc/passwd',
    send: (t) => json(t, '/restore/departments', fixture('json/restore-path-traversal.json')),
    status: 400,
    says: /not one of the backups|backup/i,
  },
  {
    name: 'a restore of /etc/passwd',
    send: (t) => json(t, '/restore/departments', fixture('json/restore-absolute-path.json')),
    status: 400,
    says: /backup/i,
  },
  {
    name: 'a restore file that is not a string',
    send: (t) => json(t, '/restore/departments', fixture('json/restore-not-a-string.json')),
    status: 400,
    says: /file/,
  },
  {
    name: 'JSON sent to the upload route',
    send: (t) => json(t, '/migrate', '[{"id":1,"department":"x"}]'),
    status: 400,
    says: /multipart\/form-data/,
  },
];

type Snapshot = Record<string, string>;

async function snapshot(t: TestApp): Promise<Snapshot> {
  const result: Snapshot = {};
  for (const table of ['departments', 'jobs', 'hired_employees']) {
    const rows: unknown[] = await t.dataSource.query(`SELECT * FROM ${table} ORDER BY id`);
    result[table] = JSON.stringify(rows);
  }
  return result;
}

async function reasonsOf(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const runs = (body.runs ?? []) as { id: number }[];
  const reasons: string[] = [];
  for (const run of runs) {
    const detail = await request(t.server).get(`/migrate/runs/${run.id}`).expect(200);
    for (const batch of detail.body.rejected) for (const e of batch.errors) reasons.push(e.reason);
  }
  return reasons.join('\n');
}

describe.each(testEngines())('the hostile corpus on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedOneDepartmentAndJob(t);
    await request(t.server).post('/backup/departments').set(t.auth).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    'should answer %s clearly, leak nothing, keep only valid rows and stay up',
    async (_name, hostile) => {
      const before = await snapshot(t);
      const before_departments: { id: number; department: string }[] = JSON.parse(before.departments);
      const res = await hostile.send(t);

      expect(res.status).toBe(hostile.status);
      expect(leaksIn(res.text)).toEqual([]);
      if (res.status >= 400) {
        expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String) });
        expect(typeof res.body.message).toBe('string');
        if (hostile.says) expect(res.body.message).toMatch(hostile.says);
      } else {
        const [run] = res.body.runs as {
          status: string;
          rowsRead: number;
          rowsInserted: number;
          rowsRejected: number;
        }[];
        expect(run.rowsRead).toBe(run.rowsInserted + run.rowsRejected);
        expect(run.rowsInserted).toBe(Object.keys(hostile.adds ?? {}).length);
        if (hostile.says) expect(await reasonsOf(t, res.body)).toMatch(hostile.says);
      }

      const after = await snapshot(t);
      expect(after.jobs).toBe(before.jobs);
      expect(after.hired_employees).toBe(before.hired_employees);
      const expected = [
        ...before_departments.map((d) => ({ id: Number(d.id), department: d.department })),
        ...Object.entries(hostile.adds ?? {}).map(([id, department]) => ({ id: Number(id), department })),
      ].sort((a, b) => a.id - b.id);
      const departments = (JSON.parse(after.departments) as { id: number; department: string }[]).map((d) => ({
        id: Number(d.id),
        department: d.department,
      }));
      expect(departments).toEqual(expected);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await request(t.server).get('/health').expect(200);
    },
  );

  it('should load U+FFFD as the character it is when a JSON row holds it', async () => {
    const res = await json(t, '/migrate/departments', '[{"id":55,"department":"Unknown \uFFFD"}]');
    expect([res.status, res.body.rowsInserted]).toEqual([201, 1]);
    const [row] = await t.dataSource.query('SELECT department FROM departments WHERE id = 55');
    expect(row.department).toBe('Unknown \uFFFD');
    await t.dataSource.query('DELETE FROM departments WHERE id = 55');
  });

  it('should refuse an eleventh file with 400 and leave no temporary file behind', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'hr-hostile-spool-'));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = spool;
    try {
      // hired_employees first: it waits for the departments and jobs files, so it is spooled to disk.
      const req = request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', Buffer.from('900,Ann,2021-01-01T00:00:00Z,1,1'), 'hired_employees.csv');
      for (let i = 0; i < 10; i++) req.attach('file', Buffer.from(`${900 + i},Team ${i}`), `departments-${i}.csv`);
      const res = await req.then((r) => r);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Too many files in one request: send at most 10 files per request/);
      expect(leaksIn(res.text)).toEqual([]);
      expect(readdirSync(spool)).toEqual([]);
      const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM hired_employees WHERE id = 900');
      expect(Number(row.n)).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(spool, { recursive: true, force: true });
    }
    await request(t.server).get('/health').expect(200);
  });
});
