import { isUtf8 } from 'node:buffer';

/** Deepest nesting of arrays and objects a JSON body may have; the service's bodies need 2. */
export const MAX_JSON_DEPTH = 32;
/** Most values (of any kind) a JSON body may hold; a full batch of 1000 rows holds about 6,000. */
export const MAX_JSON_VALUES = 100_000;

/** What makes a parsed JSON value unfit to go further; iterative, so a hostile body cannot overflow the stack. */
export function jsonShapeProblem(value: unknown, maxDepth: number, maxValues: number): 'deep' | 'large' | null {
  const stack: [unknown, number][] = [[value, 0]];
  let values = 1;
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (depth + 1 > maxDepth) return 'deep';
    const children = Array.isArray(item) ? item : Object.values(item as object);
    values += children.length;
    if (values > maxValues) return 'large';
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return null;
}

/**
 * Middleware after the JSON body parser: refuses bodies nested deeper than MAX_JSON_DEPTH or
 * holding more than MAX_JSON_VALUES values, as a body-parser error, before validation or
 * anything else walks through them.
 */
export function rejectHostileJson(req: { body?: unknown }, _res: unknown, next: (error?: unknown) => void): void {
  const body = req.body;
  const problem =
    typeof body === 'object' && body !== null ? jsonShapeProblem(body, MAX_JSON_DEPTH, MAX_JSON_VALUES) : null;
  if (problem === 'deep') return next(Object.assign(new Error('too deep'), { status: 400, type: 'entity.too.deep' }));
  if (problem === 'large') return next(Object.assign(new Error('too many'), { status: 400, type: 'entity.too.many' }));
  next();
}

/**
 * The JSON parser's `verify` step: a body whose bytes are not UTF-8 is refused (as the parser
 * refuses another charset) rather than read with U+FFFD in place of its bad bytes, which would
 * then pass for a character that was sent.
 */
export function refuseNonUtf8Body(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('not UTF-8'), { status: 400, type: 'charset.unsupported' });
}
