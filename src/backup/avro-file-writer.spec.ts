import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileDecoder } from 'avsc';
import fc from 'fast-check';
import { AvroContainerReader } from './avro-container-reader';
import { sealContainer, sealMetadata } from './avro-container-seal';
import { AvroFileWriter } from './avro-file-writer';
import { tableSchema } from './avro-schemas';

/** Every record of a container file, as avsc's own file decoder reads it (an independent reader). */
function decodeWithAvsc(path: string): Promise<{ records: unknown[]; header: Record<string, Buffer> }> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    let header: Record<string, Buffer> = {};
    createFileDecoder(path)
      .on('metadata', (_type, _codec, h: { meta: Record<string, Buffer> }) => (header = h.meta))
      .on('data', (record: object) => records.push({ ...record }))
      .on('error', reject)
      .on('end', () => resolve({ records, header }));
  });
}

async function blockCounts(path: string): Promise<number[]> {
  const reader = await AvroContainerReader.open(path);
  try {
    const header = await reader.header();
    const counts: number[] = [];
    for await (const block of reader.blocks(header.codec, { decompress: true })) counts.push(block.count);
    return counts;
  } finally {
    await reader.close();
  }
}

async function write(path: string, records: object[], blockSize: number, table = 'hired_employees' as const) {
  const { json, type } = tableSchema(table);
  const file = await AvroFileWriter.create(path, type, json, { blockSize, metadata: sealMetadata() });
  for (const record of records) if (file.append(record)) await file.ready();
  await file.close();
}

const employee = (i: number, name = `Employee ${i}`) => ({
  id: i,
  name,
  datetime: Date.UTC(2021, 0, 1) + i * 61_000,
  department_id: 1 + (i % 12),
  job_id: 1 + (i % 183),
});

describe('AvroFileWriter', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'avro-writer-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should write records that avsc reads back in order, over many deflate blocks, with the schema and metadata in the header', async () => {
    const path = join(dir, 'many.avro');
    const records = Array.from({ length: 5000 }, (_, i) => employee(i + 1));
    await write(path, records, 1024);
    const read = await decodeWithAvsc(path);
    expect(read.records).toEqual(records);
    expect(JSON.parse(read.header['avro.schema'].toString())).toEqual(tableSchema('hired_employees').json);
    expect(read.header['avro.codec'].toString()).toBe('deflate');
    const counts = await blockCounts(path);
    expect(counts.length).toBeGreaterThan(50);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('should give a record larger than a block a block of its own', async () => {
    const path = join(dir, 'large.avro');
    const records = [employee(1), employee(2, 'x'.repeat(3000)), employee(3), employee(4, 'y'.repeat(5000))];
    await write(path, records, 256);
    expect((await decodeWithAvsc(path)).records).toEqual(records);
    expect(await blockCounts(path)).toEqual([1, 1, 1, 1]);
  });

  it('should write a header and no block for no records, and seal like any backup', async () => {
    const path = join(dir, 'empty.avro');
    await write(path, [], 1024, 'hired_employees');
    expect((await decodeWithAvsc(path)).records).toEqual([]);
    expect(await blockCounts(path)).toEqual([]);
    const sealed = await sealContainer(path);
    expect(sealed.bytes).toBe(readFileSync(path).length);
  });

  it('should never write over an existing file', async () => {
    const path = join(dir, 'taken.avro');
    writeFileSync(path, 'mine');
    const { json, type } = tableSchema('jobs');
    await expect(AvroFileWriter.create(path, type, json, { blockSize: 1024 })).rejects.toThrow(/EEXIST/);
    expect(readFileSync(path, 'utf8')).toBe('mine');
  });

  it('should close the file on abort, without the records not yet written', async () => {
    const path = join(dir, 'aborted.avro');
    const { json, type } = tableSchema('jobs');
    const file = await AvroFileWriter.create(path, type, json, { blockSize: 64 });
    for (let i = 1; i <= 100; i++) file.append({ id: i, job: `Job ${i}` });
    await file.abort();
    expect(existsSync(path)).toBe(true);
    await expect(file.ready()).rejects.toThrow(/abandoned/);
  });

  it('should keep any records, texts and block sizes whole and in order (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 31 - 1 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 16, max: 2048 }),
        async (rows, blockSize) => {
          const path = join(dir, `property-${n++}.avro`);
          const records = rows.map(([job, id]) => ({ id, job }));
          const { json, type } = tableSchema('jobs');
          const file = await AvroFileWriter.create(path, type, json, { blockSize });
          for (const record of records) if (file.append(record)) await file.ready();
          await file.close();
          expect((await decodeWithAvsc(path)).records).toEqual(records);
        },
      ),
      { numRuns: 60 },
    );
  });
});
