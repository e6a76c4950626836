import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiParam, ApiPropertyOptional } from '@nestjs/swagger';
import type { Request } from 'express';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import { DomainError } from '../errors/domain-error';

/** The largest paging offset: what every engine takes in LIMIT/OFFSET without overflowing. */
export const MAX_OFFSET = 2 ** 31;
/** The largest id an `INT` key holds. */
export const MAX_ID = 2 ** 31 - 1;

/** Plain decimal digits, at most 10 of them: `1e20`, `0x10`, ` 5`, `+5` and 20-digit numbers stay text. */
const DIGITS = /^\d{1,10}$/;

/**
 * An optional integer query parameter within `min..max`. Only plain digits become a number, so
 * that `1e20` or `18446744073709551616` fail validation (400) instead of reaching the database.
 */
export function QueryInteger(
  name: string,
  range: { min: number; max: number; default: number; description?: string },
): PropertyDecorator {
  const message = `${name} must be an integer from ${range.min} to ${range.max}`;
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: range.min,
      maximum: range.max,
      default: range.default,
      description: range.description,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && DIGITS.test(value) ? Number(value) : value,
    ),
    // One rule, one message: the client reads the range once, whatever was wrong.
    ValidateBy(
      {
        name: 'integerInRange',
        validator: {
          validate: (value: unknown) =>
            Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max,
        },
      },
      { message },
    ),
  );
}

/** Plain digits 1..2147483647 as a number, else a 400 naming the rule. */
export function parseId(value: unknown, what: string): number {
  const id = typeof value === 'string' && DIGITS.test(value) ? Number(value) : NaN;
  if (id >= 1 && id <= MAX_ID) return id;
  throw new DomainError('REQUEST_INVALID', `The ${what} must be an integer from 1 to ${MAX_ID}`);
}

const rawIdParam = createParamDecorator((param: { name: string; what: string }, context: ExecutionContext) =>
  parseId(context.switchToHttp().getRequest<Request>().params[param.name], param.what),
);

/**
 * A path id (`/migrate/runs/:id`). A custom decorator rather than `@Param(name, pipe)`: the global
 * ValidationPipe would first turn `1e3` into 1000 and `18446744073709551616` into a float.
 */
export function IdParam(name: string, what: string): ParameterDecorator {
  return (target, key, index) => {
    rawIdParam({ name, what })(target, key, index);
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor)
        ApiParam({ name, type: 'integer', schema: { type: 'integer', minimum: 1, maximum: MAX_ID } })(
          target,
          key,
          descriptor,
        );
    }
  };
}
