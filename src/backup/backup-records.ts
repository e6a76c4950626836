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

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The date part of the last day written: a restore's rows come in id order, often also in time order. */
let lastDay = Number.NaN;
let lastDayText = '';

/**
 * The stored form of an instant on both engines: `YYYY-MM-DD HH:MM:SS.mmm`, UTC. The time of day
 * is put together from fixed pieces: a restore writes one per row, and `toISOString()` with its
 * edits would make several strings for each.
 */
export function toStoredDatetime(millis: number): string {
  const day = Math.floor(millis / DAY_MS);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10) + ' ';
  }
  let rest = millis - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${lastDayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}`;
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
