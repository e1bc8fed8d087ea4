/**
 * The `save` parameter: pairs of "seconds changes" (Redis's save points).
 * The save schedule (persistence/save-schedule.ts) starts a BGSAVE when
 * one is reached; the text is kept and reported as Redis keeps it, because
 * clients, tools and Redis's own test suite set and read the parameter.
 */

export const SAVE_DEFAULT = '3600 1 300 100 60 10000';

const INVALID = 'Invalid save parameters';
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Redis splits a multi-argument parameter on single spaces (so two spaces make an empty word). */
function words(raw: string): string[] {
  return raw === '' ? [] : raw.split(' ');
}

/** strtoll as Redis calls it: leading blanks and a sign allowed, saturating at the int64 range; null unless the whole word is consumed. */
export function strtoll(word: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)$/.exec(word);
  if (m === null) return null;
  if (m[2] === '') return m[1] === '' ? 0n : null;
  const v = BigInt(m[1] + m[2]);
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

export function validateSave(raw: string): string | null {
  const w = words(raw);
  if (w.length % 2 === 1) return INVALID;
  for (let j = 0; j < w.length; j++) {
    const v = strtoll(w[j]);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) return INVALID;
  }
  return null;
}

/** As Redis prints the points back: seconds in full, changes as the C int it stores them in. */
export function normalizeSave(raw: string): string {
  const w = words(raw);
  const out: string[] = [];
  for (let j = 0; j < w.length; j += 2) {
    out.push(`${strtoll(w[j])} ${BigInt.asIntN(32, strtoll(w[j + 1])!)}`);
  }
  return out.join(' ');
}

/**
 * CONFIG REWRITE's lines for the points: one `save` directive per point, or
 * `save ""` for none, so that the defaults cannot come back on restart.
 */
export function saveDirectives(points: string): string {
  const w = words(points);
  if (w.length === 0) return 'save ""';
  const lines: string[] = [];
  for (let j = 0; j < w.length; j += 2) lines.push(`save ${w[j]} ${w[j + 1]}`);
  return lines.join('\n');
}
