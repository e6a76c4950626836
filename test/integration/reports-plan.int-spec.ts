import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yearRange } from '../../src/reports/report-year';
import { globantData, seed } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const INDEX = 'idx_hired_employees_datetime';
const range = yearRange(2021);
const REPORTS: [file: string, params: string[]][] = [
  ['hires-by-quarter.sql', range.quarters.flat()],
  ['departments-above-mean.sql', [range.start, range.end]],
];

function sql(file: string): string {
  return readFileSync(join(__dirname, '..', '..', 'src', 'reports', 'sql', file), 'utf8');
}

describe.each(testEngines())('report query plans on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seed(t.dataSource, globantData());
    // InnoDB keeps statistics by itself; SQLite plans without any unless someone runs ANALYZE, as the service does.
    if (engine === 'mysql') await t.dataSource.query('ANALYZE TABLE hired_employees, departments, jobs');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(REPORTS)(
    'should read hired_employees only through the datetime index when running %s',
    async (file, params) => {
      if (engine === 'sqlite') {
        const plan: { detail: string }[] = await t.dataSource.query(`EXPLAIN QUERY PLAN ${sql(file)}`, params);
        const reads = plan.map((step) => step.detail).filter((detail) => / hired_employees\b/.test(detail));
        expect(reads.length).toBeGreaterThan(0);
        for (const detail of reads)
          expect(detail).toMatch(
            new RegExp(`^SEARCH hired_employees USING COVERING INDEX ${INDEX} \\(datetime>\\? AND datetime<\\?\\)`),
          );
      } else {
        const plan: { table: string; key: string | null }[] = await t.dataSource.query(`EXPLAIN ${sql(file)}`, params);
        const reads = plan.filter((step) => step.table === 'hired_employees');
        expect(reads.length).toBeGreaterThan(0);
        for (const step of reads) expect(step.key).toBe(INDEX);
      }
    },
  );
});
