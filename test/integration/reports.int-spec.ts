import { compareNames } from '../../src/common/name-order';
import { ReportsRepository } from '../../src/reports/reports.repository';
import { yearRange } from '../../src/reports/report-year';
import { seed, toStoredUtc } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const DEPARTMENTS = [
  { id: 1, department: 'accounting' },
  { id: 2, department: 'Business' },
  { id: 3, department: 'Customer care' },
  { id: 4, department: 'Dormant' },
];
const JOBS = [
  { id: 1, job: 'analyst' },
  { id: 2, job: 'Buyer' },
  { id: 3, job: 'clerk' },
];

/** Hires as the source files give them (ISO 8601 with a zone), around the year and quarter boundaries. */
const HIRES: [id: number, at: string, departmentId: number, jobId: number][] = [
  [1, '2021-01-01T00:00:00Z', 1, 2],
  [2, '2021-03-31T23:59:59.999Z', 1, 1],
  [3, '2021-04-01T00:00:00.000Z', 1, 1],
  [4, '2021-06-30T20:00:00-05:00', 2, 3],
  [5, '2021-09-30T23:59:59.999Z', 2, 3],
  [6, '2021-10-01T00:00:00Z', 2, 2],
  [7, '2021-12-31T23:59:59.999Z', 2, 3],
  [8, '2020-12-31T23:59:59.999Z', 1, 2],
  [9, '2022-01-01T00:00:00Z', 2, 2],
  [10, '2021-01-01T01:00:00+02:00', 4, 3],
  [11, '2021-05-05T12:00:00.123Z', 3, 1],
  [12, '2020-06-01T09:15:00Z', 4, 3],
  [13, '2021-08-15T08:30:00+00:00', 3, 3],
];

const byName = compareNames;

const nameOf = (list: { id: number }[], id: number, key: 'department' | 'job'): string =>
  (list.find((item) => item.id === id) as unknown as Record<string, string>)[key];

/** The reports computed in JavaScript from the hand-made hires, to compare with the SQL. */
function expectedHiresByQuarter(year: number) {
  const pairs = new Map<string, { department: string; job: string; Q1: number; Q2: number; Q3: number; Q4: number }>();
  for (const [, at, departmentId, jobId] of HIRES) {
    const date = new Date(at);
    if (date.getUTCFullYear() !== year) continue;
    const key = `${departmentId}/${jobId}`;
    const row = pairs.get(key) ?? {
      department: nameOf(DEPARTMENTS, departmentId, 'department'),
      job: nameOf(JOBS, jobId, 'job'),
      Q1: 0,
      Q2: 0,
      Q3: 0,
      Q4: 0,
    };
    row[`Q${Math.floor(date.getUTCMonth() / 3) + 1}` as 'Q1'] += 1;
    pairs.set(key, row);
  }
  return [...pairs.values()].sort((a, b) => byName(a.department, b.department) || byName(a.job, b.job));
}

function expectedDepartmentsAboveMean(year: number) {
  const hired = new Map<number, number>();
  for (const [, at, departmentId] of HIRES) {
    if (new Date(at).getUTCFullYear() === year) hired.set(departmentId, (hired.get(departmentId) ?? 0) + 1);
  }
  const mean = [...hired.values()].reduce((sum, n) => sum + n, 0) / hired.size;
  return [...hired.entries()]
    .filter(([, n]) => n > mean)
    .map(([id, n]) => ({ id, department: nameOf(DEPARTMENTS, id, 'department'), hired: n }))
    .sort((a, b) => b.hired - a.hired || byName(a.department, b.department));
}

describe.each(testEngines())('report SQL on %s', (engine) => {
  let t: TestApp;
  let repository: ReportsRepository;

  beforeAll(async () => {
    t = await startTestApp(engine);
    repository = t.app.get(ReportsRepository);
    await seed(t.dataSource, {
      departments: DEPARTMENTS,
      jobs: JOBS,
      employees: HIRES.map(([id, at, department_id, job_id]) => ({
        id,
        name: `Employee ${id}`,
        datetime: toStoredUtc(at),
        department_id,
        job_id,
      })),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([2020, 2021, 2022])(
    'should count hires per quarter as computed from the hires when year is %i',
    async (year) => {
      await expect(repository.countHiresByQuarter(yearRange(year))).resolves.toEqual(expectedHiresByQuarter(year));
    },
  );

  it('should put the last millisecond of March in Q1 and the first of April in Q2 when both are hired', async () => {
    const rows = await repository.countHiresByQuarter(yearRange(2021));
    expect(rows.find((r) => r.department === 'accounting' && r.job === 'analyst')).toMatchObject({ Q1: 1, Q2: 1 });
  });

  it('should count a hire at 20:00 on 30 June at -05:00 in Q3 when the UTC instant is in July', async () => {
    const rows = await repository.countHiresByQuarter(yearRange(2021));
    expect(rows.find((r) => r.department === 'Business' && r.job === 'clerk')).toEqual({
      department: 'Business',
      job: 'clerk',
      Q1: 0,
      Q2: 0,
      Q3: 2,
      Q4: 1,
    });
  });

  it('should leave out a hire on 1 January at +02:00 when its UTC instant is in the previous year', async () => {
    const rows = await repository.countHiresByQuarter(yearRange(2021));
    expect(rows.map((r) => r.department)).not.toContain('Dormant');
  });

  it('should order departments and jobs case-insensitively when names differ in case', async () => {
    const rows = await repository.countHiresByQuarter(yearRange(2021));
    expect(rows.map((r) => `${r.department}/${r.job}`)).toEqual([
      'accounting/analyst',
      'accounting/Buyer',
      'Business/Buyer',
      'Business/clerk',
      'Customer care/analyst',
      'Customer care/clerk',
    ]);
  });

  it.each([2020, 2021])(
    'should list the departments above the mean as computed from the hires when year is %i',
    async (year) => {
      await expect(repository.findDepartmentsAboveMean(yearRange(year))).resolves.toEqual(
        expectedDepartmentsAboveMean(year),
      );
    },
  );

  it('should leave departments with no hire in the year out of the mean', async () => {
    // 2021: accounting 3, Business 4, Customer care 2 -> mean 3; with Dormant's 0 the mean would be 2.25.
    const rows = await repository.findDepartmentsAboveMean(yearRange(2021));
    expect(rows).toEqual([{ id: 2, department: 'Business', hired: 4 }]);
  });

  it('should list the UTC years of the hires, ascending, when hires span several years', async () => {
    const years = [...new Set(HIRES.map(([, at]) => new Date(at).getUTCFullYear()))].sort((a, b) => a - b);
    await expect(repository.listYearsWithHires()).resolves.toEqual(years);
  });

  it('should answer empty lists when nobody was hired in the year', async () => {
    await expect(repository.countHiresByQuarter(yearRange(1999))).resolves.toEqual([]);
    await expect(repository.findDepartmentsAboveMean(yearRange(1999))).resolves.toEqual([]);
  });
});
