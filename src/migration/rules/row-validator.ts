import { TABLE_COLUMNS, type ColumnSpec, type TableName } from '../../database/tables';
import {
  ruledText,
  TEXT_CONTROL,
  TEXT_EMPTY,
  TEXT_INVISIBLE,
  TEXT_NOT_WELL_FORMED,
  TEXT_TOO_LONG,
} from '../../common/data-rules';
import { ISO_INSTANT_SHAPE, MAX_ID, MAX_YEAR, MIN_YEAR, REASONS } from './row-rules';

export interface FieldError {
  field: string | null;
  value: string | null;
  reason: string;
}

/** A value ready for the database: ids as numbers, text trimmed, datetimes as UTC `YYYY-MM-DD HH:MM:SS.mmm`. */
export type DbValue = number | string;

export type RowCheck = { ok: true; values: DbValue[] } | { ok: false; errors: FieldError[] };

/**
 * The fast path of the data rules, per row, without class-validator's per-object cost, which
 * dominates a large load. It must agree with the row DTOs: a differential test holds the two together.
 */
export function checkRow(table: TableName, values: readonly string[], columnsFound = values.length): RowCheck {
  const columns = TABLE_COLUMNS[table];
  if (columnsFound !== columns.length) {
    return { ok: false, errors: [{ field: null, value: null, reason: REASONS.columns(columns.length, columnsFound) }] };
  }
  const out: DbValue[] = new Array<DbValue>(columns.length);
  let errors: FieldError[] | undefined;
  for (let i = 0; i < columns.length; i++) {
    const result = checkValue(columns[i], values[i]);
    if (typeof result === 'object') {
      (errors ??= []).push({ field: columns[i].name, value: values[i], reason: result.reason });
    } else {
      out[i] = result;
    }
  }
  return errors ? { ok: false, errors } : { ok: true, values: out };
}

type Checked = DbValue | { reason: string };

export function checkValue(column: ColumnSpec, value: string): Checked {
  switch (column.kind) {
    case 'id':
    case 'reference':
      return checkId(column.name, value);
    case 'string':
      return checkText(column.name, value);
    case 'datetime':
      return checkInstant(column.name, value);
  }
}

function checkId(field: string, value: string): Checked {
  const n = value.length;
  if (n === 0 || value.trim().length === 0) return { reason: REASONS.empty(field) };
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return { reason: REASONS.notPositiveInteger(field, value) };
  }
  const id = n > 12 ? Infinity : Number(value);
  if (id === 0) return { reason: REASONS.notPositiveInteger(field, value) };
  if (id > MAX_ID) return { reason: REASONS.tooLarge(field, value) };
  return id;
}

function checkText(field: string, value: string): Checked {
  const text = ruledText(value);
  switch (text) {
    case TEXT_EMPTY:
      return { reason: REASONS.empty(field) };
    case TEXT_NOT_WELL_FORMED:
      return { reason: REASONS.notWellFormed(field) };
    case TEXT_INVISIBLE:
      return { reason: REASONS.invisible(field) };
    case TEXT_CONTROL:
      return { reason: REASONS.controlInText(field) };
    case TEXT_TOO_LONG:
      return { reason: REASONS.tooLong(field) };
  }
  return text;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkInstant(field: string, value: string): Checked {
  const fast = plainUtcInstant(value);
  if (fast !== undefined) return fast;
  if (value.trim().length === 0) return { reason: REASONS.empty(field) };
  const m = ISO_INSTANT_SHAPE.exec(value);
  if (!m) return { reason: REASONS.notIsoInstant(field, value) };
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (year < MIN_YEAR || year > MAX_YEAR) return { reason: REASONS.outOfYears(field, value) };
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  const offsetHours = m[8] ? 0 : +m[10];
  const offsetMinutes = m[8] ? 0 : +m[11];
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
    return { reason: REASONS.notRealDate(field, value) };
  }
  if (offsetHours > 23 || offsetMinutes > 59) return { reason: REASONS.notRealDate(field, value) };
  const millis = m[7] ? +m[7].slice(0, 3).padEnd(3, '0') : 0;
  const sign = m[9] === '-' ? -1 : 1;
  const utc =
    Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const iso = new Date(utc).toISOString();
  const utcYear = +iso.slice(0, 4);
  if (iso.length !== 24 || utcYear < MIN_YEAR || utcYear > MAX_YEAR)
    return { reason: REASONS.outOfYears(field, value) };
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** 0-9 at `i`, or -1. */
function digit(value: string, i: number): number {
  const c = value.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ`, the shape of the source files, checked without a regex or a Date (a
 * third of the load's validation time otherwise). Anything else, valid or not, takes the full path.
 */
function plainUtcInstant(value: string): string | undefined {
  if (value.length !== 20 || value.charCodeAt(19) !== 90 || value.charCodeAt(10) !== 84) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return undefined;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return undefined;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = digit(value, i);
    if (d < 0) return undefined;
    year = year * 10 + d;
  }
  const two = (i: number) => {
    const a = digit(value, i);
    const b = digit(value, i + 1);
    return a < 0 || b < 0 ? -1 : a * 10 + b;
  };
  const month = two(5);
  const day = two(8);
  const hour = two(11);
  const minute = two(14);
  const second = two(17);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return undefined;
  return `${value.slice(0, 10)} ${value.slice(11, 19)}.000`;
}
