import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

async function departments(t: TestApp): Promise<string[]> {
  const rows: { department: string }[] = await t.dataSource.query('SELECT department FROM departments ORDER BY id');
  return rows.map((r) => r.department);
}

describe.each(testEngines())('text that is not well formed or only invisible on %s', (engine) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(engine);
  });
  afterEach(async () => {
    await t.close();
  });

  it('should answer 422 with a reason per row and write nothing when a JSON name holds a lone surrogate or only invisible characters', async () => {
    // Written by hand: JSON.stringify would not keep the lone surrogate as an escape.
    const body =
      '[{"id":1,"department":"A\\ud800B"},{"id":2,"department":"\\u200b"},' +
      '{"id":3,"department":"\\u2060\\ufeff"},{"id":4,"department":"Legal"}]';
    const res = await request(t.server)
      .post('/migrate/departments')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(422);
    expect(res.body.errors).toEqual([
      {
        row: 1,
        field: 'department',
        value: 'A\ud800B',
        reason: 'department is not well-formed text (it holds a lone UTF-16 surrogate)',
      },
      { row: 2, field: 'department', value: '\u200b', reason: 'department holds only invisible characters' },
      { row: 3, field: 'department', value: '\u2060\ufeff', reason: 'department holds only invisible characters' },
    ]);
    await expect(departments(t)).resolves.toEqual([]);
  });

  it('should reject those rows with their reasons and load the others when a CSV file holds them', async () => {
    const file = Buffer.concat([
      Buffer.from('1,\u200B\r\n2,\u2060\uFEFF\r\n3,A'),
      Buffer.from([0xed, 0xa0, 0x80]), // a lone surrogate as UTF-8 would write it
      Buffer.from('B\r\n4,Legal\r\n5,Zo\u00eb\u200B'),
    ]);
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .field('rejectMode', 'row')
      .attach('file', file, 'departments.csv')
      .expect(201);
    expect(res.body.runs[0]).toMatchObject({ rowsRead: 5, rowsInserted: 2, rowsRejected: 3 });
    const run = await request(t.server).get(`/migrate/runs/${res.body.runs[0].id}`).expect(200);
    const reasons = run.body.rejected.flatMap((b: { errors: { line: number; reason: string }[] }) =>
      b.errors.map((e) => [e.line, e.reason]),
    );
    expect(reasons).toEqual([
      [1, 'department holds only invisible characters'],
      [2, 'department holds only invisible characters'],
      [3, 'line 3 holds bytes that are not UTF-8 text: save the file as "CSV UTF-8"'],
    ]);
    await expect(departments(t)).resolves.toEqual(['Legal', 'Zo\u00eb\u200B']);
  });
});
