/** Where the CLI writes: results to stdout, messages and progress to stderr. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bar instead of plain lines). */
  errIsTty: boolean;
  errColumns: number;
}

/** The one control sequence the CLI writes itself: back to the line's start, and clear it (progress lines). */
export const ERASE_LINE = '\r\x1b[2K';

/**
 * Control characters but line feed and tab: C0 (ESC starts a terminal's commands), DEL, C1 (U+009B
 * is CSI on its own) and the bidirectional overrides and isolates, which reorder what follows.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Text as a terminal may show it: each control character written out as an escape, `\x1b`, `\u202e`. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * What reaches a terminal never holds a control character from the service or a file (a rejected
 * row, a file name, an error): a title, a cleared screen or a hidden line could be forged with them.
 * Messages are escaped wherever they go; results only on a terminal, so that `rejects > fix.csv`
 * keeps the rows exactly as they were sent.
 */
export function createTerminal(stdout: OutputStream, stderr: OutputStream): Terminal {
  return {
    out: (text) => stdout.write(stdout.isTTY ? printable(text) : text),
    err: (text) =>
      stderr.write(
        text.startsWith(ERASE_LINE) ? ERASE_LINE + printable(text.slice(ERASE_LINE.length)) : printable(text),
      ),
    errIsTty: Boolean(stderr.isTTY),
    errColumns: stderr.columns || 80,
  };
}

export function processTerminal(): Terminal {
  // `hr-migrate runs | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return createTerminal(process.stdout, process.stderr);
}
