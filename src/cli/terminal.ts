/** Where the CLI writes: results to stdout, messages and progress to stderr. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bar instead of plain lines). */
  errIsTty: boolean;
  errColumns: number;
}

export function processTerminal(): Terminal {
  // `hr-migrate runs | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTty: Boolean(process.stderr.isTTY),
    errColumns: process.stderr.columns || 80,
  };
}
