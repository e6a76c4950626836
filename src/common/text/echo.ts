/** How much of a request's own input an error message may quote. */
export const ECHO_CHARS = 40;

/** Input as an error message may show it: at most 40 characters, then an ellipsis. */
export function shortened(value: string): string {
  return value.length > ECHO_CHARS ? `${value.slice(0, ECHO_CHARS)}…` : value;
}

/** Input quoted in an error message: shortened, in double quotes, control characters escaped. */
export function echo(value: string): string {
  return JSON.stringify(shortened(value));
}
