/** A file that is not CSV text at all (an image, an archive, a workbook): its run fails with one reason. */
export class NotCsvFileError extends Error {
  constructor(kind: string) {
    super(`The file is ${kind}, not CSV text: save the sheet as "CSV UTF-8" and send that file`);
    this.name = 'NotCsvFileError';
  }
}

/** Bytes read before the first row is parsed: enough for every signature and to see NUL bytes. */
const HEAD_BYTES = 4096;

const SIGNATURES: [bytes: number[], kind: string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (an .xlsx workbook is one)'],
  [[0x50, 0x4b, 0x05, 0x06], 'a zip archive (an .xlsx workbook is one)'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an .xls workbook or another Office document'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0xff, 0xfe], 'UTF-16 text'],
  [[0xfe, 0xff], 'UTF-16 text'],
];

/** What a file's first bytes say it is, when it is not text; undefined for text. */
export function binaryKind(head: Buffer): string | undefined {
  for (const [bytes, kind] of SIGNATURES) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return kind;
  }
  // A stray NUL in a text file is one bad row; text of which every tenth byte is NUL is not text.
  let nul = 0;
  for (const byte of head) if (byte === 0) nul++;
  return nul > 0 && nul * 10 >= head.length ? 'binary data (it holds NUL bytes)' : undefined;
}

/** Passes the chunks on once the file's first bytes show it is text; throws NotCsvFileError otherwise. */
export async function* refuseBinary(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  const head: Buffer[] = [];
  let size = 0;
  let checked = false;
  for await (const chunk of chunks) {
    if (checked) {
      yield chunk;
      continue;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    head.push(bytes);
    size += bytes.length;
    if (size < HEAD_BYTES) continue;
    checked = true;
    yield* checkedHead(head);
  }
  if (!checked) yield* checkedHead(head);
}

function checkedHead(head: Buffer[]): Buffer[] {
  const bytes = Buffer.concat(head);
  const kind = binaryKind(bytes.subarray(0, HEAD_BYTES));
  if (kind !== undefined) throw new NotCsvFileError(kind);
  return bytes.length > 0 ? [bytes] : [];
}
