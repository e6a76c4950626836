/** Deepest nesting of arrays and objects a JSON body may have; the service's bodies need 2. */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max`; iterative, so a hostile body cannot overflow the stack. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Middleware after the JSON body parser: refuses bodies nested deeper than MAX_JSON_DEPTH, as a
 * body-parser error, so that no later step (validation, JSON.stringify) recurses through them.
 */
export function rejectDeepJson(req: { body?: unknown }, _res: unknown, next: (error?: unknown) => void): void {
  if (req.body !== undefined && nestedDeeperThan(req.body, MAX_JSON_DEPTH)) {
    return next(Object.assign(new Error('too deep'), { status: 400, type: 'entity.too.deep' }));
  }
  next();
}
