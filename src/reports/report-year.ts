import { DomainError } from '../common/errors/domain-error';

/** The year the reports show when none is asked for. */
export const DEFAULT_REPORT_YEAR = 2021;

/** A year's bounds in UTC, as the strings both engines compare against the stored datetimes. */
export interface YearRange {
  /** First instant of the year, inclusive. */
  start: string;
  /** First instant of the next year, exclusive. */
  end: string;
  /** The [start, end) bounds of Q1, Q2, Q3 and Q4. */
  quarters: [string, string][];
}

// DATETIME on MySQL ends at 9999-12-31; the exclusive end bound of 9999 would not be a valid DATETIME.
const FIRST_YEAR = 1000;
const LAST_YEAR = 9998;

/**
 * The bounds of `year` as 'YYYY-MM-DD HH:MM:SS' UTC strings. MySQL casts them to DATETIME(3)
 * (so the index serves the range); SQLite compares them as text with the stored
 * 'YYYY-MM-DD HH:MM:SS.mmm', which orders the same way because every field has a fixed width.
 */
export function yearRange(year: number): YearRange {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new DomainError(
      'REPORT_INVALID_YEAR',
      `year must be a four-digit year between ${FIRST_YEAR} and ${LAST_YEAR}, such as ${DEFAULT_REPORT_YEAR}`,
    );
  }
  const at = (y: number, month: number): string =>
    `${String(y).padStart(4, '0')}-${String(month).padStart(2, '0')}-01 00:00:00`;
  const bounds = [at(year, 1), at(year, 4), at(year, 7), at(year, 10), at(year + 1, 1)];
  return {
    start: bounds[0],
    end: bounds[4],
    quarters: [0, 1, 2, 3].map((q): [string, string] => [bounds[q], bounds[q + 1]]),
  };
}
