import { createHash } from 'node:crypto';

/** Bodies up to this many bytes have their ETag remembered… */
const REMEMBERED_BODY_BYTES = 16 * 1024;
/** …the last this many of them. */
const REMEMBERED_BODIES = 256;

/**
 * Express's default ETag, weak (`W/"<bytes in hex>-<the body's SHA-1, base64, 27 characters>"`),
 * the same text for the same bytes, with the last small bodies' tags remembered: a cached report
 * answers the same bytes to every client, and hashing them again cost a twentieth of the request.
 * A body is told from another by all its bytes, not by a hash of them.
 */
export function rememberingWeakEtag(): (body: Buffer | string, encoding?: BufferEncoding) => string {
  const remembered = new Map<string, string>();
  return (body, encoding) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, encoding);
    if (bytes.length > REMEMBERED_BODY_BYTES) return weakEtag(bytes);
    const key = bytes.toString('latin1');
    let tag = remembered.get(key);
    if (tag === undefined) {
      tag = weakEtag(bytes);
      if (remembered.size >= REMEMBERED_BODIES) remembered.delete(remembered.keys().next().value as string);
      remembered.set(key, tag);
    }
    return tag;
  };
}

function weakEtag(bytes: Buffer): string {
  const hash = createHash('sha1').update(bytes).digest('base64').substring(0, 27);
  return `W/"${bytes.length.toString(16)}-${hash}"`;
}
