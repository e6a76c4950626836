import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { Type, type Schema } from 'avsc';
import { compressSync } from 'snappy';
import { DomainError } from '../common/errors/domain-error';
import { MAX_BLOCK_BYTES } from './avro-container-reader';
import { tableSchema } from './avro-schemas';
import { readBackupRows, RESTORE_BATCH_SIZE } from './backup-row-reader';
import type { TableRow } from './backup-records';

/** Avro's zig-zag varint `long`. */
function long(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

const text = (value: string) => Buffer.concat([long(Buffer.byteLength(value)), Buffer.from(value)]);
const SYNC = Buffer.alloc(16, 7);

/** Snappy as the Avro specification frames it: the compressed block, then the CRC32 of the data. */
function snappyBlock(data: Buffer, crc = crc32(data)): Buffer {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc);
  return Buffer.concat([compressSync(data), checksum]);
}

const COMPRESS: Record<string, (data: Buffer) => Buffer> = {
  null: (data) => data,
  deflate: (data) => deflateRawSync(data),
  snappy: (data) => snappyBlock(data),
};

/** An object container file put together by hand: blocks may declare any record count. */
function container(
  codec: string,
  blocks: { count: number; data: Buffer; stored?: Buffer }[],
  schema: object = tableSchema('hired_employees').json,
): Buffer {
  const header = [Buffer.from('Obj\x01', 'latin1'), long(2), text('avro.schema'), text(JSON.stringify(schema))];
  header.push(text('avro.codec'), text(codec), long(0), SYNC);
  const body = blocks.flatMap(({ count, data, stored = COMPRESS[codec](data) }) => {
    return [long(count), long(stored.length), stored, SYNC];
  });
  return Buffer.concat([...header, ...body]);
}

function employees(from: number, n: number): Buffer {
  const type = tableSchema('hired_employees').type;
  const at = Date.UTC(2021, 0, 1);
  return Buffer.concat(
    Array.from({ length: n }, (_, i) =>
      type.toBuffer({ id: from + i, name: `Employee ${from + i}`, datetime: at + i, department_id: 1, job_id: 2 }),
    ),
  );
}

