import { isISO8601, isNumberString, maxLength, registerDecorator, type ValidationArguments } from 'class-validator';
import {
  ISO_INSTANT_SHAPE,
  MAX_ID,
  MAX_TEXT_CHARS,
  MAX_YEAR,
  MIN_YEAR,
  REASONS,
  textFormReason,
} from '../rules/row-rules';

/**
 * The data rules as class-validator constraints, written for reading rather than speed: each returns
 * the reason a value breaks its rule, or null. `checkRow` is the fast twin that loads use.
 */
type Rule = (field: string, value: unknown) => string | null;

const positiveIntegerRule: Rule = (field, value) => {
  const text = typeof value === 'string' ? value : '';
  if (text.trim() === '') return REASONS.empty(field);
  if (!isNumberString(text, { no_symbols: true }) || BigInt(text) === 0n) {
    return REASONS.notPositiveInteger(field, text);
  }
  return BigInt(text) > BigInt(MAX_ID) ? REASONS.tooLarge(field, text) : null;
};

const nonBlankTextRule: Rule = (field, value) => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return REASONS.empty(field);
  return textFormReason(field, text) ?? (maxLength(text, MAX_TEXT_CHARS) ? null : REASONS.tooLong(field));
};

const isoInstantRule: Rule = (field, value) => {
  const text = typeof value === 'string' ? value : '';
  if (text.trim() === '') return REASONS.empty(field);
  const match = ISO_INSTANT_SHAPE.exec(text);
  if (!match) return REASONS.notIsoInstant(field, text);
  const [, year, month, day, hour, minute, second] = match;
  if (Number(year) < MIN_YEAR || Number(year) > MAX_YEAR) return REASONS.outOfYears(field, text);
  const realDay = isISO8601(`${year}-${month}-${day}`, { strict: true });
  const realTime = Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
  const realZone = match[8] === 'Z' || (Number(match[10]) < 24 && Number(match[11]) < 60);
  if (!realDay || !realTime || !realZone) return REASONS.notRealDate(field, text);
  const utcYear = new Date(text).getUTCFullYear();
  return utcYear < MIN_YEAR || utcYear > MAX_YEAR ? REASONS.outOfYears(field, text) : null;
};

function ruleDecorator(name: string, rule: Rule): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => rule(args.property, value) === null,
        defaultMessage: (args?: ValidationArguments) => (args ? (rule(args.property, args.value) ?? '') : ''),
      },
    });
  };
}

/** How OpenAPI states an id: JSON sends it as a number (text of digits is taken too, as in CSV). */
export const ID_PROPERTY = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;

/** Digits only, at least 1, at most 2147483647: no sign, no decimals, no blanks. */
export const IsPositiveIntegerText = () => ruleDecorator('isPositiveIntegerText', positiveIntegerRule);
/** Not empty after trimming, well formed, not only invisible, at most 255 characters once trimmed. */
export const IsNonBlankText = () => ruleDecorator('isNonBlankText', nonBlankTextRule);
/** A real calendar instant in ISO 8601 with `Z` or an offset, within the years 1000 to 9999. */
export const IsIsoInstantText = () => ruleDecorator('isIsoInstantText', isoInstantRule);
