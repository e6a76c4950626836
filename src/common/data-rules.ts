import { isUtf8 } from 'node:buffer';
import { textFormProblem } from './text-form';

/**
 * The limits of the data rules and the rule for text, shared by everything that writes rows (the
 * CSV/JSON load and the restore), so that a table's rows obey one set of rules whichever way they came in.
 */
export const MAX_ID = 2_147_483_647;
export const MAX_TEXT_CHARS = 255;
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

/** What `ruledText` answers for text that breaks the rule. */
export const TEXT_EMPTY = 0;
export const TEXT_TOO_LONG = 1;
export const TEXT_NOT_WELL_FORMED = 2;
export const TEXT_INVISIBLE = 3;
export const TEXT_CONTROL = 4;
export type TextFault =
  typeof TEXT_EMPTY | typeof TEXT_TOO_LONG | typeof TEXT_NOT_WELL_FORMED | typeof TEXT_INVISIBLE | typeof TEXT_CONTROL;

/**
 * The text as it is stored (trimmed), or why it cannot be: empty after trimming, not well-formed,
 * holding a control character or only invisible (textFormProblem), or over 255 characters.
 */
export function ruledText(value: string): string | TextFault {
  const text = value.trim();
  if (text.length === 0) return TEXT_EMPTY;
  const form = textFormProblem(text);
  if (form !== undefined) return FAULTS[form];
  // Lengths count characters (code points), as VARCHAR(255) does; UTF-16 length is an upper bound.
  if (text.length > MAX_TEXT_CHARS && codePoints(text) > MAX_TEXT_CHARS) return TEXT_TOO_LONG;
  return text;
}

const FAULTS = { 'not-well-formed': TEXT_NOT_WELL_FORMED, control: TEXT_CONTROL, invisible: TEXT_INVISIBLE } as const;

export function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) count++;
    else {
      const next = text.charCodeAt(i + 1);
      count++;
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

// Control characters other than tab, CR and LF: no field of any table holds them.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Whether a value holds a control character (tab, CR and LF aside): the load and the restore refuse it. */
export function holdsControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** Whether bytes are UTF-8 text, found by decoding them: a U+FFFD sent as UTF-8 is a character like any other. */
export function isUtf8Text(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
