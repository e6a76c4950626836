import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { AVRO_CODECS, CodecError, MAX_BLOCK_BYTES, MAX_BLOCK_MB, SUPPORTED_CODECS } from './avro-codecs';

export { MAX_BLOCK_BYTES };

/** The four bytes every Avro object container file starts with. */
export const MAGIC = Buffer.from('Obj\x01', 'latin1');
const SYNC_SIZE = 16;
const CHUNK_SIZE = 1024 * 1024;
const MAX_BLOCK_RECORDS = 10_000_000;
const MAX_HEADER_BYTES = 1024 * 1024;

/** The file is not a complete, intact Avro object container file; the message says why. */
export class ContainerDamageError extends Error {}

export interface ContainerHeader {
  /** The writer's schema, parsed from the header's `avro.schema`. */
  schema: unknown;
  codec: string;
  meta: Map<string, Buffer>;
  /** Bytes from the start of the file to the end of the header's sync marker. */
  length: number;
}

/**
 * Header metadata this service writes: the sha256 (hex) of the schema, the codec and every byte
 * after the header. Avro's deflate has no checksum, so without it a flipped bit can decode into a
 * plausible wrong value. Other readers ignore unknown metadata; other tools' files lack it.
 */
export const DATA_SHA256_KEY = 'hr.data.sha256';
export const DATA_SHA256_PLACEHOLDER = '0'.repeat(64);

export interface ContainerBlock {
  /** 1-based position of the block in the file. */
  index: number;
  count: number;
  /** The block's records, decompressed; empty when read with `decompress: false`. */
  data: Buffer;
}

/**
 * Reads an Avro object container file block by block, checking what avsc's stream decoder lets
 * pass: every sync marker, a block cut short, bytes after the last block, a header cut short.
 * Holds one block at a time. `sha256` and `bytes` cover the whole file once `blocks()` is done.
 */
