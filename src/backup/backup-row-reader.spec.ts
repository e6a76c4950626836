import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
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

/** An object container file put together by hand: blocks may declare any record count. */
function container(codec: 'null' | 'deflate', blocks: { count: number; data: Buffer }[]): Buffer {
  const schema = JSON.stringify(tableSchema('hired_employees').json);
  const header = [Buffer.from('Obj\x01', 'latin1'), long(2), text('avro.schema'), text(schema)];
  header.push(text('avro.codec'), text(codec), long(0), SYNC);
  const body = blocks.flatMap(({ count, data }) => {
    const stored = codec === 'deflate' ? deflateRawSync(data) : data;
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
      `The backup short-block.avro cannot be restored: record ${n + 1} (block 1) cannot be decoded`,
    );
  });

  it('should refuse a block that decompresses to more than the block limit', async () => {
    const { batches, error } = await read(
      'bomb.avro',
      container('deflate', [{ count: 1, data: Buffer.alloc(MAX_BLOCK_BYTES + 1) }]),
    );
    expect(batches).toEqual([]);
    expect(error?.message).toBe(
      `The backup bomb.avro cannot be restored: block 1 decompresses to more than ${MAX_BLOCK_BYTES / 1024 / 1024} MB`,
    );
  });
});
