import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { readZset } from './zset-access.js';
import type { ZSetValue } from './zset-value.js';

const INT64_MIN = -(2n ** 63n);
const HALF_LONG = 2n ** 62n - 1n;
/**
 * The most ZRANDMEMBER with a negative count may reply, estimated from the
 * set's average member length. Redis writes such a reply until the client's
 * output limit closes it, which by default never happens: a count of
 * -9223372036854775807 would grow its output without end.
 */
const MAX_REPEATED_REPLY = 512 * 1024 * 1024;
/** A bulk's framing besides its bytes: `$`, up to ten length digits, two CRLFs. */
const BULK_FRAMING = 15;
/** A score as a reply, framing included, at most. */
const SCORE_REPLY = 32;

function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Writes one entry: the member, and with scores its score (as a [member, score] pair in RESP3). */
function entryWriter(c: Ctx, withScores: boolean): (member: string, score: number) => void {
  const r = c.reply;
  if (!withScores) return (m) => r.bulk(m);
  if (r.proto === 2) {
    return (m, s) => {
      r.bulk(m);
      r.double(s);
    };
  }
  return (m, s) => {
    r.array(2);
    r.bulk(m);
    r.double(s);
  };
}

/** ZRANDMEMBER key [count [WITHSCORES]]: Redis's range checks come before the key is read. */
function zrandmember(c: Ctx, argv: string[]): void {
  if (argv.length === 2) {
    const z = readZset(c, argv[1]);
    if (z === undefined) c.reply.nullBulk();
    else c.reply.bulk(z.memberAt(randomBelow(z.size)));
    return;
  }
  const l = toInt64(argv[2]);
  if (l === null) throw new CommandError(NOT_INTEGER);
  if (l === INT64_MIN) {
    throw new CommandError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  if (argv.length > 4 || (argv.length === 4 && optionWord(argv[3]) !== 'withscores')) throw new CommandError(SYNTAX);
  const withScores = argv.length === 4;
  if (withScores && (l < -HALF_LONG || l > HALF_LONG)) throw new CommandError('ERR value is out of range');
  const z = readZset(c, argv[1]);
  if (z === undefined || l === 0n) {
    c.reply.array(0);
    return;
  }
  const r = c.reply;
  const size = z.size;
  const count = Number(l < 0n ? -l : l);
  const write = entryWriter(c, withScores);
  const arrayLength = (n: number) => (withScores && r.proto === 2 ? 2 * n : n);
  if (l < 0n || count === 1) {
    const each = z.memberBytes / size + BULK_FRAMING + (withScores ? SCORE_REPLY : 0);
    if (count * each > MAX_REPEATED_REPLY) {
      throw new CommandError(`ERR count is out of range, the reply would take more than ${MAX_REPEATED_REPLY} bytes`);
    }
    r.array(arrayLength(count));
    repeatedPicks(z, count, write);
    return;
  }
  if (count >= size) {
    // The whole set, from the highest score down, as Redis walks it.
    r.array(arrayLength(size));
    z.forRange(size - 1, size, true, write);
    return;
  }
  r.array(arrayLength(count));
  if (z.packed || count > MAX_DRAWN) {
    // In order: Redis samples a listpack in its own order (lpRandomPairsUnique).
    sampleInOrder(z, count, write);
  } else {
    for (const rank of sampleRanks(size, count)) write(z.memberAt(rank), z.scoreAt(rank));
  }
}

/** Past this many distinct draws the set of drawn ranks would near V8's 2^24-entry limit: one ordered pass instead. */
const MAX_DRAWN = 1 << 20;

/** `k` distinct entries, uniformly, in the set's order (Knuth's selection sampling: one pass). */
function sampleInOrder(z: ZSetValue, k: number, write: (member: string, score: number) => void): void {
  let left = z.size;
  let wanted = k;
  z.forRange(0, z.size, false, (m, s) => {
    if (wanted > 0 && randomBelow(left) < wanted) {
      write(m, s);
      wanted--;
    }
    left--;
  });
}

/** `count` entries drawn independently; a packed set is read once rather than walked per draw. */
function repeatedPicks(z: ZSetValue, count: number, write: (member: string, score: number) => void): void {
  const size = z.size;
  if (!z.packed) {
    for (let i = 0; i < count; i++) {
      const rank = randomBelow(size);
      write(z.memberAt(rank), z.scoreAt(rank));
    }
    return;
  }
  const members: string[] = [];
  const scores: number[] = [];
  z.forRange(0, size, false, (m, s) => {
    members.push(m);
    scores.push(s);
  });
  for (let i = 0; i < count; i++) {
    const k = randomBelow(size);
    write(members[k], scores[k]);
  }
}

/** `k` distinct ranks below `n`, uniformly, in the order drawn (Floyd's algorithm: k draws however large n is). */
function sampleRanks(n: number, k: number): number[] {
  const picked = new Set<number>();
  const out: number[] = [];
  for (let j = n - k; j < n; j++) {
    const t = randomBelow(j + 1);
    const rank = picked.has(t) ? j : t;
    picked.add(rank);
    out.push(rank);
  }
  return out;
}

export const zrandmemberCommands: CommandSpec[] = [
  {
    name: 'zrandmember', arity: -2, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'], acl: ['sortedset'],
    group: 'sorted-set', args: 'key:key [options{count:integer [WITHSCORES]}]', since: '6.2.0',
    summary: 'Returns one or more random members from a sorted set.', complexity: 'O(N) where N is the number of members returned',
    tips: ['nondeterministic_output'], handler: zrandmember,
  },
];
