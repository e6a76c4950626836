import { isUtf8 } from 'node:buffer';

/**
 * What stands in the text for bytes that are not UTF-8: a lone surrogate, which no UTF-8 decodes
 * to, so that it cannot be mistaken for a character that was sent (U+FFFD itself is one).
 */
export const NOT_UTF8_MARK = '\uDFFF';

/**
 * Decodes UTF-8 a chunk at a time, a sequence cut by a chunk's end kept for the next. Bad bytes are
 * found by decoding, each becoming NOT_UTF8_MARK; a chunk of valid UTF-8 (nearly all) is checked
 * and decoded natively.
 */
export class Utf8Text {
  private pending: Buffer | undefined;
  /** Whether any text given so far held NOT_UTF8_MARK (a row can straddle chunks). */
  marked = false;

  write(chunk: Buffer): string {
    const bytes = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const cut = completeLength(bytes);
    this.pending = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
    return this.decode(bytes.subarray(0, cut));
  }

  /** The bytes left at the end: a sequence the input never finished. */
  end(): string {
    const rest = this.pending;
    this.pending = undefined;
    return rest ? this.decode(rest) : '';
  }

  private decode(bytes: Buffer): string {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    this.marked = true;
    return decodeMarked(bytes);
  }
}

/** How many bytes of `bytes` end on a whole sequence: a lead byte in the last three whose sequence runs past the end is left. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i];
    if (b < 0x80) return n;
    if (b >= 0xc0) return i + (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > n ? i : n;
  }
  return n;
}

function decodeMarked(bytes: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += bytes.toString('utf8', start, i) + NOT_UTF8_MARK;
    i++;
    start = i;
  }
  return out + bytes.toString('utf8', start, bytes.length);
}

/** The length of the well-formed sequence at `i` (Unicode's table 3-7), or 0 when there is none. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf) =>
    i + k < bytes.length && bytes[i + k] >= low && bytes[i + k] <= high;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const [low, high] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, low, high) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [low, high] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, low, high) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
