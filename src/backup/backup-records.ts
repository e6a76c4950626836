import {
  holdsControlCharacter,
  MAX_ID,
  MAX_TEXT_CHARS,
  MAX_YEAR,
  MIN_YEAR,
  ruledText,
  TEXT_EMPTY,
  TEXT_CONTROL,
  TEXT_INVISIBLE,
  TEXT_NOT_WELL_FORMED,
  TEXT_TOO_LONG,
} from '../common/data-rules';
import type { TableName } from '../database/tables';

/** A row as the repository writes it, values in the order of TABLE_COLUMNS; datetimes as epoch milliseconds. */
export type TableRow = (string | number)[];

/** DATETIME's range on MySQL; SQLite stores the same four-digit years. */
const MIN_INSTANT = Date.UTC(MIN_YEAR, 0, 1);
const MAX_INSTANT = Date.UTC(MAX_YEAR, 11, 31, 23, 59, 59, 999);
/** Where a datetime in another unit is taken for one, to say so in the reason. */
const PLAUSIBLE_FROM = Date.UTC(1900, 0, 1);
const PLAUSIBLE_UNTIL = Date.UTC(2200, 0, 1);

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
/**
 * The date part of each day written lately, `YYYY-MM-DD `: a restore's rows come in id order, and
 * their days repeat (a few years of hires are a few thousand days), so each day's text is made once.
 * Cleared when full, so any file's days cost bounded memory.
 */
const dayTexts = new Map<number, string>();
const MAX_DAY_TEXTS = 4096;

/**
 * The stored form of an instant on both engines: `YYYY-MM-DD HH:MM:SS.mmm`, UTC. The time of day
 * is put together from fixed pieces: a restore writes one per row, and `toISOString()` with its
 * edits would make several strings for each.
 */
export function toStoredDatetime(millis: number): string {
  const day = Math.floor(millis / DAY_MS);
  let dayText = dayTexts.get(day);
  if (dayText === undefined) {
    if (dayTexts.size >= MAX_DAY_TEXTS) dayTexts.clear();
    dayText = new Date(day * DAY_MS).toISOString().slice(0, 10) + ' ';
    dayTexts.set(day, dayText);
  }
  let rest = millis - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${dayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}`;
}

/**
 * A decoded backup record as a table row, or the reason it cannot be one: the load's data rules
 * (positive integer ids up to 2147483647, text trimmed and 1..255 characters, a real instant),
 * and no null where another tool's schema allowed one.
 */
export function recordToRow(table: TableName, record: Record<string, unknown>): TableRow | string {
  const id = record.id;
  const problem = idProblem('id', id);
  if (problem) return problem;
  if (table !== 'hired_employees') {
    const field = table === 'departments' ? 'department' : 'job';
    const text = ruled(record[field]);
    return typeof text === 'string' ? [id as number, text] : textReason(field, record[field], text);
  }
  const name = ruled(record.name);
  if (typeof name !== 'string') return textReason('name', record.name, name);
  const { datetime, department_id, job_id } = record;
  const reason = datetimeProblem(datetime) ?? idProblem('department_id', department_id) ?? idProblem('job_id', job_id);
  if (reason) return reason;
  return [id as number, name, datetime as number, department_id as number, job_id as number];
}

/**
 * The stored text, or a number that stands for the broken rule: the load's rules, in the same order
 * (a control character anywhere, even where trimming would take it off, as the load's CSV check does).
 */
function ruled(value: unknown): string | number {
  if (typeof value !== 'string') return -1;
  return holdsControlCharacter(value) ? TEXT_CONTROL : ruledText(value);
}

/** The column of a row that holds its text (department, job or name). */
export const TEXT_COLUMN = 1;

/** The reason for a text field whose bytes are not UTF-8 (found from the record's bytes, see BlockRowDecoder). */
export const notUtf8Reason = (field: string): string => `${field} holds bytes that are not UTF-8 text`;

function textReason(field: string, value: unknown, fault: string | number): string {
  if (value === null) return `${field} is null`;
  if (fault === TEXT_CONTROL) return `${field} holds a control character`;
  if (fault === TEXT_TOO_LONG) return `${field} is longer than ${MAX_TEXT_CHARS} characters`;
  if (fault === TEXT_NOT_WELL_FORMED) return `${field} is not well-formed text (it holds a lone UTF-16 surrogate)`;
  if (fault === TEXT_INVISIBLE) return `${field} holds only invisible characters`;
  return fault === TEXT_EMPTY ? `${field} is empty` : `${field} is not text`;
}

function idProblem(field: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID) return undefined;
  if (value === null) return `${field} is null`;
  return `${field} ${String(value)} is not a positive integer up to ${MAX_ID}`;
}

function datetimeProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_INSTANT && value <= MAX_INSTANT) {
    return undefined;
  }
  if (value === null) return 'datetime is null';
  const reason = `datetime ${String(value)} is not an instant between the years ${MIN_YEAR} and ${MAX_YEAR} in milliseconds since the epoch`;
  // A plain long is read as milliseconds; some writers put microseconds or nanoseconds there.
  if (typeof value !== 'bigint' && !(typeof value === 'number' && value > MAX_INSTANT)) return reason;
  for (const [unit, per] of [
    ['microseconds', 1000],
    ['nanoseconds', 1_000_000],
  ] as const) {
    const millis = Number(value) / per;
    if (millis >= PLAUSIBLE_FROM && millis < PLAUSIBLE_UNTIL) {
      return `${reason} (as ${unit} it would be ${new Date(Math.floor(millis)).toISOString()}: write milliseconds, as timestamp-millis says)`;
    }
  }
  return reason;
}
