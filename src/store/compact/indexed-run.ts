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
 * at once, not for an element stored somewhere else (see `detached`).
 */
export type IndexedRun = string;

/** The longest run. */
const RUN_MAX = 0xffff;

/** Where a run's offset table is written before it becomes a string. */
let header = Buffer.allocUnsafe(1024);

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
  parts[0] = header.latin1Slice(0, table);
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

/**
 * A copy of `s` that shares no memory with a bigger string: for an entry
 * read from a run that will be stored elsewhere, so it does not keep the
 * whole run alive. Short strings are copies already.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : [s.slice(0, 1), s.slice(1)].join('');
}
