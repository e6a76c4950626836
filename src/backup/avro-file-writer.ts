import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import type { Type } from 'avsc';
import { MAGIC } from './avro-container-reader';

const deflate = promisify(deflateRaw);

/** Blocks being compressed or written at once: enough to keep encoding and compressing side by side. */
const BLOCKS_IN_FLIGHT = 3;

export interface AvroFileOptions {
  /** Uncompressed bytes per block. */
  blockSize: number;
  /** Extra header metadata (the file's own keys; avro.schema and avro.codec are written anyway). */
  metadata?: Record<string, Buffer>;
}

/**
 * Writes an Avro object container file, deflate codec, one record at a time. A full block is
 * compressed on the thread pool while the next one is encoded, and blocks reach the file in
 * order; at most BLOCKS_IN_FLIGHT wait, so memory stays a few blocks whatever the table's size.
 * (avsc's BlockEncoder holds back its writes while a block is compressed, so its caller waits.)
 *
 *   const file = await AvroFileWriter.create(path, type, schemaJson, { blockSize });
 *   for (const record of records) if (file.append(record)) await file.ready();
 *   await file.close();
 *
 * The file is created (flag `wx`: never over an existing file) and, on any failure, left for the
 * caller to remove.
 */
export class AvroFileWriter {
  private block: Buffer;
  private pos = 0;
  private count = 0;
  private readonly sync = randomBytes(16);
  /** Blocks compressed or being compressed, not yet written, oldest first. */
  private readonly inFlight: Promise<void>[] = [];
  /** The last block's write: each block is written once the one before it is. */
  private written: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Blocks' buffers back from compression, for the next blocks (fewer large allocations, less GC). */
  private readonly spare: Buffer[] = [];

  private constructor(
    private readonly handle: FileHandle,
    private readonly type: Type,
    private readonly blockSize: number,
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  static async create(
    path: string,
    type: Type,
    schemaJson: unknown,
    options: AvroFileOptions,
  ): Promise<AvroFileWriter> {
    const handle = await open(path, 'wx');
    const writer = new AvroFileWriter(handle, type, options.blockSize);
    try {
      await handle.write(header(schemaJson, options.metadata ?? {}, writer.sync));
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return writer;
  }

  /** Encodes one record; true when the caller should wait for `ready()` before the next. */
  append(record: unknown): boolean {
    let end = this.type.encode(record, this.block, this.pos);
    if (end < 0) {
      // The record does not fit (encode answers minus the bytes missing): the block so far goes,
      // and the record starts the next one, in a block as large as it needs.
      const size = this.block.length - this.pos - end;
      if (this.count > 0) this.flush();
      if (size > this.block.length) this.block = Buffer.allocUnsafe(size);
      end = this.type.encode(record, this.block, 0);
      if (end < 0) throw new Error('an Avro record did not fit the block made for it');
    }
    this.pos = end;
    this.count += 1;
    if (this.pos >= this.blockSize) this.flush();
    return this.inFlight.length >= BLOCKS_IN_FLIGHT || this.failure !== undefined;
  }

  /** Waits until fewer than BLOCKS_IN_FLIGHT blocks wait; rejects once any block failed. */
  async ready(): Promise<void> {
    while (this.inFlight.length >= BLOCKS_IN_FLIGHT && this.failure === undefined) await this.inFlight[0];
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes the last block, waits for every write, and closes the file. */
  async close(): Promise<void> {
    try {
      if (this.count > 0) this.flush();
      await this.written;
      if (this.failure !== undefined) throw this.failure;
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file after a failure elsewhere, without writing what is left. */
  async abort(): Promise<void> {
    this.failure ??= new Error('the backup was abandoned');
    await this.written;
    await this.handle.close().catch(() => undefined);
  }

  private flush(): void {
    const full = this.block;
    const data = full.subarray(0, this.pos);
    const count = this.count;
    this.block = this.spare.pop() ?? Buffer.allocUnsafe(this.blockSize);
    this.pos = 0;
    this.count = 0;
    // Output in chunks of a quarter block: a block compresses to about that, so zlib comes back
    // to this thread once or twice a block rather than every 16 KB.
    const compressed = deflate(data, { chunkSize: Math.max(this.blockSize / 4, 16 * 1024) });
    compressed.then(
      () => full.length === this.blockSize && this.spare.push(full),
      () => undefined,
    );
    const previous = this.written;
    const done = (this.written = (async () => {
      const body = await compressed;
      await previous;
      if (this.failure !== undefined) return;
      await this.handle.writev([avroLong(count), avroLong(body.length), body, this.sync]);
    })().catch((error: unknown) => {
      this.failure ??= error;
    }));
    this.inFlight.push(done);
    void done.then(() => this.inFlight.splice(this.inFlight.indexOf(done), 1));
  }
}

/** The container's header: magic, the metadata map (bytes values), the sync marker. */
function header(schemaJson: unknown, metadata: Record<string, Buffer>, sync: Buffer): Buffer {
  const entries: [string, Buffer][] = [
    ...Object.entries(metadata),
    ['avro.schema', Buffer.from(JSON.stringify(schemaJson), 'utf8')],
    ['avro.codec', Buffer.from('deflate', 'latin1')],
  ];
  const parts: Buffer[] = [MAGIC, avroLong(entries.length)];
  for (const [key, value] of entries) {
    const name = Buffer.from(key, 'utf8');
    parts.push(avroLong(name.length), name, avroLong(value.length), value);
  }
  parts.push(avroLong(0), sync);
  return Buffer.concat(parts);
}

/** An Avro long: zig-zag, then a little-endian base-128 varint. Non-negative here, up to 2^53. */
export function avroLong(n: number): Buffer {
  const bytes: number[] = [];
  let v = n * 2;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
