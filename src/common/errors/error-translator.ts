import type { DomainError } from './domain-error';

/**
 * How an error of a lower layer (the database's) becomes a domain error, or undefined when it is
 * not one it knows. That layer provides it; the exception filter asks it, so common/ needs to know
 * no layer above it.
 */
export abstract class ErrorTranslator {
  abstract translate(error: unknown): DomainError | undefined;
}
