import { ERROR_STATUS, type ErrorCode } from './error-codes';

/**
 * An error the service expects and explains: it carries a code, a message a person can act on,
 * and optional details that are returned with the answer. The exception filter maps it to HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
