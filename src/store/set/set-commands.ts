import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { asSet, readSet, replySet, setLimits, writableSet } from './set-access.js';
import { setAlgebraCommands } from './set-algebra-commands.js';
import { setRandomCommands } from './set-random-commands.js';
import { setScanCommands } from './set-scan-commands.js';
import { SetValue } from './set-value.js';

/** SADD key member...: how many were not members. */
function sadd(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const lim = setLimits(c);
  const hint = argv.length - 2;
  let set = writableSet(c, key);
  const fresh = set === undefined;
  if (set === undefined) {
    set = SetValue.create(argv[2], hint, lim);
    // Counts the first change and raises 'new', before 'sadd' as in Redis.
    c.db.set(key, set);
  } else {
    set.maybeConvert(hint, lim);
  }
  const added = set.addAll(argv, 2, lim);
  if (added > 0) {
    if (!fresh) c.db.modified(key);
    c.keyspace.dirty += added - 1;
    c.keyspace.notify(c.db, 's', 'sadd', key);
  }
  c.reply.integer(added);
}

/** SREM key member...: how many were members; the key goes with its last member. */
function srem(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const set = writableSet(c, key);
  if (set === undefined) {
    c.reply.integer(0);
    return;
  }
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (set.remove(argv[i])) {
      removed++;
      if (set.size === 0) break;
    }
  }
  if (removed > 0) {
    const ks = c.keyspace;
    c.db.modified(key);
    ks.dirty += removed - 1;
    ks.notify(c.db, 's', 'srem', key);
    if (set.size === 0) {
      c.db.remove(key);
      ks.notify(c.db, 'g', 'del', key);
    }
  }
  c.reply.integer(removed);
}

function sismember(c: Ctx, argv: string[]): void {
  const set = readSet(c, argv[1]);
  c.reply.integer(set !== undefined && set.has(argv[2]) ? 1 : 0);
}

/** SMISMEMBER key member...: 1 or 0 for each; a missing key is an empty set. */
function smismember(c: Ctx, argv: string[]): void {
  const set = readSet(c, argv[1]);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(set !== undefined && set.has(argv[i]) ? 1 : 0);
}

function scard(c: Ctx, argv: string[]): void {
  const set = readSet(c, argv[1]);
  c.reply.integer(set === undefined ? 0 : set.size);
}

/** SMEMBERS: Redis runs it as SINTER of one key. */
function smembers(c: Ctx, argv: string[]): void {
  const set = readSet(c, argv[1]);
  if (set === undefined) c.reply.set(0);
  else replySet(c, set);
}

/**
 * SMOVE source destination member: 1 if it moved (or is in a source that
 * is also the destination), 0 if the source lacks it. Both keys are looked
 * up first; a missing source answers 0 whatever the destination holds.
 */
function smove(c: Ctx, argv: string[]): void {
  const [, srcKey, dstKey, member] = argv;
  const srcValue = c.db.get(srcKey);
  const dstValue = c.db.get(dstKey);
  if (srcValue === undefined) {
    c.reply.integer(0);
    return;
  }
  const src = asSet(srcValue)!;
  const dst = asSet(dstValue);
  if (src === dst) {
    c.reply.integer(src.has(member) ? 1 : 0);
    return;
  }
  if (!src.remove(member)) {
    c.reply.integer(0);
    return;
  }
  const ks = c.keyspace;
  ks.notify(c.db, 's', 'srem', srcKey);
  if (src.size === 0) {
    c.db.remove(srcKey);
    ks.notify(c.db, 'g', 'del', srcKey);
  }
  c.db.modified(srcKey);
  const lim = setLimits(c);
  if (dst === undefined) {
    const created = SetValue.create(member, 1, lim);
    created.add(member, lim);
    c.db.set(dstKey, created);
    ks.notify(c.db, 's', 'sadd', dstKey);
  } else if (dst.add(member, lim)) {
    c.db.modified(dstKey);
    ks.notify(c.db, 's', 'sadd', dstKey);
  }
  c.reply.integer(1);
}

const SET = { acl: ['set'], group: 'set' } as const;

const basicCommands: CommandSpec[] = [
  {
    ...SET, name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW insert: index 1, range 0'],
    args: 'key:key member...', since: '1.0.0', history: [['2.4.0', 'Accepts multiple `member` arguments.']],
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    handler: sadd,
  },
  {
    ...SET, name: 'srem', arity: -3, flags: ['write', 'fast'], keySpecs: ['RW delete: index 1, range 0'],
    args: 'key:key member...', since: '1.0.0', history: [['2.4.0', 'Accepts multiple `member` arguments.']],
    summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
    complexity: 'O(N) where N is the number of members to be removed.', handler: srem,
  },
  {
    ...SET, name: 'smembers', arity: 2, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key', since: '1.0.0', summary: 'Returns all members of a set.',
    complexity: 'O(N) where N is the set cardinality.', tips: ['nondeterministic_output_order'], handler: smembers,
  },
  {
    ...SET, name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range 0'],
    args: 'key:key member', since: '1.0.0', summary: 'Determines whether a member belongs to a set.',
    complexity: 'O(1)', handler: sismember,
  },
  {
    ...SET, name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key member...', since: '6.2.0', summary: 'Determines whether multiple members belong to a set.',
    complexity: 'O(N) where N is the number of elements being checked for membership', handler: smismember,
  },
  {
    ...SET, name: 'scard', arity: 2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range 0'],
    args: 'key:key', since: '1.0.0', summary: 'Returns the number of members in a set.', complexity: 'O(1)',
    handler: scard,
  },
  {
    ...SET, name: 'smove', arity: 4, flags: ['write', 'fast'],
    keySpecs: ['RW access delete: index 1, range 0', 'RW insert: index 2, range 0'],
    args: 'source:key destination:key#1 member', since: '1.0.0', summary: 'Moves a member from one set to another.',
    complexity: 'O(1)', handler: smove,
  },
];

export const setCommands: CommandSpec[] = [
  ...basicCommands, ...setRandomCommands, ...setAlgebraCommands, ...setScanCommands,
];
