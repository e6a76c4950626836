import { compareNames } from '../../src/common/name-order';
import type {
  DepartmentAboveMeanResponseDto,
  HiresByQuarterRowResponseDto,
} from '../../src/reports/dto/report-response.dto';
import { yearRange } from '../../src/reports/report-year';
import { ReportsRepository } from '../../src/reports/reports.repository';
import { seed, type SeedEmployee } from '../support/seed';
import { startTestApp } from '../support/test-app';
import { testEngines, type Engine } from '../support/test-database';

/** Names in many scripts and cases, pairs that differ only in case or accents, and two namesakes. */
const DEPARTMENT_NAMES = [
  'Zookeeper',
  'Ökonom',
  'économiste',
  'accounting',
  'Accounting',
  'Ærø office',
  'Øresund',
  'Łódź',
  'lodz',
  'Œuvres',
  'oeuvres',
  'Ñandú',
  'nandu',
  'Straße',
  'strasse',
  'Ärzte',
  'arzte',
  'Édition',
  'edition',
  'Zookeeper',
];
const JOB_NAMES = ['Ökonom', 'analyst', 'Analyst', 'Élève', 'eleve', 'ßtudent', 'Zeta', 'Łowca', 'Ñu', 'Øl'];

const departments = DEPARTMENT_NAMES.map((department, i) => ({ id: i + 1, department }));
const jobs = JOB_NAMES.map((job, i) => ({ id: i + 1, job }));

/** Department d hires 2 to 5 people in 2021 (many ties), each on a job that varies with d, over the quarters. */
function employees(): SeedEmployee[] {
  const rows: SeedEmployee[] = [];
  for (const { id: d } of departments) {
    for (let k = 0; k <= 1 + (d % 4); k++) {
      rows.push({
        id: rows.length + 1,
        name: `Employee ${rows.length + 1}`,
        datetime: `2021-${String(1 + ((d + k) % 12)).padStart(2, '0')}-15 12:00:00.000`,
        department_id: d,
        job_id: 1 + ((d * 7 + k * 3) % jobs.length),
      });
    }
  }
  return rows;
}

interface Reports {
  hires: HiresByQuarterRowResponseDto[];
  aboveMean: DepartmentAboveMeanResponseDto[];
}

async function reportsOn(engine: Engine): Promise<Reports> {
  const t = await startTestApp(engine);
  try {
    await seed(t.dataSource, { departments, jobs, employees: employees() });
    const repository = t.app.get(ReportsRepository);
    return {
      hires: await repository.countHiresByQuarter(yearRange(2021)),
      aboveMean: await repository.findDepartmentsAboveMean(yearRange(2021)),
    };
  } finally {
    await t.close();
  }
}

describe('report order on every engine', () => {
  const engines = testEngines();
  const results = new Map<Engine, Reports>();

  beforeAll(async () => {
    for (const engine of engines) results.set(engine, await reportsOn(engine));
  });

  it.each(engines)('should order hires-by-quarter by department then job as compareNames does on %s', (engine) => {
    const { hires } = results.get(engine) as Reports;
    expect(hires.length).toBeGreaterThan(DEPARTMENT_NAMES.length);
    for (let i = 1; i < hires.length; i++) {
      const [a, b] = [hires[i - 1], hires[i]];
      const byDepartment = compareNames(a.department, b.department);
      expect(byDepartment).toBeLessThanOrEqual(0);
      // Namesakes (the two Zookeepers) are told apart by id: the next test checks them.
      if (byDepartment === 0 && a.department !== 'Zookeeper') expect(compareNames(a.job, b.job)).toBeLessThanOrEqual(0);
    }
  });

  it.each(engines)('should put names people sort together side by side on %s', (engine) => {
    const names = [...new Set((results.get(engine) as Reports).hires.map((r) => r.department))];
    expect(names.indexOf('Accounting') + 1).toBe(names.indexOf('accounting'));
    expect(names.indexOf('edition') + 1).toBe(names.indexOf('Édition'));
    expect(names.indexOf('Ökonom')).toBeLessThan(names.indexOf('Zookeeper'));
    expect(names.indexOf('économiste')).toBeLessThan(names.indexOf('Zookeeper'));
    expect(names.indexOf('Łódź')).toBeLessThan(names.indexOf('Ñandú'));
  });

  it.each(engines)("should keep each department's rows together when two departments share a name on %s", (engine) => {
    const { hires } = results.get(engine) as Reports;
    const zoo = hires.map((r, i) => (r.department === 'Zookeeper' ? i : -1)).filter((i) => i >= 0);
    const jobsOfZoo = zoo.map((i) => hires[i].job);
    // Department 1 and department 20 are both Zookeeper: two sorted runs of jobs, one after the other.
    const breaks = jobsOfZoo.filter((job, i) => i > 0 && compareNames(jobsOfZoo[i - 1], job) > 0).length;
    expect(breaks).toBe(1);
  });

  it.each(engines)('should order departments-above-mean by hires then name on %s', (engine) => {
    const { aboveMean } = results.get(engine) as Reports;
    expect(aboveMean.length).toBeGreaterThan(1);
    for (let i = 1; i < aboveMean.length; i++) {
      const [a, b] = [aboveMean[i - 1], aboveMean[i]];
      expect(b.hired < a.hired || (b.hired === a.hired && compareNames(a.department, b.department) <= 0)).toBe(true);
    }
  });

  it('should answer the same rows in the same order from every engine', () => {
    const [first, ...others] = engines.map((engine) => results.get(engine) as Reports);
    for (const other of others) expect(other).toEqual(first);
  });
});