describe('readBackupRows', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'backup-rows-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function read(name: string, file: Buffer) {
    const path = join(dir, name);
    writeFileSync(path, file);
    const batches: TableRow[][] = [];
    const summary = {};
    try {
      for await (const rows of readBackupRows('hired_employees', name, path, summary)) batches.push(rows);
      return { batches, summary, error: undefined };
    } catch (error) {
      return { batches, summary, error: error as DomainError };
    }
  }

  it('should cut a large block into restore batches, in order, and sum them up', async () => {
    const n = RESTORE_BATCH_SIZE * 2 + 123;
    const { batches, summary, error } = await read(
      'big-block.avro',
      container('deflate', [
        { count: n, data: employees(1, n) },
        { count: 3, data: employees(n + 1, 3) },
      ]),
    );
    expect(error).toBeUndefined();
    expect(batches.map((rows) => rows.length)).toEqual([RESTORE_BATCH_SIZE, RESTORE_BATCH_SIZE, 123, 3]);
    expect(batches.flat().map((row) => row[0])).toEqual(Array.from({ length: n + 3 }, (_, i) => i + 1));
    expect(batches[0][0]).toEqual([1, 'Employee 1', Date.UTC(2021, 0, 1), 1, 2]);
    expect(summary).toMatchObject({ rows: n + 3, idsAscending: true });
  });

  it('should hand out the first batches of a block before it decodes the rest', async () => {
    // The block declares one record more than it holds: decoding fails only at its very end.
    const n = RESTORE_BATCH_SIZE * 2 + 10;
    const { batches, error } = await read(
      'short-block.avro',
      container('null', [{ count: n + 1, data: employees(1, n) }]),
    );
    expect(batches.map((rows) => rows.length)).toEqual([RESTORE_BATCH_SIZE, RESTORE_BATCH_SIZE]);
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.message).toBe(
      `The backup short-block.avro cannot be restored: record ${n + 1} (block 1) cannot be decoded: ` +
        "its field 'id' runs past the end of its block",
    );
  });

  it('should refuse a block that decompresses to more than the block limit', async () => {
    const { batches, error } = await read(
      'bomb.avro',
      container('deflate', [{ count: 1, data: Buffer.alloc(MAX_BLOCK_BYTES + 1) }]),
    );
    expect(batches).toEqual([]);
    expect(error?.message).toBe(
      'The backup bomb.avro cannot be restored: block 1 decompresses to more than 32 MB, the limit of a block',
    );
  });

  it('should read snappy blocks, checking each one against its CRC32', async () => {
    const { batches, error } = await read(
      'snappy.avro',
      container('snappy', [
        { count: 2, data: employees(1, 2) },
        { count: 1, data: employees(3, 1) },
      ]),
    );
    expect(error).toBeUndefined();
    expect(batches.flat().map((row) => row[0])).toEqual([1, 2, 3]);
  });

  it.each([
    ['a wrong checksum', snappyBlock(employees(1, 1), 12345), 'block 1 does not match its snappy checksum'],
    ['bytes that are not snappy', Buffer.from([5, 1, 2, 0, 0, 0, 0]), 'block 1 is not valid snappy data'],
    [
      'a block that would decompress past the limit',
      snappyBlock(Buffer.alloc(MAX_BLOCK_BYTES + 1)),
      'block 1 decompresses to more than 32 MB, the limit of a block',
    ],
  ])('should refuse a snappy block with %s', async (_label, stored, reason) => {
    const { error } = await read('bad-snappy.avro', container('snappy', [{ count: 1, data: Buffer.alloc(0), stored }]));
    expect(error?.code).toBe('BACKUP_FILE_CORRUPT');
    expect(error?.message).toBe(`The backup bad-snappy.avro cannot be restored: ${reason}`);
  });

  it('should name the codec and the ones it reads when the codec is not supported', async () => {
    const { error } = await read('zstd.avro', container('zstandard', [], tableSchema('hired_employees').json));
    expect(error?.message).toBe(
      "The backup zstd.avro cannot be restored: its codec 'zstandard' is not supported (null, deflate, snappy are)",
    );
  });

  it('should name the 32 MB limit when a block is larger, before reading it', async () => {
    const header = container('null', []);
    const file = Buffer.concat([header, long(140_000), long(37_388_264), Buffer.alloc(100)]);
    const { error } = await read('huge-block.avro', file);
    expect(error?.message).toBe(
      'The backup huge-block.avro cannot be restored: block 1 is over 32 MB (37388264 bytes), the limit of a block: write smaller blocks',
    );
  });

  const nullableSchema = {
    type: 'record',
    name: 'Elsewhere',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'name', type: ['null', 'string'] },
      { name: 'datetime', type: 'long' },
      { name: 'department_id', type: ['int', 'null'] },
      { name: 'job_id', type: 'long' },
    ],
  };
  const nullable = (records: object[]) => {
    const type = Type.forSchema(nullableSchema as Schema);
    return { count: records.length, data: Buffer.concat(records.map((r) => type.toBuffer(r))) };
  };
  const at = Date.UTC(2021, 6, 27);
  const person = (id: number) => ({ id, name: `P${id}`, datetime: at, department_id: 1, job_id: 2 });

  it('should read ["null", T] unions for fields of type T, and name each record that holds a null', async () => {
    const good = await read('nullable.avro', container('null', [nullable([person(1), person(2)])], nullableSchema));
    expect(good.error).toBeUndefined();
    expect(good.batches.flat()).toEqual([
      [1, 'P1', at, 1, 2],
      [2, 'P2', at, 1, 2],
    ]);
    const records = [person(1), { ...person(2), name: null }, person(3), { ...person(4), department_id: null }];
    const bad = await read('nulls.avro', container('null', [nullable(records)], nullableSchema));
    expect(bad.error?.code).toBe('BACKUP_INVALID_RECORDS');
    expect(bad.error?.message).toBe(
      'The backup nulls.avro holds 2 invalid records: record 2: name is null; record 4: department_id is null',
    );
  });

  it('should name the record and field of an id beyond 2^53, and go on to the next record', async () => {
    // Record 2's id is 2^53 + 1, a varint that avsc refuses to read into a number.
    const big = Buffer.from([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    const rest = nullable([person(3)]).data.subarray(long(3).length);
    const data = Buffer.concat([nullable([person(1)]).data, big, rest, nullable([person(4)]).data]);
    const file = container('null', [{ count: 3, data }], nullableSchema);
    const { error } = await read('big-id.avro', file);
    expect(error?.message).toBe(
      'The backup big-id.avro holds 1 invalid record: record 2: id 9007199254740993 is not a positive integer up to 2147483647',
    );
  });

  it('should name the field whose union branch does not exist', async () => {
    const first = nullable([person(1)]).data;
    const damaged = Buffer.concat([long(1), long(7)]);
    const { error } = await read(
      'branch.avro',
      container('null', [{ count: 1, data: Buffer.concat([damaged, first.subarray(2)]) }], nullableSchema),
    );
    expect(error?.message).toBe(
      "The backup branch.avro cannot be restored: record 1 (block 1) cannot be decoded: its field 'name' names branch 7 of a union of 2",
    );
  });
});
