import { Readable } from 'node:stream';
import { binaryKind, NotCsvFileError, refuseBinary } from './binary-file';

async function collect(chunks: Buffer[]): Promise<string> {
  let text = '';
  for await (const chunk of refuseBinary(Readable.from(chunks))) text += chunk.toString();
  return text;
}

describe('binaryKind', () => {
  it.each([
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
    [[0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], 'a zip archive (an .xlsx workbook is one)'],
    [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an .xls workbook or another Office document'],
    [[0xff, 0xfe, 0x31, 0x00], 'UTF-16 text'],
    [[0, 0, 0, 1, 0, 0, 0, 2], 'binary data (it holds NUL bytes)'],
  ])('should name the kind of %j', (bytes, kind) => {
    expect(binaryKind(Buffer.from(bytes))).toBe(kind);
  });

  it('should take CSV text, a byte-order mark and a stray NUL for text', () => {
    expect(binaryKind(Buffer.from('\ufeffid,department\r\n1,Finance\r\n'))).toBeUndefined();
    expect(binaryKind(Buffer.from('55,Nul\0inside\r\n56,Bell\r\n57,Fine'))).toBeUndefined();
  });
});

describe('refuseBinary', () => {
  it('should pass text on whole when it comes in small chunks', async () => {
    const text = '1,Finance\r\n'.repeat(1000);
    const chunks = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    await expect(collect(chunks)).resolves.toBe(text);
  });

  it('should throw before passing anything on when the first bytes are an image', async () => {
    await expect(collect([Buffer.from([0x89, 0x50]), Buffer.from([0x4e, 0x47, 1, 2, 3])])).rejects.toThrow(
      new NotCsvFileError('a PNG image'),
    );
  });
});
