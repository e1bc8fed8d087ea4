import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { globMatch } from '../../core/glob.js';
import { intArg } from '../../core/numbers.js';
import { typeOf } from '../../keyspace/value.js';

const UINT64 = 2n ** 64n;
const DEFAULT_COUNT = 10;

/**
 * A cursor as Redis reads one (strtoul, base 10): an optional sign and
 * digits within 2^64 ("-1" wraps around; "" is 0), no spaces or other
 * characters. Returns it in canonical decimal form.
 */
export function parseCursor(s: string): string {
  if (s === '') return '0';
  if (!/^[+-]?[0-9]+$/.test(s)) throw new CommandError('ERR invalid cursor');
  const negative = s.charCodeAt(0) === 45;
  const magnitude = BigInt(s.charCodeAt(0) === 43 || negative ? s.slice(1) : s);
  if (magnitude >= UINT64) throw new CommandError('ERR invalid cursor');
  return String(negative && magnitude !== 0n ? UINT64 - magnitude : magnitude);
}

/** A scan of a key that does not exist: cursor 0, nothing found (HSCAN, SSCAN, ZSCAN). */
export function replyScanOfNothing(c: Ctx): void {
  c.reply.array(2);
  c.reply.bulk('0');
  c.reply.array(0);
}

export interface ScanOptions {
  count: number;
  /** null when absent or "*" (matches everything). */
  pattern: string | null;
  type: string | null;
}

/** SCAN's MATCH, COUNT and TYPE, from argv[first] on (TYPE only where allowed). */
export function parseScanOptions(argv: string[], first: number, allowType: boolean): ScanOptions {
  const opts: ScanOptions = { count: DEFAULT_COUNT, pattern: null, type: null };
  for (let i = first; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (i + 1 >= argv.length) throw new CommandError(SYNTAX);
    if (opt === 'count') {
      opts.count = intArg(argv[i + 1], NOT_INTEGER);
      if (opts.count < 1) throw new CommandError(SYNTAX);
    } else if (opt === 'match') {
      opts.pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (opt === 'type' && allowType) {
      opts.type = argv[i + 1].toLowerCase();
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return opts;
}

/**
 * SCAN over the current database by its dictionary's positions (the cursor
 * and its guarantee are DenseTable.scanPositions'). Filters apply in Redis's order: pattern,
 * then expiry (an expired key is deleted), then type, whose check Redis makes
 * with a lookup that counts a keyspace hit.
 */
function scan(c: Ctx, argv: string[]): void {
  // Positions stay below 2^53, so a larger cursor, rounded, still lies past them all.
  const cursor = Number(parseCursor(argv[1]));
  const { count, pattern, type } = parseScanOptions(argv, 2, true);
  const db = c.db;
  const ks = c.keyspace;
  const keys: string[] = [];
  const next = db.dict.scan(cursor, count, keys);
  let found = 0;
  for (const key of keys) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    const v = db.get(key);
    if (v === undefined) continue;
    if (type !== null) {
      ks.stats.hits++;
      if (typeOf(v) !== type) continue;
    }
    keys[found++] = key;
  }
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.array(found);
  for (let i = 0; i < found; i++) c.reply.bulk(keys[i]);
}

export const scanCommands: CommandSpec[] = [
  {
    name: 'scan', arity: -2, flags: ['readonly'], traits: ['touches-arbitrary-keys'], acl: ['keyspace'], group: 'generic',
    args: 'cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type @6.0.0]', since: '2.8.0',
    history: [['6.0.0', 'Added the `TYPE` subcommand.']], summary: 'Iterates over the key names in the database.',
    // response_policy:special is 7.2's.
    tips: ['nondeterministic_output', 'request_policy:special', 'response_policy:special'],
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    handler: scan,
  },
];
