import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { AvroContainerReader, DATA_SHA256_KEY, DATA_SHA256_PLACEHOLDER } from './avro-container-reader';
import { avroLong } from './avro-file-writer';

/**
 * Finishes a container file written with the DATA_SHA256_KEY placeholder in its header: reads it
 * back (checking every block), writes the data's sha256 over the placeholder (same length, so
 * nothing moves), fsyncs, and returns the final file's size and sha256.
 */
export async function sealContainer(path: string): Promise<{ bytes: number; sha256: string }> {
  const reader = await AvroContainerReader.open(path);
  let headerLength: number;
  let dataSha256: string;
  try {
    const header = await reader.header();
    for await (const _block of reader.blocks(header.codec, { decompress: false })) {
      // Reading the blocks back is what computes the checksum.
    }
    headerLength = header.length;
    dataSha256 = reader.dataSha256;
  } finally {
    await reader.close();
  }
  const handle = await open(path, 'r+');
  try {
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, 0);
    const at = header.indexOf(placeholderEntry());
    if (at < 0) throw new Error(`the header has no ${DATA_SHA256_KEY} placeholder`);
    const valueAt = at + placeholderEntry().length - DATA_SHA256_PLACEHOLDER.length;
    await handle.write(Buffer.from(dataSha256, 'latin1'), 0, dataSha256.length, valueAt);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The key and value as the header map encodes them: zig-zag varint lengths, then the bytes. */
function placeholderEntry(): Buffer {
  const key = Buffer.from(DATA_SHA256_KEY, 'latin1');
  const value = Buffer.from(DATA_SHA256_PLACEHOLDER, 'latin1');
  return Buffer.concat([avroLong(key.length), key, avroLong(value.length), value]);
}

/** The metadata a backup is written with: the placeholder `sealContainer` fills in. */
export function sealMetadata(): Record<string, Buffer> {
  return { [DATA_SHA256_KEY]: Buffer.from(DATA_SHA256_PLACEHOLDER, 'latin1') };
}
