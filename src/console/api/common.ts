import { ReplyError, arr, str } from '../replies.js';
import type { Session } from '../session.js';
import type { Denied } from '../web/types.js';

/** How many keys one request looks at, at most, in SCAN slices of this size. */
export const SLICE = 100;
export const MAX_SLICES = 10;

/**
 * Runs SCAN from `cursor` in slices (each its own command, in its own
 * turn) until `want` keys are found or MAX_SLICES slices have run; the page
 * resumes from the cursor it returns ('0': done).
 */
export async function scanSlices(s: Session, cursor: string, filters: string[], want: number): Promise<{ cursor: string; keys: string[] }> {
  const keys: string[] = [];
  for (let i = 0; i < MAX_SLICES; i++) {
    const [next, found] = arr(await s.call('SCAN', cursor, ...filters, 'COUNT', String(SLICE)));
    cursor = str(next);
    for (const k of arr(found)) keys.push(str(k));
    if (cursor === '0' || keys.length >= want) break;
  }
  return { cursor, keys };
}

/**
 * A part of a view the user may be refused (CLIENT LIST, MEMORY USAGE for a
 * user without @admin): its error goes into `denied` and the part is null,
 * while the rest of the view is shown.
 */
export async function optional<T>(denied: Denied[], what: string, part: () => Promise<T>): Promise<T | null> {
  try {
    return await part();
  } catch (e) {
    if (!(e instanceof ReplyError)) throw e;
    denied.push({ what, error: e.message });
    return null;
  }
}

/**
 * The most clients or channels a listing asks for whole (CLIENT LIST,
 * PUBSUB CHANNELS): beyond it one such command's reply would hold the
 * server up for milliseconds, and the view says what it left out instead.
 */
export const MAX_WHOLE_LISTING = 5000;

/** A part left out for its size, said as the view says what the ACL refused. */
export function tooMany(denied: Denied[], what: string, n: number): null {
  denied.push({ what, error: `${n} of them: more than the console lists at once (${MAX_WHOLE_LISTING})` });
  return null;
}

/** A cursor from a query: SCAN's cursors are unsigned decimal numbers. */
export function cursorParam(q: URLSearchParams): string {
  const c = q.get('cursor') ?? '0';
  return /^\d{1,20}$/.test(c) ? c : '0';
}

/** A bounded non-negative integer from a query. */
export function intParam(q: URLSearchParams, name: string, fallback: number, max: number): number {
  const n = Number(q.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** A request the console refuses as malformed (400). */
export class BadRequest extends Error {}

export function required<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new BadRequest(`missing or malformed ${what}`);
  return v;
}

/** One field of CLIENT LIST's lines, each parsed into its key=value pairs. */
export function clientLines(reply: string): Map<string, string>[] {
  return reply
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const fields = new Map<string, string>();
      for (const part of line.trim().split(' ')) {
        const eq = part.indexOf('=');
        if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
      }
      return fields;
    });
}
