import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { streams, type Schema } from 'avsc';
import { AvroContainerReader, ContainerDamageError } from './avro-container-reader';
import { sealContainer, sealMetadata } from './avro-container-seal';
import { tableSchema } from './avro-schemas';

async function readAll(path: string): Promise<{ rows: number; blocks: number }> {
  const reader = await AvroContainerReader.open(path);
  try {
    const header = await reader.header();
    let rows = 0;
    let blocks = 0;
    for await (const block of reader.blocks(header.codec, { decompress: true })) {
      rows += block.count;
      blocks += 1;
    }
    return { rows, blocks };
  } finally {
    await reader.close();
  }
}

async function failure(path: string): Promise<unknown> {
  try {
    await readAll(path);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('AvroContainerReader', () => {
  let dir: string;
  let sealed: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'avro-reader-'));
    const path = join(dir, 'jobs.avro');
    const records = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, job: `Job ${i + 1}` }));
    const options = { codec: 'deflate', blockSize: 100, writeHeader: 'always' as const, metadata: sealMetadata() };
    const encoder = new streams.BlockEncoder(tableSchema('jobs').json as Schema, options);
    await pipeline(Readable.from(records), encoder, createWriteStream(path));
    await sealContainer(path);
    sealed = readFileSync(path);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should read every block and record when the file is intact', async () => {
    const path = join(dir, 'intact.avro');
    writeFileSync(path, sealed);
    const read = await readAll(path);
    expect(read.rows).toBe(40);
    expect(read.blocks).toBeGreaterThan(3);
  });

  it('should detect the damage when a sealed file is cut at any byte, block boundaries included', async () => {
    const path = join(dir, 'cut.avro');
    const undetected: number[] = [];
    for (let length = 0; length < sealed.length; length += 1) {
      writeFileSync(path, sealed.subarray(0, length));
      if (!((await failure(path)) instanceof ContainerDamageError)) undetected.push(length);
    }
    expect(undetected).toEqual([]);
  });

  it('should detect the damage when any single bit after the magic bytes of a sealed file is flipped', async () => {
    const path = join(dir, 'flipped.avro');
    const undetected: number[] = [];
    for (let at = 4; at < sealed.length; at += 1) {
      const copy = Buffer.from(sealed);
      copy[at] ^= 1 << (at % 8);
      writeFileSync(path, copy);
      if (!((await failure(path)) instanceof ContainerDamageError)) undetected.push(at);
    }
    // Only a flip in the name of the checksum's own key hides the checksum.
    const key = sealed.indexOf('hr.data.sha256');
    expect(undetected.every((at) => at >= key && at < key + 'hr.data.sha256'.length)).toBe(true);
  });

  it('should refuse bytes after the last block', async () => {
    const path = join(dir, 'trailing.avro');
    writeFileSync(path, Buffer.concat([sealed, Buffer.from([0])]));
    expect(await failure(path)).toBeInstanceOf(ContainerDamageError);
  });
});
