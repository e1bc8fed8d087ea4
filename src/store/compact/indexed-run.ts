/**
 * A run of byte strings kept as one JS string with a table of where each
 * starts, so that any entry is found in O(1): the random-access sibling of
 * packed.ts, for sequences read by position (the chunks of a list).
 *
 * Layout: a table of count + 1 offsets into the string, each a big-endian
 * 16-bit pair of chars (entry k runs from offset k to offset k + 1), then
 * the entries' bytes back to back. Reading an entry is four char reads and
 * a slice. A 16-byte entry costs 18 bytes where a string of its own costs
 * 32 plus the 8-byte slot that points to it. The whole run must stay under
 * 64 KiB, so a run holds small entries only.
 *
 * Entries are read with `slice`, which for 13 bytes and more gives a
 * SlicedString that keeps the whole run alive: fine for a reply written out
 * at once, not for an element stored somewhere else (see packed.ts's
 * `ownCopy`).
 */
export type IndexedRun = string;

/** The longest run. */
const RUN_MAX = 0xffff;

/** Where a run's offset table is written before it becomes a string. */
let header = Buffer.allocUnsafe(1024);
/** Called through the prototype, as byteString calls it (protocol/byte-string.ts). */
const latin1Slice = Buffer.prototype.latin1Slice;

function offset(r: IndexedRun, k: number): number {
  return (r.charCodeAt(2 * k) << 8) | r.charCodeAt(2 * k + 1);
}

/**
 * `items[from]` … `items[to - 1]` as a run of `to` entries, the same index
 * in the run as in `items`, those before `from` empty (so that a chunk
 * whose first slots are not in use is read by slot number); null when their
 * bytes are too many for one run. The items may be slices of other runs:
 * the result copies their bytes and keeps nothing else alive.
 */
export function indexedRun(items: readonly (string | undefined)[], from: number, to: number): IndexedRun | null {
  const table = 2 * to + 2;
  if (header.length < table) header = Buffer.allocUnsafe(table);
  const parts: string[] = [''];
  let at = table;
  for (let k = 0; k <= to; k++) {
    if (k > from) {
      const s = items[k - 1] as string;
      at += s.length;
      if (at > RUN_MAX) return null;
      parts.push(s);
    }
    header[2 * k] = at >> 8;
    header[2 * k + 1] = at & 0xff;
  }
  // One native call for the table (String.fromCharCode.apply took most of the time), and join builds one flat
  // string: `+` would build a tree of ConsStrings, flattened only when first read.
  parts[0] = latin1Slice.call(header, 0, table);
  return parts.join('');
}

/** Entry k of the run. */
export function runEntry(r: IndexedRun, k: number): string {
  return r.slice(offset(r, k), offset(r, k + 1));
}

/** Whether entry k is `s`, without making a string of it. */
export function runEntryIs(r: IndexedRun, k: number, s: string): boolean {
  const start = offset(r, k);
  const n = s.length;
  if (offset(r, k + 1) - start !== n) return false;
  // A loop of char reads: startsWith with a position is not inlined and costs ten times more on short entries.
  if (n > 64) return r.slice(start, start + n) === s;
  for (let i = 0; i < n; i++) if (r.charCodeAt(start + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** How many entries the run holds (its table starts at 0 and its first entry where the table ends). */
export function runCount(r: IndexedRun): number {
  return (offset(r, 0) >> 1) - 1;
}

/**
 * The run with entries a … b (a <= b) rotated by one, `v` coming in at one
 * end of that range and the entry at the other end leaving it: towards the
 * end (`right`), v becomes entry a, entries a … b - 1 move up one and entry
 * b goes; towards the start, entry a goes, a + 1 … b move down one and v
 * becomes entry b. Entries outside a … b stay. One new string, whatever
 * the range: this is how a list shifts its elements across a packed chunk.
 * Null when the result would not fit in one run.
 */
export function runRotated(r: IndexedRun, a: number, b: number, v: string, right: boolean): IndexedRun | null {
  const count = runCount(r);
  const table = 2 * count + 2;
  const oa = offset(r, a);
  const ob1 = offset(r, b + 1);
  const gone = right ? ob1 - offset(r, b) : offset(r, a + 1) - oa;
  const grow = v.length - gone;
  if (r.length + grow > RUN_MAX) return null;
  if (sameLengths(r, a, b, v.length)) {
    // Every offset stays where it was (elements of one size: IDs, fixed-width messages), so the table is kept.
    return right
      ? [r.slice(0, oa), v, r.slice(oa, ob1 - gone), r.slice(ob1)].join('')
      : [r.slice(0, oa), r.slice(oa + gone, ob1), v, r.slice(ob1)].join('');
  }
  if (header.length < table) header = Buffer.allocUnsafe(table);
  for (let j = 0; j <= count; j++) {
    let o: number;
    if (j <= a) o = offset(r, j);
    else if (j > b + 1) o = offset(r, j) + grow;
    else if (right) o = offset(r, j - 1) + v.length;
    else o = j === b + 1 ? ob1 + grow : offset(r, j + 1) - gone;
    header[2 * j] = o >> 8;
    header[2 * j + 1] = o & 0xff;
  }
  const head = latin1Slice.call(header, 0, table);
  return right
    ? [head, r.slice(table, oa), v, r.slice(oa, ob1 - gone), r.slice(ob1)].join('')
    : [head, r.slice(table, oa), r.slice(oa + gone, ob1), v, r.slice(ob1)].join('');
}

/** Whether entries a … b are all n bytes long. */
function sameLengths(r: IndexedRun, a: number, b: number, n: number): boolean {
  let at = offset(r, a);
  for (let k = a + 1; k <= b + 1; k++) {
    const next = offset(r, k);
    if (next - at !== n) return false;
    at = next;
  }
  return true;
}

/** Entries shorter than this are compared one by one; longer ones are found with a string search over the run. */
const SEARCHED = 4;

/**
 * The first entry k in [from, to) equal to `s`, or -1. A search of the
 * run's bytes (indexOf, native) finds candidates, and a candidate counts
 * only where an entry of the same length starts, so a list is scanned at
 * memory speed rather than an element at a time.
 */
export function runFind(r: IndexedRun, from: number, to: number, s: string): number {
  const n = s.length;
  if (n < SEARCHED) {
    for (let k = from; k < to; k++) if (runEntryIs(r, k, s)) return k;
    return -1;
  }
  const limit = offset(r, to);
  for (let pos = offset(r, from); ; ) {
    const h = r.indexOf(s, pos);
    if (h === -1 || h + n > limit) return -1;
    const k = entryAt(r, h, from, to);
    if (offset(r, k) === h && offset(r, k + 1) - h === n) return k;
    pos = h + 1;
  }
}

/** The last entry k in [from, to) equal to `s`, or -1: runFind from the end. */
export function runFindLast(r: IndexedRun, from: number, to: number, s: string): number {
  const n = s.length;
  if (n < SEARCHED) {
    for (let k = to - 1; k >= from; k--) if (runEntryIs(r, k, s)) return k;
    return -1;
  }
  const first = offset(r, from);
  for (let pos = offset(r, to) - n; pos >= first; ) {
    const h = r.lastIndexOf(s, pos);
    if (h < first) return -1;
    const k = entryAt(r, h, from, to);
    if (offset(r, k) === h && offset(r, k + 1) - h === n) return k;
    pos = h - 1;
  }
  return -1;
}

/**
 * The last entry in [from, to) that starts at or before byte `at`: the
 * only one that can start there and be non-empty (empty entries share
 * their offset with the entry after them).
 */
function entryAt(r: IndexedRun, at: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offset(r, mid) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
