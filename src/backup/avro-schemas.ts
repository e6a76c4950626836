import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import { DomainError } from '../common/errors/domain-error';
import type { TableName } from '../database/tables';
import { shortened } from '../common/text/echo';

/** The schema of a table's backups, as committed in `schemas/<table>.avsc`. */
export interface TableSchema {
  table: TableName;
  /** The schema as JSON, written into every backup's header untouched (logical types included). */
  json: RecordSchemaJson;
  type: Type;
}

export interface FieldSchemaJson {
  name: string;
  type: unknown;
  aliases?: string[];
  default?: unknown;
}

export interface RecordSchemaJson {
  type: 'record';
  name: string;
  namespace?: string;
  fields: FieldSchemaJson[];
}

/** How the records of a backup are read into a table's schema. */
export interface SchemaResolution {
  readerType: Type;
  resolver: ReturnType<Type['createResolver']>;
  writerType: Type;
  /** The table's field that each writer field is read into (by name or alias); absent: skipped. */
  readerNames: Map<string, string>;
  /**
   * The same reading with text fields read as bytes, to tell bytes that are not UTF-8 (which
   * avsc decodes to U+FFFD) from a U+FFFD written as UTF-8. Only used on a record holding U+FFFD.
   */
  textAsBytes?: { readerType: Type; resolver: ReturnType<Type['createResolver']> };
}

const cache = new Map<TableName, TableSchema>();

/** The committed schema of a table; nest-cli copies the `.avsc` files next to the compiled code. */
export function tableSchema(table: TableName): TableSchema {
  let schema = cache.get(table);
  if (!schema) {
    const json = JSON.parse(readFileSync(join(__dirname, 'schemas', `${table}.avsc`), 'utf8')) as RecordSchemaJson;
    schema = { table, json, type: Type.forSchema(json as Schema) };
    cache.set(table, schema);
  }
  return schema;
}

/**
 * Resolves a backup's writer schema to the table's schema by the Avro rules: fields match by name
 * (or alias) in any order, `int` promotes to `long`, the writer's extra fields are skipped. The
 * record's own name is not compared: the table comes from the file name, and other tools name
 * records as they like. A field of type T that the writer declares as `["null", T]` is read as
 * that union, as Java's resolving reader does; a null in it breaks the data rules, record by
 * record. The writer's schema is normalised first (see normalizedSchema), so the object form of
 * types that Avro C writes matches too. Throws BACKUP_SCHEMA_MISMATCH naming the field that does not fit.
 */
export function resolveWriterSchema(table: TableName, writerSchema: unknown): SchemaResolution {
  const reader = tableSchema(table).json;
  const writerJson = normalizedSchema(writerSchema);
  if (!isRecordSchema(writerJson)) {
    throw mismatch(table, 'its schema is not a record');
  }
  let writerType: Type;
  try {
    writerType = Type.forSchema(writerJson as Schema);
  } catch (error) {
    throw mismatch(
      table,
      `its schema is not valid Avro (${error instanceof Error ? shortened(error.message) : 'unknown'})`,
    );
  }
  const writerFields = new Map(writerJson.fields.map((f) => [f.name, f]));
  const matches = reader.fields.map((field) => {
    const names = [field.name, ...(field.aliases ?? [])];
    const match = names.map((n) => writerFields.get(n)).find((f) => f !== undefined);
    if (!match) throw mismatch(table, `it has no field '${field.name}'`);
    checkLogicalType(table, field, match);
    return { field: { ...field, type: nullableLike(match.type, field.type) }, match };
  });
  const readerType = Type.forSchema({
    ...reader,
    fields: matches.map((m) => m.field),
    name: writerType.name ?? reader.name,
    namespace: undefined,
  } as Schema);
  const readerNames = new Map(matches.map((m) => [m.match.name, m.field.name]));
  let resolver: ReturnType<Type['createResolver']>;
  try {
    resolver = readerType.createResolver(writerType);
  } catch {
    throw mismatch(table, culprit(matches) ?? "its fields cannot be read as the table's");
  }
  return { readerType, resolver, writerType, readerNames, textAsBytes: textAsBytes(readerType, writerType) };
}