export class AvroContainerReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  private read = 0;
  private readonly hash: Hash = createHash('sha256');
  private dataHash?: Hash;
  private digest?: string;
  private dataDigest?: string;
  /** From the header; compared with the data when `blocks()` ends. */
  private recordedDataSha256?: string;
  private sync?: Buffer;

  /** Where the next read starts in the file: reads name their position, so one handle can be read twice. */
  private filePos = 0;

  private constructor(
    private readonly file: FileHandle,
    private readonly ownsFile: boolean,
  ) {}

  static async open(path: string): Promise<AvroContainerReader> {
    return new AvroContainerReader(await open(path, 'r'), true);
  }

  /** Reads an open file from its start; `close()` leaves it open for its owner. */
  static of(file: FileHandle): AvroContainerReader {
    return new AvroContainerReader(file, false);
  }

  get bytes(): number {
    return this.read;
  }

  get sha256(): string {
    if (this.digest === undefined) throw new Error('the file has not been read to its end');
    return this.digest;
  }

  /** The sha256 of the schema, the codec and every byte after the header, once `blocks()` is done. */
  get dataSha256(): string {
    if (this.dataDigest === undefined) throw new Error('the file has not been read to its end');
    return this.dataDigest;
  }

  async close(): Promise<void> {
    if (this.ownsFile) await this.file.close();
  }

  async header(): Promise<ContainerHeader> {
    if (!(await this.fill(MAGIC.length)) || !this.take(MAGIC.length).equals(MAGIC)) {
      throw new ContainerDamageError('it is not an Avro object container file (no Obj1 magic bytes)');
    }
    const meta = new Map<string, Buffer>();
    let headerBytes = 0;
    for (let count = await this.long(); count !== 0; count = await this.long()) {
      if (count < 0) {
        count = -count;
        await this.long();
      }
      for (let i = 0; i < count; i += 1) {
        const key = (await this.lengthPrefixed(MAX_HEADER_BYTES)).toString('utf8');
        const value = await this.lengthPrefixed(MAX_HEADER_BYTES);
        headerBytes += key.length + value.length;
        if (headerBytes > MAX_HEADER_BYTES) throw new ContainerDamageError('its header is implausibly large');
        meta.set(key, value);
      }
    }
    this.sync = await this.exactly(SYNC_SIZE, 'the header');
    const length = this.read - (this.buf.length - this.pos);
    const schemaText = meta.get('avro.schema');
    if (!schemaText) throw new ContainerDamageError('its header has no avro.schema');
    const codec = meta.get('avro.codec')?.toString('utf8') || 'null';
    this.dataHash = createHash('sha256').update(schemaText).update('\u0000').update(codec).update('\u0000');
    this.dataHash.update(this.buf.subarray(this.pos));
    const recorded = meta.get(DATA_SHA256_KEY)?.toString('latin1');
    if (recorded !== undefined && recorded !== DATA_SHA256_PLACEHOLDER) {
      if (!/^[0-9a-f]{64}$/.test(recorded)) throw new ContainerDamageError(`its ${DATA_SHA256_KEY} is not a checksum`);
      this.recordedDataSha256 = recorded;
    }
    let schema: unknown;
    try {
      schema = JSON.parse(schemaText.toString('utf8'));
    } catch {
      throw new ContainerDamageError('the schema in its header is not JSON');
    }
    return { schema, codec, meta, length };
  }

  /** The blocks in order; ends only at a clean end of file, after every sync marker matched. */
  async *blocks(codec: string, options: { decompress: boolean }): AsyncGenerator<ContainerBlock> {
    if (!this.sync) throw new Error('read the header first');
    if (!Object.hasOwn(AVRO_CODECS, codec)) {
      throw new ContainerDamageError(`its codec '${codec}' is not supported (${SUPPORTED_CODECS.join(', ')} are)`);
    }
    for (let index = 1; await this.fill(1); index += 1) {
      const count = await this.long();
      const size = await this.long();
      if (count < 0 || size < 0) {
        throw new ContainerDamageError(`block ${index} has a damaged header (${count} records, ${size} bytes)`);
      }
      if (size > MAX_BLOCK_BYTES) {
        throw new ContainerDamageError(
          `block ${index} is over ${MAX_BLOCK_MB} MB (${size} bytes), the limit of a block: write smaller blocks`,
        );
      }
      if (count > MAX_BLOCK_RECORDS) {
        throw new ContainerDamageError(
          `block ${index} declares ${count} records, over the limit of ${MAX_BLOCK_RECORDS} records a block`,
        );
      }
      const raw = await this.exactly(size, `block ${index}`);
      if (!(await this.exactly(SYNC_SIZE, `block ${index}`)).equals(this.sync)) {
        throw new ContainerDamageError(`block ${index} does not end with the file's sync marker`);
      }
      if (!options.decompress) {
        yield { index, count, data: Buffer.alloc(0) };
        continue;
      }
      yield { index, count, data: codec === 'null' ? raw : await decompress(codec, raw, index) };
    }
    this.digest = this.hash.digest('hex');
    this.dataDigest = this.dataHash?.digest('hex');
    const recorded = this.recordedDataSha256;
    if (recorded !== undefined && recorded !== this.dataDigest) {
      throw new ContainerDamageError('its content does not match the checksum in its header');
    }
  }

  private async lengthPrefixed(max: number): Promise<Buffer> {
    const length = await this.long();
    if (length < 0 || length > max) throw new ContainerDamageError('its header is damaged');
    return this.exactly(length, 'the header');
  }

  private async exactly(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new ContainerDamageError(`it is truncated (in ${what})`);
    return this.take(n);
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A zig-zag varint `long`, as Avro writes counts and sizes. */
  private async long(): Promise<number> {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i += 1) {
      if (!(await this.fill(1))) throw new ContainerDamageError('it is truncated');
      const byte = this.buf[this.pos++];
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new ContainerDamageError('it holds a number out of range');
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      factor *= 128;
    }
    throw new ContainerDamageError('it holds a malformed number');
  }

  /** Makes at least `n` unread bytes available; false when the file ends first. */
  private async fill(n: number): Promise<boolean> {
    if (this.buf.length - this.pos >= n) return true;
    const parts = [this.buf.subarray(this.pos)];
    let available = parts[0].length;
    while (available < n && !this.eof) {
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, n - available));
      const { bytesRead } = await this.file.read(chunk, 0, chunk.length, this.filePos);
      this.filePos += bytesRead;
      if (bytesRead === 0) {
        this.eof = true;
        break;
      }
      const data = chunk.subarray(0, bytesRead);
      this.hash.update(data);
      this.dataHash?.update(data);
      this.read += bytesRead;
      parts.push(data);
      available += bytesRead;
    }
    this.buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.pos = 0;
    return available >= n;
  }
}

function decompress(codec: string, raw: Buffer, index: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    AVRO_CODECS[codec](raw, (error, data) => {
      if (!error) return resolve(data as Buffer);
      const reason = error instanceof CodecError ? error.message : `is not valid ${codec} data`;
      reject(new ContainerDamageError(`block ${index} ${reason}`));
    });
  });
}
