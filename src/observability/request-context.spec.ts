import type { Request } from 'express';
import { requestIdOf } from './request-context';

function withHeader(value: string | string[] | undefined): Request {
  return { headers: value === undefined ? {} : { 'x-request-id': value } } as unknown as Request;
}

describe('requestIdOf', () => {
  it.each(['a', 'trace-01.abc:DEF_9', 'x'.repeat(128)])('should keep the id %s when the client sends it', (id) => {
    expect(requestIdOf(withHeader(id))).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with a space', 'a b'],
    ['with a line break', 'a\r\nSet-Cookie: x'],
    ['with a quote', 'a"b'],
  ])('should make a new id when the one sent is %s', (_what, id) => {
    expect(requestIdOf(withHeader(id))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('should make a new id for each request that sends none', () => {
    expect(requestIdOf(withHeader(undefined))).not.toBe(requestIdOf(withHeader(undefined)));
  });
});
