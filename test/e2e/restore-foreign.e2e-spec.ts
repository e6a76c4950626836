import { copyFileSync, createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { streams } from 'avsc';
import request from 'supertest';
import { AVRO_CODECS } from '../../src/backup/avro-codecs';
import { TABLE_NAMES } from '../../src/database/tables';
import { writeWithApacheAvro, type ApacheAvroCodec } from '../support/apache-avro';
import { readTable, seedHrTables } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** Files as Apache Avro (Python) writes them, with the variants other tools commonly write. */
const EMPLOYEE_FIELDS = [
  { name: 'department_id', type: 'int' },
  { name: 'id', type: 'long' },
  { name: 'name', type: ['null', 'string'] },
  { name: 'datetime', type: { type: 'long', logicalType: 'timestamp-millis' } },
  { name: 'job_id', type: ['null', 'long'] },
];
const EMPLOYEE_SCHEMA = { type: 'record', name: 'Hire', namespace: 'org.example', fields: EMPLOYEE_FIELDS };
const PLAIN_LONG_SCHEMA = {
  ...EMPLOYEE_SCHEMA,
  fields: EMPLOYEE_FIELDS.map((f) => (f.name === 'datetime' ? { name: 'datetime', type: 'long' } : f)),
};
const AT = Date.UTC(2021, 6, 27, 16, 2, 8, 123);

interface Hire {
  id: number;
  name: string | null;
  datetime: number;
  department_id: number;
  job_id: number | null;
}

const hires = (n: number): Hire[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    name: `Hire ${i + 1}`,
    datetime: AT + i * 1000,
    department_id: 1 + (i % 5),
    job_id: 1 + (i % 4),
  }));

/** Files Avro C (Debian's avro-bin, `avromod`) wrote: see test/fixtures/avro/README.md. */
const AVRO_C = join(__dirname, '..', 'fixtures', 'avro');

const stored = (r: Hire) => ({ ...r, datetime: new Date(r.datetime).toISOString() });

