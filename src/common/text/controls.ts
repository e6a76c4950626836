/**
 * C0 controls, DEL, C1 controls and the bidirectional overrides and isolates: characters
 * that move a terminal's cursor, start its commands (ESC, U+009B) or reorder what is drawn.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** The text without those characters: for names a person gave, such as a file's. */
export function withoutControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** The text with each of those characters written as an escape (`\n`, `\t`, `\x1b`, `\u202e`): one log line stays one line. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
