import type { Bytes } from './web/types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A byte string (one latin1 char per byte, as the keyspace holds it) for
 * JSON: text when its bytes are UTF-8, else base64, so that no byte is lost
 * on the way to the page or back.
 */
export function toBytes(s: string): Bytes {
  // Pure ASCII is its own UTF-8: the common case needs no decoding.
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  const buf = Buffer.from(s, 'latin1');
  try {
    return utf8.decode(buf);
  } catch {
    return { b64: buf.toString('base64') };
  }
}

/** A value shown in the page: its first `max` bytes (whole UTF-8 characters) and how many more it has. */
export function clip(s: string, max = 4096): Bytes {
  if (s.length <= max) return toBytes(s);
  const more = s.length - max;
  const head = Buffer.from(s.slice(0, max), 'latin1');
  // A cut inside a UTF-8 character leaves up to three bytes of it: text stays text without them.
  for (let drop = 0; drop < 4; drop++) {
    try {
      return { text: utf8.decode(head.subarray(0, head.length - drop)), more: more + drop };
    } catch {
      // Not text yet: try one byte shorter.
    }
  }
  return { b64: head.toString('base64'), more };
}

/** The byte string a Bytes value stands for; null when it is malformed or was cut short. */
export function fromBytes(b: unknown): string | null {
  if (typeof b === 'string') return Buffer.from(b, 'utf8').toString('latin1');
  if (typeof b === 'object' && b !== null && typeof (b as { b64?: unknown }).b64 === 'string' && !('more' in b)) {
    return Buffer.from((b as { b64: string }).b64, 'base64').toString('latin1');
  }
  return null;
}

/** A key in a URL query: its bytes in base64url. */
export function fromQuery(v: string | null): string | null {
  if (v === null || !/^[A-Za-z0-9_-]*={0,2}$/.test(v)) return null;
  return Buffer.from(v, 'base64url').toString('latin1');
}
