import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { TABLE_NAMES } from '../../src/database/tables';
import { writeWithApacheAvro } from '../support/apache-avro';
import { readTable, seedHrTables } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const DEPARTMENT_SCHEMA = { type: 'record', name: 'Department', fields: [{ name: 'id', type: 'long' }] };

describe.each(testEngines())('restore refusals on %s', (engine) => {
  let t: TestApp;
  let snapshot: Record<string, unknown[]>;
  const good: Record<string, string> = {};

  async function allTables(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLE_NAMES) out[table] = await readTable(t.dataSource, table);
    return out;
  }

  /** POSTs a restore, expects `status`, and checks that no table changed and nothing internal leaked. */
  async function refused(table: string, body: object, status: number, message?: RegExp) {
    const res = await request(t.server).post(`/restore/${table}`).set(t.auth).send(body).expect(status);
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
    if (message) expect(res.body.message).toMatch(message);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(t.backupDir);
    expect(text).not.toMatch(/SELECT|INSERT|DELETE FROM|\bat .+\.ts:\d+/);
    expect(await allTables()).toEqual(snapshot);
    return res.body;
  }

  function copyOf(source: string, name: string, change: (bytes: Buffer) => Buffer): string {
    writeFileSync(join(t.backupDir, name), change(readFileSync(join(t.backupDir, source))));
    return name;
  }

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedHrTables(t.dataSource, { departments: 8, jobs: 7, employees: 3000 });
    snapshot = await allTables();
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 404 when the table has no backup yet', async () => {
    await refused('departments', {}, 404, /no backup of departments/);
  });

  it('should make one backup of each table for the cases below', async () => {
    for (const table of TABLE_NAMES) {
      good[table] = (await request(t.server).post(`/backup/${table}`).set(t.auth).expect(201)).body.file;
    }
    expect(Object.keys(good)).toHaveLength(3);
  });

  it.each([
    ['a parent path', '../x'],
    ['an absolute path', '/etc/passwd'],
    ['a nested path', 'a/b.avro'],
    ['a parent path with the prefix', '../departments-x.avro'],
    ['a dot-dot', '..'],
    ['a name without the table prefix', 'x.avro'],
  ])('should answer 400 when the file is %s', async (_label, file) => {
    const body = await refused('departments', { file }, 400);
    expect(body.code).toBe('BACKUP_INVALID_FILE_NAME');
  });

  it("should answer 400 when the file is another table's backup", async () => {
    const body = await refused('departments', { file: good.jobs }, 400, /not a backup of departments/);
    expect(body.code).toBe('BACKUP_INVALID_FILE_NAME');
  });

  it('should answer 400 when the file name is empty or not a string', async () => {
    await refused('departments', { file: '' }, 400);
    await refused('departments', { file: 42 }, 400);
  });

  it('should answer 400 naming the field when the file is null', async () => {
    const body = await refused('departments', { file: null }, 400, /file/);
    expect(body.code).toBe('REQUEST_INVALID');
  });

  it('should answer 404 when a well-formed backup name does not exist', async () => {
    const body = await refused('departments', { file: 'departments-20000101T000000000Z.avro' }, 404);
    expect(body.code).toBe('BACKUP_FILE_NOT_FOUND');
  });

  it('should answer 400 for an unknown table on every endpoint', async () => {
    await refused('employees', {}, 400, /Unknown table/);
    await request(t.server).post('/backup/employees').set(t.auth).expect(400);
    await request(t.server).get('/backup/employees').expect(400);
  });

  it.each([
    ['inside the header', (b: Buffer) => b.subarray(0, 40)],
    ['inside a block', (b: Buffer) => b.subarray(0, b.length - 200)],
    ['inside the last sync marker', (b: Buffer) => b.subarray(0, b.length - 3)],
    ['to nothing', () => Buffer.alloc(0)],
  ])('should answer 422 and change nothing when the file is truncated %s', async (_label, cut) => {
    const file = copyOf(good.hired_employees, `hired_employees-cut-${Math.random().toString(36).slice(2)}.avro`, cut);
    const body = await refused('hired_employees', { file }, 422, new RegExp(file.replace('.', '\\.')));
    expect(body.code).toBe('BACKUP_FILE_CORRUPT');
  });

  it('should answer 422 when a byte of a sync marker is flipped', async () => {
    const file = copyOf(good.hired_employees, 'hired_employees-flipped-sync.avro', (b) => {
      const copy = Buffer.from(b);
      copy[copy.length - 5] ^= 0x01;
      return copy;
    });
    await refused('hired_employees', { file }, 422, /sync marker/);
  });

  it.each([0.3, 0.5, 0.7, 0.9])(
    'should answer 422 when a bit of the compressed data is flipped at %p of the file',
    async (at) => {
      const file = copyOf(good.hired_employees, `hired_employees-flipped-${at}.avro`, (b) => {
        const copy = Buffer.from(b);
        copy[Math.floor(copy.length * at)] ^= 0x10;
        return copy;
      });
      const body = await refused('hired_employees', { file }, 422);
      expect(body.code).toBe('BACKUP_FILE_CORRUPT');
    },
  );

  it('should answer 422 naming the checksum when a flipped bit still decodes to plausible rows', async () => {
    // Found by trying every byte: deflate has no checksum, so only the one in the header tells.
    const source = readFileSync(join(t.backupDir, good.hired_employees));
    const headerEnd = source.indexOf(source.subarray(source.length - 16)) + 16;
    let file: string | undefined;
    for (let at = headerEnd + 40; at < source.length - 16 && !file; at += 97) {
      const copy = Buffer.from(source);
      copy[at] ^= 0x01;
      const name = `hired_employees-plausible-${at}.avro`;
      writeFileSync(join(t.backupDir, name), copy);
      const res = await request(t.server).post('/restore/hired_employees').set(t.auth).send({ file: name });
      expect(res.status).toBe(422);
      if (/checksum/.test(res.body.message)) file = name;
    }
    expect(file).toBeDefined();
    expect(await allTables()).toEqual(snapshot);
  });

  it('should answer 422 when the file is not Avro at all', async () => {
    writeFileSync(join(t.backupDir, 'departments-notes.avro'), 'id,department\n1,Sales\n');
    await refused('departments', { file: 'departments-notes.avro' }, 422, /not an Avro object container file/);
  });

  it('should answer 422 naming the field when a required field is missing', async () => {
    writeWithApacheAvro(join(t.backupDir, 'departments-no-name.avro'), 'deflate', DEPARTMENT_SCHEMA, [{ id: 1 }]);
    const body = await refused('departments', { file: 'departments-no-name.avro' }, 422, /no field 'department'/);
    expect(body.code).toBe('BACKUP_SCHEMA_MISMATCH');
  });

  it('should answer 422 naming the field when a field has a type that cannot be read', async () => {
    const schema = {
      type: 'record',
      name: 'Department',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'department', type: 'string' },
      ],
    };
    writeWithApacheAvro(join(t.backupDir, 'departments-string-id.avro'), 'null', schema, [
      { id: '1', department: 'x' },
    ]);
    await refused('departments', { file: 'departments-string-id.avro' }, 422, /field 'id' is 'string'/);
  });

  it('should answer 422 listing the records that break the data rules', async () => {
    const schema = {
      ...DEPARTMENT_SCHEMA,
      fields: [...DEPARTMENT_SCHEMA.fields, { name: 'department', type: 'string' }],
    };
    const records = [
      { id: 1, department: 'ok' },
      { id: 0, department: 'zero id' },
      { id: 3, department: '   ' },
      { id: 4, department: 'x'.repeat(256) },
    ];
    writeWithApacheAvro(join(t.backupDir, 'departments-bad-rows.avro'), 'deflate', schema, records);
    const body = await refused('departments', { file: 'departments-bad-rows.avro' }, 422);
    expect(body.code).toBe('BACKUP_INVALID_RECORDS');
    expect(body.message).toContain('3 invalid records');
    expect(body.message).toContain('record 2: id 0');
    expect(body.message).toContain('record 3: department is empty');
    expect(body.message).toContain('record 4: department is longer than 255');
  });

  it('should answer 422 when the backup repeats an id', async () => {
    const schema = {
      ...DEPARTMENT_SCHEMA,
      fields: [...DEPARTMENT_SCHEMA.fields, { name: 'department', type: 'string' }],
    };
    const records = Array.from({ length: 1500 }, (_, i) => ({ id: i < 1400 ? i + 1 : 1, department: `d${i}` }));
    writeWithApacheAvro(join(t.backupDir, 'departments-twice.avro'), 'deflate', schema, records);
    await refused('departments', { file: 'departments-twice.avro' }, 422, /same id more than once/);
  });

  it('should answer 409 and change nothing when restoring departments would orphan hired employees', async () => {
    const schema = {
      ...DEPARTMENT_SCHEMA,
      fields: [...DEPARTMENT_SCHEMA.fields, { name: 'department', type: 'string' }],
    };
    const records = [1, 2, 4, 5].map((id) => ({ id, department: `Kept ${id}` }));
    writeWithApacheAvro(join(t.backupDir, 'departments-without-3.avro'), 'deflate', schema, records);
    const employees = snapshot.hired_employees.filter((e) => (e as { department_id: number }).department_id === 3);
    expect(employees.length).toBeGreaterThan(0);
    const body = await refused('departments', { file: 'departments-without-3.avro' }, 409);
    expect(body.code).toBe('BACKUP_RESTORE_CONFLICT');
    expect(body.message).toContain(
      `Restoring departments would leave ${employees.length} hired employees pointing at missing departments (e.g. department_id 3)`,
    );
  });

  it('should answer 409 and change nothing when a hired_employees backup references a job that is gone', async () => {
    await t.dataSource.query("INSERT INTO jobs (id, job) VALUES (50, 'Temporary')");
    await t.dataSource.query(
      "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (5000, 'T', '2021-01-01 00:00:00.000', 1, 50)",
    );
    const created = await request(t.server).post('/backup/hired_employees').set(t.auth).expect(201);
    await t.dataSource.query('DELETE FROM hired_employees WHERE id = 5000');
    await t.dataSource.query('DELETE FROM jobs WHERE id = 50');
    snapshot = await allTables();
    await refused('hired_employees', { file: created.body.file }, 409, /missing jobs \(e\.g\. job_id 50\)/);
  });

  it('should refuse a restore without the API key', async () => {
    await request(t.server).post('/restore/departments').send({ file: good.departments }).expect(401);
    expect(await allTables()).toEqual(snapshot);
  });

  describe('into an empty table, read once and checked as it is written', () => {
    const EMPLOYEE_SCHEMA = JSON.parse(
      readFileSync(join(__dirname, '../../src/backup/schemas/hired_employees.avsc'), 'utf8'),
    ) as object;
    /** Enough records for several insert batches before the fault at the end. */
    const employees = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        name: `Employee ${i + 1}`,
        datetime: Date.UTC(2021, 0, 1) + i * 60_000,
        department_id: 1 + (i % 8),
        job_id: 1 + (i % 7),
      }));

    beforeAll(async () => {
      await t.dataSource.query('DELETE FROM hired_employees');
      snapshot = await allTables();
      expect(snapshot.hired_employees).toEqual([]);
    });

    it.each([
      ['inside a block', (b: Buffer) => b.subarray(0, b.length - 200)],
      ['inside the last sync marker', (b: Buffer) => b.subarray(0, b.length - 3)],
    ])('should answer 422 and stay empty when the file is truncated %s', async (_label, cut) => {
      const file = copyOf(good.hired_employees, `hired_employees-empty-cut-${cut.length}.avro`, cut);
      const body = await refused('hired_employees', { file }, 422);
      expect(body.code).toBe('BACKUP_FILE_CORRUPT');
    });

    it('should answer 422 naming the checksum and stay empty when a flipped bit still decodes to plausible rows', async () => {
      const source = readFileSync(join(t.backupDir, good.hired_employees));
      const headerEnd = source.indexOf(source.subarray(source.length - 16)) + 16;
      let named = false;
      for (let at = headerEnd + 40; at < source.length - 16 && !named; at += 97) {
        const copy = Buffer.from(source);
        copy[at] ^= 0x01;
        const name = `hired_employees-empty-plausible-${at}.avro`;
        writeFileSync(join(t.backupDir, name), copy);
        named = /checksum/.test((await refused('hired_employees', { file: name }, 422)).message);
      }
      expect(named).toBe(true);
    });

    it('should answer 422 and stay empty when a record near the end breaks the data rules', async () => {
      const records = employees(12_000);
      records[11_500].name = '   ';
      writeWithApacheAvro(join(t.backupDir, 'hired_employees-empty-bad.avro'), 'deflate', EMPLOYEE_SCHEMA, records);
      const body = await refused('hired_employees', { file: 'hired_employees-empty-bad.avro' }, 422);
      expect(body.code).toBe('BACKUP_INVALID_RECORDS');
      expect(body.message).toContain('record 11501: name is empty');
    });

    it('should answer 422 and stay empty when the last record repeats the first id', async () => {
      const records = [...employees(12_000), { ...employees(1)[0], name: 'Again' }];
      writeWithApacheAvro(join(t.backupDir, 'hired_employees-empty-twice.avro'), 'deflate', EMPLOYEE_SCHEMA, records);
      await refused('hired_employees', { file: 'hired_employees-empty-twice.avro' }, 422, /same id more than once/);
    });

    it('should answer 409 and stay empty when the rows reference a job that does not exist', async () => {
      const records = employees(12_000);
      records[11_999].job_id = 99;
      writeWithApacheAvro(join(t.backupDir, 'hired_employees-empty-orphan.avro'), 'deflate', EMPLOYEE_SCHEMA, records);
      await refused('hired_employees', { file: 'hired_employees-empty-orphan.avro' }, 409, /job_id 99/);
    });

    it('should then restore every row of a sound file, out of id order', async () => {
      const records = employees(12_000).reverse();
      writeWithApacheAvro(join(t.backupDir, 'hired_employees-empty-good.avro'), 'deflate', EMPLOYEE_SCHEMA, records);
      const res = await request(t.server)
        .post('/restore/hired_employees')
        .set(t.auth)
        .send({ file: 'hired_employees-empty-good.avro' })
        .expect(200);
      expect(res.body.rowsRestored).toBe(12_000);
      const rows = (await readTable(t.dataSource, 'hired_employees')) as { id: number; name: string }[];
      expect(rows).toHaveLength(12_000);
      expect(rows[0]).toMatchObject({ id: 1, name: 'Employee 1' });
      expect(rows[11_999]).toMatchObject({ id: 12_000, name: 'Employee 12000' });
    });
  });
});
