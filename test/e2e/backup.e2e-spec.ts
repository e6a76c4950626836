import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import type { TableName } from '../../src/database/tables';
import { readWithApacheAvro, writeWithApacheAvro } from '../support/apache-avro';
import { insertRows, readTable, seedHrTables, stored } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** Changes to each table that keep every hired employee pointing at existing departments and jobs. */
const CHANGES: Record<TableName, string[]> = {
  departments: [
    "UPDATE departments SET department = 'Renamed' WHERE id = 2",
    'DELETE FROM departments WHERE id = 8',
    "INSERT INTO departments (id, department) VALUES (100, 'New')",
  ],
  jobs: [
    "UPDATE jobs SET job = 'Renamed' WHERE id = 1",
    'DELETE FROM jobs WHERE id = 7',
    "INSERT INTO jobs (id, job) VALUES (100, 'New')",
  ],
  hired_employees: [
    "UPDATE hired_employees SET name = 'Renamed', datetime = '2030-01-01 00:00:00.001' WHERE id = 3",
    'DELETE FROM hired_employees WHERE id IN (1, 2500)',
    "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (9999, 'New', '2022-02-02 02:02:02.222', 1, 1)",
  ],
};

describe.each(testEngines())('backup and restore on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedHrTables(t.dataSource, { departments: 8, jobs: 7, employees: 2600 });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['departments', 'jobs', 'hired_employees'] as const)(
    'should bring %s back to exactly the backed-up rows when the rows changed after the backup',
    async (table) => {
      const before = await readTable(t.dataSource, table);
      const created = await request(t.server).post(`/backup/${table}`).set(t.auth).expect(201);
      const path = join(t.backupDir, created.body.file);
      expect(created.body).toEqual({
        table,
        file: expect.stringMatching(new RegExp(`^${table}-\\d{8}T\\d{9}Z\\.avro$`)),
        rows: before.length,
        bytes: statSync(path).size,
        sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
        createdAt: expect.any(String),
      });

      for (const sql of CHANGES[table]) await t.dataSource.query(sql);
      expect(await readTable(t.dataSource, table)).not.toEqual(before);

      const restored = await request(t.server)
        .post(`/restore/${table}`)
        .set(t.auth)
        .send({ file: created.body.file })
        .expect(200);
      expect(restored.body).toEqual({ table, file: created.body.file, rowsRestored: before.length });
      expect(await readTable(t.dataSource, table)).toEqual(before);
    },
  );

  it('should write a file that Apache Avro reads back as the same rows, deflate, timestamp-millis', async () => {
    const created = await request(t.server).post('/backup/hired_employees').set(t.auth).expect(201);
    const content = readWithApacheAvro(join(t.backupDir, created.body.file));
    expect(content.codec).toBe('deflate');
    expect(content.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'datetime', 'department_id', 'job_id']);
    expect(content.schema.fields[2].type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
    const rows = await readTable(t.dataSource, 'hired_employees');
    expect(content.records).toEqual(rows.map((r) => ({ ...r, datetime: Date.parse(r.datetime as string) })));
  });

  it('should restore the newest backup when the body names no file', async () => {
    await request(t.server).post('/backup/jobs').set(t.auth).expect(201);
    const newest = await request(t.server).post('/backup/jobs').set(t.auth).expect(201);
    const before = await readTable(t.dataSource, 'jobs');
    await t.dataSource.query("UPDATE jobs SET job = 'Changed' WHERE id = 3");
    const res = await request(t.server).post('/restore/jobs').set(t.auth).expect(200);
    expect(res.body.file).toBe(newest.body.file);
    expect(await readTable(t.dataSource, 'jobs')).toEqual(before);
  });

  it.each(['null', 'deflate'] as const)(
    'should restore a file written by Apache Avro with codec %s, fields reordered, ints and an extra field',
    async (codec) => {
      const schema = {
        type: 'record',
        name: 'Employee',
        namespace: 'elsewhere',
        fields: [
          { name: 'job_id', type: 'int' },
          { name: 'comment', type: 'string' },
          { name: 'datetime', type: { type: 'long', logicalType: 'timestamp-millis' } },
          { name: 'name', type: 'string' },
          { name: 'department_id', type: 'int' },
          { name: 'id', type: 'int' },
        ],
      };
      const records = [1, 2, 3].map((id) => ({
        id: id + 500,
        name: `Other tool ${id}`,
        datetime: Date.UTC(2021, 6, 27, 16, 2, 8, id),
        department_id: id,
        job_id: 4 - id,
        comment: 'ignored',
      }));
      const file = `hired_employees-from-python-${codec}.avro`;
      writeWithApacheAvro(join(t.backupDir, file), codec, schema, records);

      const res = await request(t.server).post('/restore/hired_employees').set(t.auth).send({ file }).expect(200);
      expect(res.body).toEqual({ table: 'hired_employees', file, rowsRestored: 3 });
      expect(await readTable(t.dataSource, 'hired_employees')).toEqual(
        records.map((r) => ({
          id: r.id,
          name: r.name,
          datetime: new Date(r.datetime).toISOString(),
          department_id: r.department_id,
          job_id: r.job_id,
        })),
      );
    },
  );

  it('should back up and restore an empty table when it has no rows', async () => {
    await t.dataSource.query('DELETE FROM hired_employees');
    const created = await request(t.server).post('/backup/hired_employees').set(t.auth).expect(201);
    expect(created.body.rows).toBe(0);
    expect(readWithApacheAvro(join(t.backupDir, created.body.file)).records).toEqual([]);
    await insertRows(t.dataSource, 'hired_employees', [[1, 'Someone', stored(Date.UTC(2021, 1, 1)), 1, 1]]);
    await request(t.server).post('/restore/hired_employees').set(t.auth).send({ file: created.body.file }).expect(200);
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual([]);
  });

  it('should list every backup of the table newest first, including a file an operator copied in', async () => {
    const first = await request(t.server).post('/backup/departments').set(t.auth).expect(201);
    const second = await request(t.server).post('/backup/departments').set(t.auth).expect(201);
    expect(second.body.file > first.body.file).toBe(true);
    copyFileSync(join(t.backupDir, first.body.file), join(t.backupDir, 'departments-copied-in.avro'));

    const res = await request(t.server).get('/backup/departments').expect(200);
    const names = res.body.map((b: { file: string }) => b.file);
    expect(names.slice(0, 2)).toEqual(expect.arrayContaining([second.body.file]));
    expect(names).toContain('departments-copied-in.avro');
    expect(names.every((n: string) => n.startsWith('departments-'))).toBe(true);
    const created = res.body.map((b: { createdAt: string }) => b.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    expect(names.indexOf(second.body.file)).toBeLessThan(names.indexOf(first.body.file));
    const copied = res.body.find((b: { file: string }) => b.file === 'departments-copied-in.avro');
    expect(copied).toEqual({
      ...first.body,
      table: undefined,
      file: 'departments-copied-in.avro',
      createdAt: copied.createdAt,
    });
  });

  it("should never list another table's files or temporary files", async () => {
    await request(t.server).post('/backup/jobs').set(t.auth).expect(201);
    const res = await request(t.server).get('/backup/hired_employees').expect(200);
    for (const backup of res.body) expect(backup.file).toMatch(/^hired_employees-[^/]+\.avro$/);
    expect(readdirSync(t.backupDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('should create the backup folder when it is missing', async () => {
    const { rmSync } = await import('node:fs');
    rmSync(t.backupDir, { recursive: true, force: true });
    const created = await request(t.server).post('/backup/jobs').set(t.auth).expect(201);
    expect(existsSync(join(t.backupDir, created.body.file))).toBe(true);
  });

  it('should refuse a backup without the API key', async () => {
    await request(t.server).post('/backup/jobs').expect(401);
  });
});
