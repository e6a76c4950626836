import { Dialect } from '../../src/database/dialect';
import { MysqlDialect } from '../../src/database/dialects/mysql.dialect';
import { HrTablesRepository } from '../../src/migration/repositories/hr-tables.repository';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

// LOAD DATA LOCAL INFILE … REPLACE is MySQL/MariaDB's: the other engines insert the rows themselves.
const onMysql = testEngines().includes('mysql') ? describe : describe.skip;

type Row = [number, string, string, number, number];

onMysql('the employees batch through LOAD DATA on mysql', () => {
  let t: TestApp;
  let tables: HrTablesRepository;

  beforeAll(async () => {
    t = await startTestApp('mysql');
    tables = t.app.get(HrTablesRepository);
    await t.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'Finance'), (2, 'Sales')");
    await t.dataSource.query("INSERT INTO jobs (id, job) VALUES (1, 'Recruiter')");
  });
  afterAll(async () => {
    await t.close();
  });

  const read = async (): Promise<Row[]> =>
    (
      (await t.dataSource.query(
        'SELECT id, name, datetime, department_id, job_id FROM hired_employees ORDER BY id',
      )) as Record<string, unknown>[]
    ).map((r) => [
      Number(r.id),
      String(r.name),
      (r.datetime as Date).toISOString(),
      Number(r.department_id),
      Number(r.job_id),
    ]);

  const write = async (rows: Row[], localFiles?: boolean) => {
    const dialect = t.app.get(Dialect) as MysqlDialect;
    if (localFiles !== undefined) Object.assign(dialect, { localFiles });
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const stored = rows.map(([id, name, at, d, j]) => [id, name, at.replace('T', ' ').replace('Z', ''), d, j]);
      await tables.upsertBatch(runner, 'hired_employees', tables.encode('hired_employees', stored));
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  };

  it('should insert new rows and update rows whose id exists, text of any kind kept exactly', async () => {
    await t.dataSource.query('DELETE FROM hired_employees');
    await write([
      [1, 'Ann', '2021-01-01T00:00:00.000Z', 1, 1],
      [2, 'Tab\there \\ back\\slash', '2021-02-03T04:05:06.789Z', 2, 1],
    ]);
    await write([
      [2, 'Line\nbreak "quoted" Zoë 😀', '2022-02-03T04:05:06.000Z', 1, 1],
      [3, 'New', '2021-03-01T00:00:00.000Z', 2, 1],
    ]);
    expect(await read()).toEqual([
      [1, 'Ann', '2021-01-01T00:00:00.000Z', 1, 1],
      [2, 'Line\nbreak "quoted" Zoë 😀', '2022-02-03T04:05:06.000Z', 1, 1],
      [3, 'New', '2021-03-01T00:00:00.000Z', 2, 1],
    ]);
  });

  it('should write the same rows through a multi-row upsert when the server refuses local files', async () => {
    await t.dataSource.query('DELETE FROM hired_employees');
    await write([[5, 'Old', '2021-01-01T00:00:00.000Z', 1, 1]], false);
    await write(
      [
        [5, 'Tab\tand \\N', '2021-05-01T00:00:00.000Z', 2, 1],
        [6, 'x', '2021-06-01T00:00:00.000Z', 1, 1],
      ],
      false,
    );
    expect(await read()).toEqual([
      [5, 'Tab\tand \\N', '2021-05-01T00:00:00.000Z', 2, 1],
      [6, 'x', '2021-06-01T00:00:00.000Z', 1, 1],
    ]);
    Object.assign(t.app.get(Dialect), { localFiles: undefined });
  });

  it('should fail the whole batch, writing none of it, when a row points at a department that does not exist', async () => {
    await t.dataSource.query('DELETE FROM hired_employees');
    await expect(
      write([
        [7, 'Fine', '2021-01-01T00:00:00.000Z', 1, 1],
        [8, 'Orphan', '2021-01-01T00:00:00.000Z', 99, 1],
      ]),
    ).rejects.toMatchObject({ errno: 1452 });
    expect(await read()).toEqual([]);
  });
});
