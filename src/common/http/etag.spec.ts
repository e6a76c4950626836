import * as fc from 'fast-check';
import { rememberingWeakEtag } from './etag';

// Express's own ETag, as `app.set('etag', 'weak')` makes it: the function this one stands in for.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const expressEtag = require('etag') as (entity: Buffer, options: { weak: boolean }) => string;

describe('rememberingWeakEtag', () => {
  it("should give Express's weak ETag for any body, as text or bytes, asked once or again", () => {
    const tagOf = rememberingWeakEtag();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40_000 })), (text) => {
        const expected = expressEtag(Buffer.from(text, 'utf8'), { weak: true });
        expect(tagOf(text, 'utf8')).toBe(expected);
        expect(tagOf(Buffer.from(text, 'utf8'))).toBe(expected);
      }),
    );
  });

  it('should tell apart bodies that differ in one byte, or only in length', () => {
    const tagOf = rememberingWeakEtag();
    const a = Buffer.from('{"year":2021,"rows":[1,2,3]}');
    const b = Buffer.from('{"year":2021,"rows":[1,2,4]}');
    expect(tagOf(a)).not.toBe(tagOf(b));
    expect(tagOf(a)).toBe(expressEtag(a, { weak: true }));
    expect(tagOf(Buffer.from('\u00e9', 'latin1'))).not.toBe(tagOf(Buffer.from('\u00e9', 'utf8')));
    expect(tagOf(Buffer.alloc(0))).toBe(expressEtag(Buffer.alloc(0), { weak: true }));
  });

  it('should keep its answers right when more bodies come than it remembers', () => {
    const tagOf = rememberingWeakEtag();
    const bodies = Array.from({ length: 600 }, (_, i) => Buffer.from(`body ${i}`));
    for (const round of [1, 2])
      for (const body of bodies) expect([round, tagOf(body)]).toEqual([round, expressEtag(body, { weak: true })]);
  });
});
