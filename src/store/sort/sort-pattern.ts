import { cString } from '../../core/c-string.js';
import type { Ctx } from '../../core/context.js';
import { HashValue } from '../hash/hash-value.js';
import { liveValue } from '../hash/hash-access.js';
import { isString } from '../../keyspace/value.js';
import { stringText } from '../string/string-access.js';

/**
 * Redis's lookupKeyByPattern, for BY and GET: '#' is the element itself;
 * otherwise the first '*' is replaced by the element to name a key, whose
 * string value is the answer, or, when "->field" follows the '*', that
 * field of the hash at the key. Null when the pattern has no '*', or the
 * key is missing or of another type. Each lookup counts a keyspace hit or
 * miss, as Redis's lookupKeyRead does.
 */
export function lookupByPattern(c: Ctx, pattern: string, element: string): string | null {
  const text = cString(pattern);
  if (text === '#') return element;
  const star = text.indexOf('*');
  if (star === -1) return null;
  const arrow = text.indexOf('->', star + 1);
  const hasField = arrow !== -1 && arrow + 2 < text.length;
  const suffixEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, suffixEnd);
  const v = c.db.read(key);
  if (v === undefined) return null;
  if (!hasField) return isString(v) ? stringText(v) : null;
  if (!(v instanceof HashValue)) return null;
  return liveValue(c, key, v, pattern.slice(arrow + 2)) ?? null;
}