describe.each(testEngines())('restore of files other tools write, on %s', (engine) => {
  let t: TestApp;
  let snapshot: Record<string, unknown[]>;

  async function allTables(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLE_NAMES) out[table] = await readTable(t.dataSource, table);
    return out;
  }

  function write(file: string, codec: ApacheAvroCodec, schema: object, records: object[]): string {
    writeWithApacheAvro(join(t.backupDir, file), codec, schema, records);
    return file;
  }

  const restore = (table: string, file: string) =>
    request(t.server).post(`/restore/${table}`).set(t.auth).send({ file });

  /** Expects a 422 with `code`, the message to contain every part, and no table to have changed. */
  async function refused(table: string, file: string, code: string, ...parts: string[]) {
    const res = await restore(table, file).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code });
    for (const part of parts) expect(res.body.message).toContain(part);
    expect(JSON.stringify(res.body)).not.toContain(t.backupDir);
    expect(await allTables()).toEqual(snapshot);
    return res.body.message as string;
  }

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedHrTables(t.dataSource, { departments: 5, jobs: 4, employees: 30 });
    snapshot = await allTables();
  });
  afterAll(async () => {
    await t.close();
  });

  it('should restore a snappy file with a nullable name, fields reordered, that avsc reads through the same codecs', async () => {
    const records = hires(3000);
    const file = write('hired_employees-snappy.avro', 'snappy', EMPLOYEE_SCHEMA, records);

    const decoded: unknown[] = [];
    const decoder = new streams.BlockDecoder({ codecs: { ...AVRO_CODECS } });
    await new Promise((resolve, reject) => {
      createReadStream(join(t.backupDir, file))
        .pipe(decoder)
        .on('data', (record: unknown) => decoded.push(record))
        .on('metadata', (_type: unknown, codec: string) => expect(codec).toBe('snappy'))
        .on('end', resolve)
        .on('error', reject);
    });
    expect(decoded).toHaveLength(3000);

    const res = await restore('hired_employees', file).expect(200);
    expect(res.body).toEqual({ table: 'hired_employees', file, rowsRestored: 3000 });
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(records.map(stored));
    snapshot = await allTables();
  });

  it.each(['null', 'deflate'] as const)('should restore a %s file with nullable fields and no nulls', async (codec) => {
    const records = hires(40).reverse();
    const file = write(`hired_employees-nullable-${codec}.avro`, codec, EMPLOYEE_SCHEMA, records);
    await restore('hired_employees', file).expect(200);
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(hires(40).map(stored));
    snapshot = await allTables();
  });

  it('should store text trimmed, as a CSV load does, counting the 255 characters after trimming', async () => {
    const long = 'x'.repeat(255);
    const schema = {
      type: 'record',
      name: 'D',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'department', type: 'string' },
      ],
    };
    const departments = [
      { id: 1, department: ' padded name ' },
      { id: 2, department: `\t${long}  ` },
      { id: 3, department: 'Plain' },
      { id: 4, department: '  Four' },
      { id: 5, department: 'Five\r\n' },
    ];
    await restore('departments', write('departments-padded.avro', 'snappy', schema, departments)).expect(200);
    expect(await readTable(t.dataSource, 'departments')).toEqual([
      { id: 1, department: 'padded name' },
      { id: 2, department: long },
      { id: 3, department: 'Plain' },
      { id: 4, department: 'Four' },
      { id: 5, department: 'Five' },
    ]);
    const records = hires(2).map((r) => ({ ...r, name: `  ${r.name}  ` }));
    await restore('hired_employees', write('hired_employees-padded.avro', 'snappy', EMPLOYEE_SCHEMA, records)).expect(
      200,
    );
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(hires(2).map(stored));
    snapshot = await allTables();
  });

  it('should refuse a file with a null name in record 42, naming the record and the field', async () => {
    const records = hires(100);
    records[41].name = null;
    records[70].job_id = null;
    const file = write('hired_employees-null-42.avro', 'snappy', EMPLOYEE_SCHEMA, records);
    const message = await refused('hired_employees', file, 'BACKUP_INVALID_RECORDS');
    expect(message).toBe(
      `The backup ${file} holds 2 invalid records: record 42: name is null; record 71: job_id is null`,
    );
  });

  it('should refuse text over 255 characters after trimming, naming the record and the field', async () => {
    const records = hires(3);
    records[2].name = ` ${'é'.repeat(256)} `;
    const file = write('hired_employees-long-name.avro', 'deflate', EMPLOYEE_SCHEMA, records);
    await refused('hired_employees', file, 'BACKUP_INVALID_RECORDS', 'record 3: name is longer than 255 characters');
  });

  it('should refuse ids above 2147483647 and above 2^53, naming the record, the field and the value', async () => {
    const records: object[] = hires(4);
    Object.assign(records[1], { id: 2_147_483_648 });
    Object.assign(records[3], { id: 2 ** 53 + 2 });
    const file = write('hired_employees-big-ids.avro', 'snappy', EMPLOYEE_SCHEMA, records);
    await refused(
      'hired_employees',
      file,
      'BACKUP_INVALID_RECORDS',
      'holds 2 invalid records',
      'record 2: id 2147483648 is not a positive integer up to 2147483647',
      'record 4: id 9007199254740994 is not a positive integer up to 2147483647',
    );
  });

  it('should refuse a plain long datetime written in microseconds, saying what it would be', async () => {
    const records = hires(2).map((r) => ({ ...r, datetime: r.datetime * 1000 }));
    const file = write('hired_employees-micros.avro', 'null', PLAIN_LONG_SCHEMA, records);
    await refused(
      'hired_employees',
      file,
      'BACKUP_INVALID_RECORDS',
      `record 1: datetime ${AT * 1000} is not an instant between the years 1000 and 9999 in milliseconds since the epoch`,
      `as microseconds it would be ${new Date(AT).toISOString()}`,
    );
  });

  it('should restore a plain long datetime in milliseconds', async () => {
    const records = hires(5);
    await restore(
      'hired_employees',
      write('hired_employees-plain-long.avro', 'deflate', PLAIN_LONG_SCHEMA, records),
    ).expect(200);
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(records.map(stored));
    snapshot = await allTables();
  });

  it('should name the codec when it is one the restore does not read', async () => {
    const file = write('hired_employees-bzip2.avro', 'bzip2', EMPLOYEE_SCHEMA, hires(3));
    await refused(
      'hired_employees',
      file,
      'BACKUP_FILE_CORRUPT',
      "its codec 'bzip2' is not supported (null, deflate, snappy are)",
    );
  });

  it('should name the 32 MB limit when a block is larger', async () => {
    const schema = { ...EMPLOYEE_SCHEMA, fields: [...EMPLOYEE_FIELDS, { name: 'photo', type: 'string' }] };
    const records = hires(1).map((r) => ({ ...r, photo: 'p'.repeat(33 * 1024 * 1024) }));
    const file = write('hired_employees-huge-block.avro', 'null', schema, records);
    await refused('hired_employees', file, 'BACKUP_FILE_CORRUPT', 'block 1 is over 32 MB', 'the limit of a block');
  });

  it('should restore a file Avro C wrote, whose union branches are in object form', async () => {
    copyFileSync(join(AVRO_C, 'hired_employees-avro-c.avro'), join(t.backupDir, 'hired_employees-avro-c.avro'));
    const res = await restore('hired_employees', 'hired_employees-avro-c.avro').expect(200);
    expect(res.body.rowsRestored).toBe(3);
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(
      [2, 1, 4].map((job, i) => ({
        id: i + 1,
        name: `${['Ann', 'Bob', 'Cy'][i]} Avro-C`,
        datetime: new Date(AT + i * 1000).toISOString(),
        department_id: i + 1,
        job_id: job,
      })),
    );
    snapshot = await allTables();
  });

  it('should refuse a null in a union Avro C wrote in object form, naming the record and the field', async () => {
    const file = 'hired_employees-avro-c-null-job.avro';
    copyFileSync(join(AVRO_C, file), join(t.backupDir, file));
    const message = await refused('hired_employees', file, 'BACKUP_INVALID_RECORDS');
    expect(message).toBe(`The backup ${file} holds 1 invalid record: record 3: job_id is null`);
  });

  it('should refuse control characters and bytes that are not UTF-8, naming the record and the field', async () => {
    const records = hires(6);
    records[1].name = 'Ctrl\u0001A';
    records[2].name = 'Nul\u0000';
    records[3].name = 'cafX';
    records[4].name = 'cesuQQQQQQ';
    const file = write('hired_employees-not-text.avro', 'null', EMPLOYEE_SCHEMA, records);
    // Bytes no UTF-8 writer makes: Latin-1 é, and U+1F600 as CESU-8 surrogates (same lengths).
    const path = join(t.backupDir, file);
    const bytes = readFileSync(path);
    bytes[bytes.indexOf('cafX') + 3] = 0xe9;
    Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]).copy(bytes, bytes.indexOf('QQQQQQ'));
    writeFileSync(path, bytes);
    const message = await refused('hired_employees', file, 'BACKUP_INVALID_RECORDS');
    expect(message).toBe(
      `The backup ${file} holds 4 invalid records: record 2: name holds a control character; ` +
        'record 3: name holds a control character; record 4: name holds bytes that are not UTF-8 text; ' +
        'record 5: name holds bytes that are not UTF-8 text',
    );
  });

  it('should restore U+FFFD written as UTF-8, since it is a character', async () => {
    const records = hires(2).map((r) => ({ ...r, name: `${r.name} \uFFFD` }));
    await restore('hired_employees', write('hired_employees-fffd.avro', 'deflate', EMPLOYEE_SCHEMA, records)).expect(
      200,
    );
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(records.map(stored));
    snapshot = await allTables();
  });
});
