import type { TableName } from '../database/tables';

/** A row as the repository writes it, values in the order of TABLE_COLUMNS; datetimes as epoch milliseconds. */
export type TableRow = (string | number)[];

const MAX_ID = 2_147_483_647;
/** DATETIME's range on MySQL; SQLite stores the same four-digit years. */
const MIN_INSTANT = Date.UTC(1000, 0, 1);
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A database row (from a keyset read) as the Avro record of the table's schema. */
export function rowToRecord(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  switch (table) {
    case 'departments':
      return { id: Number(row.id), department: row.department };
    case 'jobs':
      return { id: Number(row.id), job: row.job };
    case 'hired_employees':
      return {
        id: Number(row.id),
        name: row.name,
        datetime: toEpochMillis(row.datetime),
        department_id: Number(row.department_id),
        job_id: Number(row.job_id),
      };
  }
}

/** MySQL hands back a Date (the connection is UTC); SQLite the stored text `YYYY-MM-DD HH:MM:SS[.mmm]`, UTC. */
export function toEpochMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  const text = String(value);
  return Date.parse(`${text.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'}`);
}

/** The stored form of an instant on both engines: `YYYY-MM-DD HH:MM:SS.mmm`, UTC. */
export function toStoredDatetime(millis: number): string {
  return new Date(millis).toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * A decoded backup record as a table row, or the reason it cannot be one (the contract's data
 * rules: positive integer ids, strings of 1..255 characters not blank, a real instant).
 */
export function recordToRow(table: TableName, record: Record<string, unknown>): TableRow | string {
  const problem = idProblem(record, 'id');
  if (problem) return problem;
  if (table !== 'hired_employees') {
    const field = table === 'departments' ? 'department' : 'job';
    return textProblem(record, field) ?? [record.id as number, record[field] as string];
  }
  const reason =
    textProblem(record, 'name') ??
    datetimeProblem(record.datetime) ??
    idProblem(record, 'department_id') ??
    idProblem(record, 'job_id');
  if (reason) return reason;
  const { id, name, datetime, department_id, job_id } = record as Record<string, string | number>;
  return [id, name, datetime, department_id, job_id];
}

function idProblem(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID) return undefined;
  return `${field} ${String(value)} is not a positive integer up to ${MAX_ID}`;
}

function textProblem(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (typeof value !== 'string' || value.trim() === '') return `${field} is empty`;
  if (value.length > 255 && [...value].length > 255) return `${field} is longer than 255 characters`;
  return undefined;
}

function datetimeProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_INSTANT && value <= MAX_INSTANT) {
    return undefined;
  }
  return `datetime ${String(value)} is not an instant between the years 1000 and 9999`;
}
