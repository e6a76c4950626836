import { crc32, inflateRaw } from 'node:zlib';
import { uncompress } from 'snappy';

/** avsc's codec hook: decompresses one block's bytes and calls back with the records' bytes. */
export type AvroCodec = (buffer: Buffer, callback: (error: Error | null, data?: Buffer) => void) => void;

/**
 * Larger blocks, compressed or not, are refused: they would have to sit in memory, and no writer
 * makes them by default (avsc and Java write about 64 KB, this service 256 KB).
 */
export const MAX_BLOCK_BYTES = 32 * 1024 * 1024;
export const MAX_BLOCK_MB = MAX_BLOCK_BYTES / 1024 / 1024;

/** A block's data does not decompress; the message says why, in words that follow "block N". */
export class CodecError extends Error {}

const tooLarge = () => new CodecError(`decompresses to more than ${MAX_BLOCK_MB} MB, the limit of a block`);

/**
 * The codecs a restore reads, in the shape of avsc's `codecs` option, so that avsc's own decoders
 * can take them too. The Avro specification's codecs that other tools write by default: `null`,
 * `deflate` (raw, without a zlib header) and `snappy` (each block followed by the big-endian CRC32
 * of its uncompressed bytes). Each refuses to produce more than MAX_BLOCK_BYTES.
 */
export const AVRO_CODECS: Readonly<Record<string, AvroCodec>> = {
  null: (buffer, callback) => callback(null, buffer),
  deflate: (buffer, callback) =>
    inflateRaw(buffer, { maxOutputLength: MAX_BLOCK_BYTES }, (error, data) => {
      if (!error) return callback(null, data);
      const code = (error as NodeJS.ErrnoException).code;
      callback(code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : new CodecError('is not valid deflate data'));
    }),
  snappy: (buffer, callback) => {
    const problem = snappyProblem(buffer);
    if (problem) return callback(problem);
    const compressed = buffer.subarray(0, buffer.length - 4);
    uncompress(compressed, { asBuffer: true }).then(
      (data) => {
        const out = data as Buffer;
        if (crc32(out) !== buffer.readUInt32BE(buffer.length - 4)) {
          return callback(new CodecError('does not match its snappy checksum'));
        }
        callback(null, out);
      },
      () => callback(new CodecError('is not valid snappy data')),
    );
  },
};

export const SUPPORTED_CODECS = Object.keys(AVRO_CODECS);

/** Checks the snappy preamble (the uncompressed length, a varint) before anything is allocated. */
function snappyProblem(buffer: Buffer): CodecError | undefined {
  if (buffer.length < 5) return new CodecError('is too short for snappy data and its checksum');
  let length = 0;
  for (let i = 0, shift = 1; i < 5 && i < buffer.length - 4; i += 1, shift *= 128) {
    length += (buffer[i] & 0x7f) * shift;
    if ((buffer[i] & 0x80) === 0) return length > MAX_BLOCK_BYTES ? tooLarge() : undefined;
  }
  return new CodecError('is not valid snappy data');
}
