import { join } from 'node:path';
import request from 'supertest';
import { startTestApp } from '../support/test-app';
import { testEngines, type Engine } from '../support/test-database';

const GLOBANT = join(__dirname, '../fixtures/globant');
const FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'].map((f) => join(GLOBANT, f));

/** What a user sees of the sample files on one engine: the run counts, the reject reasons and both 2021 reports. */
interface Answers {
  counts: number[][];
  reasons: string;
  hiresByQuarter: string;
  departmentsAboveMean: string;
}

async function answersOn(engine: Engine): Promise<Answers> {
  const t = await startTestApp(engine);
  try {
    const req = request(t.server).post('/migrate').set(t.auth).field('rejectMode', 'row');
    for (const file of FILES) req.attach('file', file);
    const res = await req.expect(201);
    const runs: { id: number; table: string; rowsRead: number; rowsInserted: number; rowsRejected: number }[] =
      res.body.runs;
    const employees = runs.find((run) => run.table === 'hired_employees');
    const run = await request(t.server).get(`/migrate/runs/${employees?.id}`).expect(200);
    const reasons = run.body.rejected.flatMap((batch: { errors: unknown[] }) => batch.errors);
    return {
      counts: runs.map((r) => [r.rowsRead, r.rowsInserted, r.rowsRejected]),
      reasons: JSON.stringify(reasons),
      hiresByQuarter: (await request(t.server).get('/reports/hires-by-quarter?year=2021').expect(200)).text,
      departmentsAboveMean: (await request(t.server).get('/reports/departments-above-mean?year=2021').expect(200)).text,
    };
  } finally {
    await t.close();
  }
}

const engines = testEngines();
const onSeveral = engines.length > 1 ? describe : describe.skip;

onSeveral(`the sample files on ${engines.join(', ')}`, () => {
  const answers = new Map<Engine, Answers>();

  beforeAll(async () => {
    for (const engine of engines) answers.set(engine, await answersOn(engine));
  }, 240_000);

  it('should load 12, 183 and 1929 rows of 1999 with the same 70 reasons when the engines differ', () => {
    for (const engine of engines) {
      const { counts, reasons } = answers.get(engine)!;
      expect({ engine, counts }).toEqual({
        engine,
        counts: [
          [12, 12, 0],
          [183, 183, 0],
          [1999, 1929, 70],
        ],
      });
      expect(JSON.parse(reasons)).toHaveLength(70);
      expect({ engine, reasons }).toEqual({ engine, reasons: answers.get('sqlite')!.reasons });
    }
  });

  it('should answer both 2021 reports with the same JSON, byte for byte, when the engines differ', () => {
    const first = answers.get('sqlite')!;
    expect(JSON.parse(first.hiresByQuarter).length).toBeGreaterThan(0);
    expect(JSON.parse(first.departmentsAboveMean).length).toBeGreaterThan(0);
    for (const engine of engines) {
      const { hiresByQuarter, departmentsAboveMean } = answers.get(engine)!;
      expect({ engine, hiresByQuarter }).toEqual({ engine, hiresByQuarter: first.hiresByQuarter });
      expect({ engine, departmentsAboveMean }).toEqual({ engine, departmentsAboveMean: first.departmentsAboveMean });
    }
  });
});
