/** Where the CLI writes: results to stdout, messages and progress to stderr. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bar instead of plain lines). */
  errIsTty: boolean;
  errColumns: number;
}

export function processTerminal(): Terminal {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTty: Boolean(process.stderr.isTTY),
    errColumns: process.stderr.columns || 80,
  };
}
