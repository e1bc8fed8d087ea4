import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { globMatch } from '../../core/glob.js';
import { parseCursor, parseScanOptions, replyScanOfNothing } from '../keys/scan-commands.js';
import { readHash } from './hash-access.js';

/**
 * HKEYS, HVALS and HGETALL: HGETALL is a map (a flat array in RESP2), the
 * others arrays. Fields past their deadline are left out, not expired.
 */
function whole(fields: boolean, values: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const hash = readHash(c, argv[1]);
    const r = c.reply;
    const now = c.keyspace.now;
    const n = hash?.liveSize(now) ?? 0;
    if (fields && values) r.map(n);
    else r.array(n);
    hash?.forEach((f, v) => {
      if (fields) r.bulk(f);
      if (values) r.bulk(v);
    }, now);
  };
}

/**
 * HSCAN. A listpack is returned whole with cursor 0, whatever the cursor,
 * as Redis returns one; a hashtable is walked by position (see
 * DenseTable.scanPositions for the cursor and its guarantee). As in Redis
 * the cursor is read before the key, and the options only once the key is
 * known to be a hash; fields past their deadline are left out, not expired.
 */
function hscan(c: Ctx, argv: string[]): void {
  // Positions stay below 2^53, so a larger cursor, rounded, still lies past them all.
  const cursor = Number(parseCursor(argv[2]));
  const hash = readHash(c, argv[1]);
  const r = c.reply;
  if (hash === undefined) {
    replyScanOfNothing(c);
    return;
  }
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const out: string[] = [];
  let next = 0;
  const table = hash.scanTable();
  const now = c.keyspace.now;
  if (table === null) {
    hash.forEach((f, v) => {
      if (pattern === null || globMatch(pattern, f)) out.push(f, v);
    }, now);
  } else {
    const expiring = hash.hasDeadlines();
    next = table.scanPositions(cursor, count, (i) => {
      const f = table.keyAt(i);
      if (pattern !== null && !globMatch(pattern, f)) return;
      if (!expiring || !hash.expiredAt(f, now)) out.push(f, table.valueAt(i));
    });
  }
  r.array(2);
  r.bulk(String(next));
  r.array(out.length);
  for (const s of out) r.bulk(s);
}

const WHOLE = {
  acl: ['hash'], group: 'hash', arity: 2, flags: ['readonly'], traits: ['keeps-no-argv'], keySpecs: ['RO access: index 1, range 0'],
  args: 'key:key', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.', tips: ['nondeterministic_output_order'],
} as const;

export const hashReadCommands: CommandSpec[] = [
  { ...WHOLE, name: 'hkeys', summary: 'Returns all fields in a hash.', handler: whole(true, false) },
  { ...WHOLE, name: 'hvals', summary: 'Returns all values in a hash.', handler: whole(false, true) },
  { ...WHOLE, name: 'hgetall', summary: 'Returns all fields and values in a hash.', handler: whole(true, true) },
  {
    name: 'hscan', arity: -3, flags: ['readonly'], acl: ['hash'], group: 'hash', keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]', since: '2.8.0',
    summary: 'Iterates over fields and values of a hash.', tips: ['nondeterministic_output'],
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    handler: hscan,
  },
];
