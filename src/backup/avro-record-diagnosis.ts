import type { Type } from 'avsc';
import type { SchemaResolution } from './avro-schemas';

export type DiagnosedRecord = { value: Record<string, unknown>; offset: number } | { damage: string };

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const PAST_THE_END = 'runs past the end of its block';

/**
 * Decodes one record field by field with the writer's schema, once the fast decoder has failed on
 * it: a long beyond 2^53 (which avsc will not read as a number) comes out as a bigint, for the data
 * rules to name with its field; bytes that are not what the schema says are named by their field.
 * Slow, and only ever on that failure path.
 */
export function diagnoseRecord(schema: SchemaResolution, data: Buffer, offset: number): DiagnosedRecord {
  const fields = (schema.writerType as unknown as { fields: { name: string; type: Type }[] }).fields;
  const value: Record<string, unknown> = {};
  let pos = offset;
  for (const field of fields) {
    const read = readValue(field.type, data, pos);
    if (typeof read === 'string') return { damage: `its field '${field.name}' ${read}` };
    pos = read.offset;
    const name = schema.readerNames.get(field.name);
    if (name !== undefined) value[name] = read.value;
  }
  return { value, offset: pos };
}

type Read = { value: unknown; offset: number } | string;

function readValue(type: Type, data: Buffer, pos: number): Read {
  const name = type.typeName;
  if (name === 'long' || name === 'int') return readLong(data, pos);
  if (name.startsWith('union')) {
    const branches = (type as unknown as { types: Type[] }).types;
    const index = readLong(data, pos);
    if (typeof index === 'string') return index;
    if (typeof index.value !== 'number' || index.value < 0 || index.value >= branches.length) {
      return `names branch ${String(index.value)} of a union of ${branches.length}`;
    }
    return readValue(branches[index.value], data, index.offset);
  }
  try {
    const read = type.decode(data, pos);
    return read.offset < 0 ? PAST_THE_END : read;
  } catch {
    return `cannot be decoded as ${name}`;
  }
}

/** A zig-zag varint, exact at any size. */
function readLong(data: Buffer, pos: number): Read {
  let n = 0n;
  for (let i = 0, shift = 0n; i < 10; i += 1, shift += 7n) {
    if (pos >= data.length) return PAST_THE_END;
    const byte = data[pos++];
    n |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      const value = (n >> 1n) ^ -(n & 1n);
      return { value: value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value, offset: pos };
    }
  }
  return 'holds a malformed number';
}
