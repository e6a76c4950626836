/**
 * Whether a text can be shown as a name: well-formed Unicode, with something visible in it.
 * Pure and dependency-free, so that every path that stores text (loads, restores) can share it.
 */
export type TextFormProblem = 'not-well-formed' | 'invisible';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Only white space and characters Unicode says to draw as nothing (Default_Ignorable_Code_Point:
 * zero-width spaces and joiners, U+2060, U+FEFF, soft hyphens, variation selectors, fillers...).
 */
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

export function textFormProblem(text: string): TextFormProblem | undefined {
  // A lone surrogate cannot be written as UTF-8: one engine would store bytes that are not text.
  if (LONE_SURROGATE.test(text)) return 'not-well-formed';
  if (INVISIBLE.test(text)) return 'invisible';
  return undefined;
}
