import { deletionCommand } from '../../core/propagation.js';
import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { readSet, replyMembers, setLimits, writableSet } from './set-access.js';
import { union } from './set-algebra.js';
import { popSome } from './set-pop.js';
import { chooseDistinct, chooseOrdered, randomBelow } from './set-random.js';

/** SPOP with a count propagates SREMs of at most this many members (Redis's batch). */
const SREM_BATCH = 1024;
const INT64_MIN = -(2n ** 63n);

/**
 * The most SRANDMEMBER with a negative count may reply, estimated from the
 * set's average member length. Redis writes such a reply until the client's
 * output limit closes it, which by default never happens: a count of
 * -9223372036854775807 would grow its output without end.
 */
const MAX_REPEATED_REPLY = 512 * 1024 * 1024;
/** A bulk's framing besides its bytes: `$`, up to ten length digits, two CRLFs. */
const BULK_FRAMING = 15;

/** SPOP key [count]. */
function spop(c: Ctx, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  if (argv.length === 3) {
    spopCount(c, argv);
    return;
  }
  const key = argv[1];
  const set = writableSet(c, key);
  if (set === undefined) {
    c.reply.nullBulk();
    return;
  }
  const m = set.popRandom();
  const ks = c.keyspace;
  ks.notify(c.db, 's', 'spop', key);
  if (c.propagating) c.propagateArgv = ['SREM', key, m];
  c.reply.bulk(m);
  if (set.size === 0) {
    c.db.remove(key);
    ks.notify(c.db, 'g', 'del', key);
  }
  c.db.modified(key);
}

/** Redis's getPositiveLongFromObjectOrReply: any failure has the one message. */
function positiveCount(arg: string): number {
  const n = toInt64(arg);
  if (n === null || n < 0n) throw new CommandError('ERR value is out of range, must be positive');
  return Number(n);
}

/**
 * SPOP key count, by Redis's strategies: pop random members one by one
 * while many would stay, otherwise move the few that stay into a new set,
 * which replaces the old one (and may take a smaller encoding). A whole
 * set popped is deleted and propagated as DEL; otherwise as SREMs of the
 * popped members.
 */
function spopCount(c: Ctx, argv: string[]): void {
  const count = positiveCount(argv[2]);
  const key = argv[1];
  const set = writableSet(c, key);
  if (set === undefined || count === 0) {
    c.reply.set(0);
    return;
  }
  const size = set.size;
  const ks = c.keyspace;
  const lim = setLimits(c);
  ks.notify(c.db, 's', 'spop', key);
  c.db.modified(key);
  ks.dirty += Math.min(count, size) - 1;
  if (count >= size) {
    // Redis replies through SUNION's code, whose lookup counts a keyspace hit.
    c.db.read(key);
    const all = union([set], lim);
    c.reply.set(all.size);
    all.each((m) => {
      c.reply.bulk(m);
    });
    c.db.remove(key);
    ks.notify(c.db, 'g', 'del', key);
    if (c.propagating) c.propagateArgv = [deletionCommand(c.config), key];
    return;
  }
  const popped = popSome(set, count, lim);
  replyMembers(c, popped);
  c.propagateArgv = null;
  if (c.propagating) {
    for (let i = 0; i < popped.length; i += SREM_BATCH) c.alsoPropagate(['SREM', key, ...popped.slice(i, i + SREM_BATCH)]);
  }
}

/** SRANDMEMBER key [count]. */
function srandmember(c: Ctx, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  if (argv.length === 3) {
    srandmemberCount(c, argv);
    return;
  }
  const set = readSet(c, argv[1]);
  if (set === undefined) c.reply.nullBulk();
  else c.reply.bulk(set.random());
}

/**
 * SRANDMEMBER key count: with count > 0, min(count, size) distinct members;
 * with count < 0, |count| members drawn independently (repeats possible).
 * Redis's range check first (-2^63 is refused), then the key.
 */
function srandmemberCount(c: Ctx, argv: string[]): void {
  const n = toInt64(argv[2]);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n === INT64_MIN) {
    throw new CommandError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  const set = readSet(c, argv[1]);
  if (set === undefined || n === 0n) {
    c.reply.array(0);
    return;
  }
  const r = c.reply;
  const size = set.size;
  if (n < 0n || n === 1n) {
    const count = n < 0n ? -Number(n) : 1;
    if (count * (set.averageLength() + BULK_FRAMING) > MAX_REPEATED_REPLY) {
      throw new CommandError(`ERR count is out of range, the reply would take more than ${MAX_REPEATED_REPLY} bytes`);
    }
    r.array(count);
    if (set.isListpack && count > 1) {
      // One walk of the listpack instead of one per member drawn.
      const members = set.members();
      for (let i = 0; i < count; i++) r.bulk(members[randomBelow(size)]);
    } else {
      for (let i = 0; i < count; i++) r.bulk(set.random());
    }
    return;
  }
  const count = Number(n);
  if (count >= size) {
    r.array(size);
    set.each((m) => {
      r.bulk(m);
    });
    return;
  }
  r.array(count);
  if (set.isListpack) {
    for (const m of set.listpackTake(chooseOrdered(size, count), false)) r.bulk(m);
  } else {
    chooseDistinct(size, count, (i) => r.bulk(set.memberAt(i)));
  }
}

const SET = { acl: ['set'], group: 'set' } as const;

export const setRandomCommands: CommandSpec[] = [
  {
    ...SET, name: 'spop', arity: -2, flags: ['write', 'fast'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key [count:integer @3.2.0]', since: '1.0.0', history: [['3.2.0', 'Added the `count` argument.']],
    summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    tips: ['nondeterministic_output'], handler: spop,
  },
  {
    ...SET, name: 'srandmember', arity: -2, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key [count:integer @2.6.0]', since: '1.0.0', history: [['2.6.0', 'Added the optional `count` argument.']],
    summary: 'Get one or multiple random members from a set',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    tips: ['nondeterministic_output'], handler: srandmember,
  },
];
