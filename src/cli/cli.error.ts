/** Exit codes: 0 every row loaded, 1 some rows rejected, 2 failure or bad usage. */
export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_FAILURE = 2;

/** An error the user can act on: printed as one line, never with a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake on the command line; the message ends with where to find help. */
export class UsageError extends CliError {
  constructor(message: string, command?: string) {
    super(`${message}\nRun 'hr-migrate ${command ? `${command} ` : ''}--help' for usage.`);
    this.name = 'UsageError';
  }
}
