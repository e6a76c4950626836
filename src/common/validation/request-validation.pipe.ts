import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

/** Query strings remembered per DTO class; the oldest is forgotten first. */
const REMEMBERED_QUERIES = 500;

type Primitive = string | number | boolean | null | undefined;

/**
 * The global ValidationPipe, remembering the queries it has validated: a dashboard or a client
 * polling a report sends the same few query strings again and again, and class-validator's pass
 * over a DTO costs more than the cached report it asks for. A query is remembered only when it holds
 * plain text values (no arrays or nested objects) and its DTO holds only primitive values; each
 * request gets its own copy, so a handler that changes its DTO changes nobody else's. A query that
 * fails validation is never remembered: it fails again, with the same answer, every time.
 */
export class RequestValidationPipe extends ValidationPipe {
  private readonly validQueries = new Map<unknown, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query' || !this.toValidate(metadata) || !isTextRecord(value)) {
      return super.transform(value, metadata);
    }
    let known = this.validQueries.get(metadata.metatype);
    const key = JSON.stringify(value);
    const remembered = known?.get(key);
    if (remembered) return copyOf(remembered);
    const result: unknown = await super.transform(value, metadata);
    if (isPrimitiveRecord(result)) {
      if (!known) this.validQueries.set(metadata.metatype, (known = new Map()));
      if (known.size >= REMEMBERED_QUERIES) known.delete(known.keys().next().value as string);
      known.set(key, copyOf(result));
    }
    return result;
  }
}

/** A plain object of text values, as a query string without repeated or bracketed keys parses. */
function isTextRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

function isPrimitiveRecord(value: unknown): value is Record<string, Primitive> {
  if (typeof value !== 'object' || value === null) return false;
  for (const key of Object.keys(value)) {
    const field: unknown = (value as Record<string, unknown>)[key];
    if (typeof field === 'object' && field !== null) return false;
    if (typeof field === 'function' || typeof field === 'symbol' || typeof field === 'bigint') return false;
  }
  return true;
}

/** A new instance of the same class with the same own fields. */
function copyOf<T extends object>(value: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(value) as object) as T, value);
}
