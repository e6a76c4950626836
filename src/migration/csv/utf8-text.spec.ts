import { NOT_UTF8_MARK, Utf8Text } from './utf8-text';

function decodeInChunks(bytes: Buffer, size: number): string {
  const text = new Utf8Text();
  let out = '';
  for (let i = 0; i < bytes.length; i += size) out += text.write(bytes.subarray(i, i + size));
  return out + text.end();
}

describe('Utf8Text', () => {
  it('should keep U+FFFD as the character it is when the bytes EF BF BD are sent, whatever the chunks', () => {
    const sent = Buffer.from('1,"Point \uFFFD, 40.7°N",😀\n', 'utf8');
    for (let size = 1; size <= sent.length; size++) {
      const text = new Utf8Text();
      let out = '';
      for (let i = 0; i < sent.length; i += size) out += text.write(sent.subarray(i, i + size));
      out += text.end();
      expect([size, out, text.marked]).toEqual([size, sent.toString('utf8'), false]);
    }
  });

  it.each([
    ['a Latin-1 byte', [0x63, 0x61, 0x66, 0xe9], `caf${NOT_UTF8_MARK}`],
    ['a CESU-8 surrogate', [0x61, 0xed, 0xa0, 0x80], `a${NOT_UTF8_MARK}${NOT_UTF8_MARK}${NOT_UTF8_MARK}`],
    ['an overlong slash', [0xc0, 0xaf, 0x62], `${NOT_UTF8_MARK}${NOT_UTF8_MARK}b`],
    ['a sequence cut by the end', [0x61, 0xe2, 0x82], `a${NOT_UTF8_MARK}${NOT_UTF8_MARK}`],
  ])('should mark each bad byte when the input holds %s, whatever the chunks', (_name, bytes, expected) => {
    for (let size = 1; size <= bytes.length; size++) {
      expect(decodeInChunks(Buffer.from(bytes), size)).toBe(expected);
    }
  });
});