/** The reader with every `string` read as `bytes` (Avro reads either as the other). */
function textAsBytes(readerType: Type, writerType: Type): SchemaResolution['textAsBytes'] {
  const json = JSON.stringify(readerType.schema()).replace(/"string"/g, '"bytes"');
  try {
    const bytesType = Type.forSchema(JSON.parse(json) as Schema);
    return { readerType: bytesType, resolver: bytesType.createResolver(writerType) };
  } catch {
    // Without it, a U+FFFD is taken as written: the record is still checked by every other rule.
    return undefined;
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * The same schema with every primitive written in object form and nothing else (`{"type":"long"}`,
 * as Avro C writes every type, union branches included) written as its bare name (`"long"`), so
 * that one form is matched. A primitive with attributes (a logical type) stays an object.
 */
export function normalizedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizedSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const object = schema as Record<string, unknown>;
  const keys = Object.keys(object);
  if (typeof object.type === 'string' && PRIMITIVES.has(object.type) && keys.length === 1) return object.type;
  const out: Record<string, unknown> = { ...object };
  if (typeof object.type === 'object') out.type = normalizedSchema(object.type);
  if (Array.isArray(object.fields)) {
    out.fields = object.fields.map((field: unknown) =>
      typeof field === 'object' && field !== null
        ? { ...field, type: normalizedSchema((field as { type?: unknown }).type) }
        : field,
    );
  }
  if ('items' in object) out.items = normalizedSchema(object.items);
  if ('values' in object) out.values = normalizedSchema(object.values);
  return out;
}

/** The first field whose writer type cannot be read as the table's, in words. */
function culprit(matches: { field: FieldSchemaJson; match: FieldSchemaJson }[]): string | undefined {
  for (const { field, match } of matches) {
    try {
      Type.forSchema(field.type as Schema).createResolver(Type.forSchema(match.type as Schema));
    } catch {
      return `its field '${field.name}' is ${describe(match.type)}, which cannot be read as ${describe(field.type)}`;
    }
  }
  return undefined;
}

/** Millisecond timestamps stay milliseconds: a writer that declares another unit is refused. */
function checkLogicalType(table: TableName, reader: FieldSchemaJson, writer: FieldSchemaJson): void {
  const wanted = logicalType(reader.type);
  if (wanted === undefined) return;
  const found = logicalType(writer.type);
  if (found !== undefined && found !== wanted) {
    throw mismatch(table, `its field '${reader.name}' is ${found}, expected ${wanted}`);
  }
}

/** `["null", T]` or `[T, "null"]`: the branch that is not null. */
function nonNullBranch(type: unknown): unknown {
  if (!Array.isArray(type) || type.length !== 2) return undefined;
  const nulls = type.filter((branch) => branch === 'null').length;
  return nulls === 1 ? type.find((branch) => branch !== 'null') : undefined;
}

/** The reader's type, as a union with null in the writer's order when the writer's type is one. */
function nullableLike(writerType: unknown, readerType: unknown): unknown {
  if (nonNullBranch(writerType) === undefined) return readerType;
  return (writerType as unknown[]).map((branch) => (branch === 'null' ? 'null' : readerType));
}

function logicalType(type: unknown): string | undefined {
  const branch = nonNullBranch(type);
  if (branch !== undefined) return logicalType(branch);
  if (typeof type === 'object' && type !== null && 'logicalType' in type) {
    return String((type as { logicalType: unknown }).logicalType);
  }
  return undefined;
}

function describe(type: unknown): string {
  if (typeof type === 'string') return `'${type}'`;
  if (Array.isArray(type)) return `a union of ${type.map(describe).join(', ')}`;
  if (typeof type === 'object' && type !== null && 'type' in type) return describe((type as { type: unknown }).type);
  return 'an unknown type';
}

function isRecordSchema(value: unknown): value is RecordSchemaJson {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'record' &&
    Array.isArray((value as { fields?: unknown }).fields)
  );
}

function mismatch(table: TableName, reason: string): DomainError {
  return new DomainError('BACKUP_SCHEMA_MISMATCH', `The backup does not fit the ${table} table: ${reason}`);
}
