import { createHash } from 'node:crypto';

/** The SHA1 of a byte string in lowercase hex: a script's name, and redis.sha1hex. */
export function sha1hex(bytes: string): string {
  return createHash('sha1').update(bytes, 'latin1').digest('hex');
}
