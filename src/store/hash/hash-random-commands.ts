import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import type { Reply } from '../../protocol/reply.js';
import { readHash } from './hash-access.js';
import { expireDueFields } from './hash-expiry.js';
import type { HashValue } from './hash-value.js';

const LONG_MAX = 2n ** 63n - 1n;
// Redis's wording, missing word included.
const COUNT_RANGE = `ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`;
const WITHVALUES_RANGE = 'ERR value is out of range';
/**
 * A negative count repeats fields, so its reply is not bounded by the hash:
 * Redis writes it until the client is dropped or memory runs out. Sluice
 * refuses one whose reply could pass this many bytes.
 */
export const MAX_RANDOM_REPLY = 2 ** 30;
const REPLY_TOO_BIG = `ERR HRANDFIELD reply would exceed ${MAX_RANDOM_REPLY} bytes: use a smaller count`;
/** What a bulk costs beyond its bytes: `$`, up to 10 digits of length, two CRLFs, and RESP3's pair header. */
const BULK_OVERHEAD = 20;

/** One pair of a RANDFIELD reply: a two-element array in RESP3, two items of a flat array in RESP2. */
function pair(r: Reply, field: string, value: string | null): void {
  if (value === null) {
    r.bulk(field);
    return;
  }
  if (r.proto === 3) r.array(2);
  r.bulk(field);
  r.bulk(value);
}

/** The reply's length: RESP2 flattens the pairs. */
function header(r: Reply, n: number, withValues: boolean): void {
  r.array(withValues && r.proto === 2 ? n * 2 : n);
}

/**
 * Redis's CASE 1: `count` draws with repetition, in draw order (a negative
 * count, or 1).
 */
function draws(c: Ctx, hash: HashValue, count: number, withValues: boolean): void {
  const { field, value } = hash.longest();
  if (count * (field + (withValues ? value : 0) + 2 * BULK_OVERHEAD) > MAX_RANDOM_REPLY) {
    throw new CommandError(REPLY_TOO_BIG);
  }
  const r = c.reply;
  header(r, count, withValues);
  const table = hash.large;
  if (table === null) {
    const flat = hash.flat();
    const n = flat.length / 2;
    for (let i = 0; i < count; i++) {
      const at = 2 * Math.floor(Math.random() * n);
      pair(r, flat[at], withValues ? flat[at + 1] : null);
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const f = table.randomField()!;
    pair(r, f, withValues ? table.get(f)! : null);
  }
}

/**
 * `count` distinct fields, fewer than the hash has. Packed, and a table
 * where count is over a third of its size, pick by selection sampling, so
 * the fields come in the hash's own order (Redis's CASE 2.5 and CASE 3);
 * otherwise fields are drawn until `count` distinct ones came up, in draw
 * order (CASE 4).
 */
function distinct(c: Ctx, hash: HashValue, count: number, withValues: boolean): void {
  const r = c.reply;
  header(r, count, withValues);
  const table = hash.large;
  if (table === null || count * 3 > table.size) {
    let left = hash.size;
    let wanted = count;
    hash.forEach((f, v) => {
      if (wanted > 0 && Math.random() * left < wanted) {
        pair(r, f, withValues ? v : null);
        wanted--;
      }
      left--;
    });
    return;
  }
  const seen = new Set<string>();
  while (seen.size < count) {
    const f = table.randomField()!;
    if (seen.has(f)) continue;
    seen.add(f);
    pair(r, f, withValues ? table.get(f)! : null);
  }
}

/**
 * HRANDFIELD key count [WITHVALUES]. The count's checks come first, in
 * Redis's order, before the key is looked up.
 */
function withCount(c: Ctx, argv: string[]): void {
  const n = toInt64(argv[2]);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n < -LONG_MAX) throw new CommandError(COUNT_RANGE);
  if (argv.length > 4 || (argv.length === 4 && optionWord(argv[3]) !== 'withvalues')) throw new CommandError(SYNTAX);
  const withValues = argv.length === 4;
  if (withValues && (n < -LONG_MAX / 2n || n > LONG_MAX / 2n)) throw new CommandError(WITHVALUES_RANGE);
  const hash = readHash(c, argv[1]);
  if (hash === undefined || expireAll(c, argv[1], hash) || n === 0n) {
    c.reply.array(0);
    return;
  }
  const size = hash.size;
  if (n < 0n || n === 1n) {
    const count = n < 0n ? -n : n;
    // A count past 2^53 cannot pass the reply bound; Number keeps it large enough to be refused.
    draws(c, hash, Number(count), withValues);
  } else if (n >= BigInt(size)) {
    header(c.reply, size, withValues);
    hash.forEach((f, v) => pair(c.reply, f, withValues ? v : null));
  } else {
    distinct(c, hash, Number(n), withValues);
  }
}

function hrandfield(c: Ctx, argv: string[]): void {
  if (argv.length >= 3) {
    withCount(c, argv);
    return;
  }
  const hash = readHash(c, argv[1]);
  if (hash === undefined || expireAll(c, argv[1], hash)) c.reply.nullBulk();
  else c.reply.bulk(hash.randomField());
}

/**
 * Before drawing, HRANDFIELD expires every field past its deadline, as
 * Redis 7.4 does (not while loading); true when that deleted the hash.
 */
function expireAll(c: Ctx, key: string, hash: HashValue): boolean {
  const now = c.keyspace.now;
  const next = hash.nextDeadline();
  if (next === -1 || next >= now || c.keyspace.readOnlyExpiry) return false;
  expireDueFields(c.keyspace, c.db, key, hash, now, Infinity);
  return hash.size === 0;
}

export const hashRandomCommands: CommandSpec[] = [
  {
    name: 'hrandfield', arity: -2, flags: ['readonly'], acl: ['hash'], group: 'hash',
    keySpecs: ['RO access: index 1, range 0'], args: 'key:key [options{count:integer [WITHVALUES]}]', since: '6.2.0',
    summary: 'Returns one or more random fields from a hash.', complexity: 'O(N) where N is the number of fields returned',
    tips: ['nondeterministic_output'], handler: hrandfield,
  },
];
