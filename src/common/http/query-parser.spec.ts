import { parse } from 'node:querystring';
import fc from 'fast-check';
import { rememberingQueryParser } from './query-parser';

describe('rememberingQueryParser', () => {
  const query = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .array(fc.tuple(fc.constantFrom('year', 'format', 'a', 'b[]', '%20'), fc.string({ maxLength: 8 })), {
        maxLength: 5,
      })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
    fc.string({ minLength: 257, maxLength: 300 }),
  );

  it('should parse as querystring.parse does, the first time and every time after', () => {
    const parser = rememberingQueryParser();
    fc.assert(
      fc.property(query, (text) => {
        expect({ ...parser(text) }).toEqual({ ...parse(text) });
        expect({ ...parser(text) }).toEqual({ ...parse(text) });
      }),
    );
  });

  it('should give every read its own copy', () => {
    const parser = rememberingQueryParser();
    const first = parser('year=2021&tag=a&tag=b');
    first.year = '1999';
    (first.tag as string[]).push('c');
    expect({ ...parser('year=2021&tag=a&tag=b') }).toEqual({ year: '2021', tag: ['a', 'b'] });
  });

  it('should read a URL without a query string as an empty query', () => {
    expect({ ...rememberingQueryParser()(null) }).toEqual({});
  });
});
