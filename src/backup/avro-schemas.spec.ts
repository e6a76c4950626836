import { Type, type Schema } from 'avsc';
import { DomainError } from '../common/errors/domain-error';
import { normalizedSchema, resolveWriterSchema, tableSchema } from './avro-schemas';

function refusal(table: 'departments' | 'jobs' | 'hired_employees', writer: unknown): DomainError {
  try {
    resolveWriterSchema(table, writer);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the schema was accepted');
}

const record = (fields: object[], name = 'Anything') => ({ type: 'record', name, fields });

describe('avro schemas', () => {
  it('should load each committed schema with the contract field names when asked for a table', () => {
    expect(tableSchema('departments').json.fields.map((f) => f.name)).toEqual(['id', 'department']);
    expect(tableSchema('jobs').json.fields.map((f) => f.name)).toEqual(['id', 'job']);
    expect(tableSchema('hired_employees').json.fields).toEqual([
      expect.objectContaining({ name: 'id', type: 'long' }),
      expect.objectContaining({ name: 'name', type: 'string' }),
      expect.objectContaining({ name: 'datetime', type: { type: 'long', logicalType: 'timestamp-millis' } }),
      expect.objectContaining({ name: 'department_id', type: 'long' }),
      expect.objectContaining({ name: 'job_id', type: 'long' }),
    ]);
  });

  it('should read records whose fields come in another order, as ints, with an extra field', () => {
    const writer = record([
      { name: 'extra', type: 'boolean' },
      { name: 'department', type: 'string' },
      { name: 'id', type: 'int' },
    ]);
    const { readerType, resolver } = resolveWriterSchema('departments', writer);
    const bytes = Type.forSchema(writer as Schema).toBuffer({ extra: true, department: 'Sales', id: 7 });
    expect({ ...readerType.fromBuffer(bytes, resolver) }).toEqual({ id: 7, department: 'Sales' });
  });

  it('should refuse naming the field when a required field is missing', () => {
    const error = refusal('jobs', record([{ name: 'id', type: 'long' }]));
    expect(error.code).toBe('BACKUP_SCHEMA_MISMATCH');
    expect(error.message).toContain("no field 'job'");
  });

  it('should refuse naming the field when its type cannot be promoted', () => {
    const error = refusal(
      'jobs',
      record([
        { name: 'id', type: 'double' },
        { name: 'job', type: 'string' },
      ]),
    );
    expect(error.message).toContain("field 'id' is 'double'");
  });

  it('should refuse a datetime in another unit when the writer declares timestamp-micros', () => {
    const error = refusal(
      'hired_employees',
      record([
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
        { name: 'datetime', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'department_id', type: 'long' },
        { name: 'job_id', type: 'long' },
      ]),
    );
    expect(error.message).toContain("'datetime' is timestamp-micros");
  });

  it.each([
    ['not a record', 'string'],
    ['not an object', 42],
    ['a record with invalid fields', { type: 'record', name: 'X', fields: [{ name: 'id', type: 'nope' }] }],
  ])('should refuse a writer schema that is %s', (_label, writer) => {
    expect(refusal('departments', writer).code).toBe('BACKUP_SCHEMA_MISMATCH');
  });

  it.each([
    ['["null", T]', ['null', 'string'], ['null', 'int']],
    ['[T, "null"]', ['string', 'null'], ['int', 'null']],
  ])('should read a %s union of a field of type T, nulls included', (_label, text, id) => {
    const writer = record([
      { name: 'id', type: id },
      { name: 'job', type: text },
    ]);
    const { readerType, resolver } = resolveWriterSchema('jobs', writer);
    const type = Type.forSchema(writer as Schema);
    expect({ ...readerType.fromBuffer(type.toBuffer({ id: 3, job: 'Clerk' }), resolver) }).toEqual({
      id: 3,
      job: 'Clerk',
    });
    expect({ ...readerType.fromBuffer(type.toBuffer({ id: null, job: null }), resolver) }).toEqual({
      id: null,
      job: null,
    });
  });

  it('should refuse naming the field when a nullable union holds another type', () => {
    const error = refusal(
      'jobs',
      record([
        { name: 'id', type: ['null', 'double'] },
        { name: 'job', type: 'string' },
      ]),
    );
    expect(error.message).toContain(
      "field 'id' is a union of 'null', 'double', which cannot be read as a union of 'null', 'long'",
    );
  });

  it('should refuse a nullable datetime declared in microseconds', () => {
    const error = refusal(
      'hired_employees',
      record([
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
        { name: 'datetime', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
        { name: 'department_id', type: 'long' },
        { name: 'job_id', type: 'long' },
      ]),
    );
    expect(error.message).toContain("'datetime' is timestamp-micros, expected timestamp-millis");
  });

  it('should still refuse a union of more than null and one type', () => {
    const error = refusal(
      'jobs',
      record([
        { name: 'id', type: 'long' },
        { name: 'job', type: ['null', 'string', 'long'] },
      ]),
    );
    expect(error.message).toContain("field 'job' is a union of 'null', 'string', 'long'");
  });
});

describe('normalizedSchema', () => {
  it('should write primitives in object form as their bare names when Avro C wrote them so', () => {
    const avroC = {
      type: 'record',
      name: 'Hire',
      fields: [
        { name: 'id', type: { type: 'long' } },
        { name: 'job_id', type: [{ type: 'long' }, { type: 'null' }] },
        { name: 'tags', type: { type: 'array', items: { type: 'string' } } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    expect(normalizedSchema(avroC)).toEqual({
      type: 'record',
      name: 'Hire',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'job_id', type: ['long', 'null'] },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    });
  });
});
