/**
 * Whether a text can be shown as a name: well-formed Unicode, free of control characters, with
 * something visible in it. Pure and dependency-free, so that every path that stores text (loads,
 * restores) can share it.
 */
export type TextFormProblem = 'not-well-formed' | 'control' | 'invisible';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * C0 controls but tab and line ends, DEL, C1 controls (U+009B is a terminal's CSI), and the
 * bidirectional embeddings, overrides and isolates, which reorder what is drawn after them.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * Only white space, characters Unicode says to draw as nothing (Default_Ignorable_Code_Point:
 * zero-width spaces and joiners, U+2060, U+FEFF, soft hyphens, variation selectors, fillers...)
 * and characters drawn as a blank (the empty Braille pattern U+2800, the null notehead U+1D159).
 */
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]*$/u;

export function textFormProblem(text: string): TextFormProblem | undefined {
  // A lone surrogate cannot be written as UTF-8: one engine would store bytes that are not text.
  if (LONE_SURROGATE.test(text)) return 'not-well-formed';
  if (CONTROL.test(text)) return 'control';
  if (INVISIBLE.test(text)) return 'invisible';
  return undefined;
}
