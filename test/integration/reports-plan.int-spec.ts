import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDialect } from '../../src/database/dialect';
import { yearRange } from '../../src/reports/report-year';
import { insertRows, stored } from '../support/hr-seed';
import { globantData, seed } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const INDEX = 'idx_hired_employees_datetime';
const range = yearRange(2021);
const REPORTS: [file: string, params: string[]][] = [
  ['hires-by-quarter.sql', range.quarters.flat()],
  ['departments-above-mean.sql', [range.start, range.end]],
];

interface PostgresPlan {
  Plan: PostgresPlanNode;
}
interface PostgresPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PostgresPlanNode[];
}

/** Every node of a PostgreSQL plan. */
function scansOf(node: PostgresPlanNode): PostgresPlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(scansOf)];
}

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
    if (engine === 'postgres') {
      // Every hire of the sample is in 2021, and PostgreSQL rightly reads a whole table for a range that
      // holds all of it: years of earlier hires make the year a small part of the table, as in real use.
      const { departments, jobs } = globantData();
      const earlier = Array.from({ length: 20_000 }, (_, i) => [
        1_000_000 + i,
        `Earlier ${i}`,
        stored(Date.UTC(2010, 0, 1) + i * 3_600_000),
        departments[i % departments.length].id,
        jobs[i % jobs.length].id,
      ]);
      await insertRows(t.dataSource, 'hired_employees', earlier);
      // Autovacuum analyzes the table, and marks its pages all-visible for index-only scans, some time
      // after a load; the test does not wait for it.
      await t.dataSource.query('VACUUM ANALYZE hired_employees, departments, jobs');
    }
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
      } else if (engine === 'postgres') {
        const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': PostgresPlan[] }[] = await t.dataSource.query(
          `EXPLAIN (FORMAT JSON) ${createDialect(t.dataSource).sql(sql(file))}`,
          params,
        );
        const reads = scansOf(plan[0].Plan).filter((step) => step['Relation Name'] === 'hired_employees');
        expect(reads.length).toBeGreaterThan(0);
        for (const step of reads) {
          expect(step['Node Type']).toBe('Index Only Scan');
          expect(step['Index Name']).toBe(INDEX);
        }
      } else {
        const plan: { table: string; key: string | null }[] = await t.dataSource.query(`EXPLAIN ${sql(file)}`, params);
        const reads = plan.filter((step) => step.table === 'hired_employees');
        expect(reads.length).toBeGreaterThan(0);
        for (const step of reads) expect(step.key).toBe(INDEX);
      }
    },
  );
});
