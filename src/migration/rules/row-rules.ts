import { textFormProblem } from '../../common/text-form';

/**
 * The data rules in one place: limits and the words of every reason. The row DTOs (the readable
 * statement, checked with class-validator) and the fast row validator both build on these.
 */
import { holdsControlCharacter, MAX_ID, MAX_TEXT_CHARS, MAX_YEAR, MIN_YEAR } from '../../common/data-rules';
import { MAX_LINE_CHARS } from '../csv/csv-tokenizer';

export { MAX_ID, MAX_TEXT_CHARS, MAX_YEAR, MIN_YEAR };

/** `2021-07-27T16:02:08Z`, `2021-07-27T16:02:08.123+02:00`: a date, a time and a zone, nothing left out. */
export const ISO_INSTANT_SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

const SHOWN_CHARS = 40;

/**
 * Why a row's values are not text (control characters), if they are not. U+FFFD is a character like
 * any other: bytes that are not UTF-8 are found where the bytes are decoded (Utf8Text, the JSON parser).
 * The position is only turned into text for a reason: V8 caches the text of numbers, so the text
 * of every line number would live long enough to reach the old generation.
 */
export function textProblem(values: readonly string[], where: 'line' | 'row', position: number): string | undefined {
  for (const value of values) {
    if (holdsControlCharacter(value)) return `${where} ${position} holds a control character`;
  }
  return undefined;
}

/** A value as quoted in a reason: short enough to read. */
export function shown(value: string): string {
  return value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value;
}

/** The reason a non-empty text cannot be stored as a name, if any (see textFormProblem). */
export function textFormReason(field: string, text: string): string | undefined {
  const problem = textFormProblem(text);
  if (problem === undefined) return undefined;
  if (problem === 'control') return REASONS.controlInText(field);
  return problem === 'invisible' ? REASONS.invisible(field) : REASONS.notWellFormed(field);
}

export const REASONS = {
  empty: (field: string) => `${field} is empty`,
  notPositiveInteger: (field: string, value: string) => `${field} ${shown(value)} is not a positive integer`,
  tooLarge: (field: string, value: string) => `${field} ${shown(value)} is larger than ${MAX_ID}`,
  tooLong: (field: string) => `${field} is longer than ${MAX_TEXT_CHARS} characters`,
  notWellFormed: (field: string) => `${field} is not well-formed text (it holds a lone UTF-16 surrogate)`,
  invisible: (field: string) => `${field} holds only invisible characters`,
  controlInText: (field: string) => `${field} holds a control character (C0, C1 or a bidirectional override)`,
  notIsoInstant: (field: string, value: string) =>
    `${field} ${shown(value)} is not an ISO 8601 instant with Z or an offset, like 2021-07-27T16:02:08Z`,
  notRealDate: (field: string, value: string) => `${field} ${shown(value)} is not a real date`,
  outOfYears: (field: string, value: string) =>
    `${field} ${shown(value)} is outside the years ${MIN_YEAR} to ${MAX_YEAR}`,
  textLeftOut: () =>
    `the row is longer than ${MAX_LINE_CHARS} characters: rejects.csv leaves it out, fix it in the file you sent`,
  columns: (expected: number, found: number) => `expected ${expected} columns, found ${found}`,
  notColumn: (field: string, table: string) => `${field} is not a column of ${table}`,
  notObject: () => 'the row is not a JSON object',
  missingReference: (field: string, value: number) => `${field} ${value} does not exist`,
  duplicate: (field: string, value: number, firstLine: number, where: string) =>
    `${field} ${value} appears more than once in this upload (first on ${where} ${firstLine})`,
};
