import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, wrongArity } from '../../core/errors.js';
import {
  fieldsRemoved, hashForFieldWrite, hashLimits, hashWritten, liveValue, readHash, writableHash,
} from './hash-access.js';
import { HashValue } from './hash-value.js';
import { hashCounterCommands } from './hash-counter-commands.js';
import { hashExpireCommands } from './hash-expire-commands.js';
import { touchField } from './hash-expiry.js';
import { hashRandomCommands } from './hash-random-commands.js';
import { hashReadCommands } from './hash-read-commands.js';
import { hashTtlCommands } from './hash-ttl-commands.js';

/** HSET (the number of new fields) and HMSET (OK): one change counted per pair, updates included. */
function hset(reply: 'count' | 'ok') {
  return (c: Ctx, argv: string[]): void => {
    if (argv.length % 2 === 1) throw new CommandError(wrongArity(reply === 'count' ? 'hset' : 'hmset'));
    const key = argv[1];
    // Not hashForWrite: its result object is an allocation per HSET that V8 does not always optimise away.
    const existing = writableHash(c, key);
    const hash = existing ?? new HashValue();
    const added = hash.setPairs(argv, 2, hashLimits(c));
    hashWritten(c, key, hash, existing === undefined, 'hset', (argv.length - 2) / 2);
    if (reply === 'count') c.reply.integer(added);
    else c.reply.ok();
  };
}

function hsetnx(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const { hash, created, state } = hashForFieldWrite(c, key, argv[2]);
  if (state === 'live') {
    c.reply.integer(0);
    return;
  }
  hash.setPairs(argv, 2, hashLimits(c));
  hashWritten(c, key, hash, created, 'hset', 1);
  c.reply.integer(1);
}

/** A field of the hash at argv[1] as a read sees it (see liveValue). */
function readField(c: Ctx, argv: string[]): string | undefined {
  const hash = readHash(c, argv[1]);
  return hash === undefined ? undefined : liveValue(c, argv[1], hash, argv[2]);
}

function hget(c: Ctx, argv: string[]): void {
  const v = readField(c, argv);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

/**
 * A missing key is an empty hash here: nils, not an empty reply. Expired
 * fields raise one `hexpired` for the command (and `del` if the hash
 * emptied), as in Redis 7.4.
 */
function hmget(c: Ctx, argv: string[]): void {
  const key = argv[1];
  let hash = readHash(c, key);
  c.reply.array(argv.length - 2);
  let expired = false;
  let emptied = false;
  for (let i = 2; i < argv.length; i++) {
    const state = hash === undefined ? 'missing' : touchField(c.keyspace, c.db, key, hash, argv[i], false);
    if (state === 'live') {
      c.reply.bulk(hash!.get(argv[i])!);
      continue;
    }
    c.reply.nullBulk();
    if (state === 'expired' || state === 'emptied') expired = true;
    if (state === 'emptied') {
      emptied = true;
      hash = undefined;
    }
  }
  if (expired) c.keyspace.notify(c.db, 'h', 'hexpired', key);
  if (emptied) c.keyspace.notify(c.db, 'g', 'del', key);
}

/** Stops at the field that empties the hash, as Redis does: the key is gone then. */
function hdel(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const hash = writableHash(c, key);
  let deleted = 0;
  if (hash !== undefined) {
    for (let i = 2; i < argv.length && hash.size > 0; i++) if (hash.delete(argv[i])) deleted++;
    if (deleted > 0) fieldsRemoved(c, key, hash, 'hdel', deleted);
  }
  c.reply.integer(deleted);
}

function hlen(c: Ctx, argv: string[]): void {
  c.reply.integer(readHash(c, argv[1])?.size ?? 0);
}

function hstrlen(c: Ctx, argv: string[]): void {
  c.reply.integer(readField(c, argv)?.length ?? 0);
}

function hexists(c: Ctx, argv: string[]): void {
  c.reply.integer(readField(c, argv) === undefined ? 0 : 1);
}

const HASH = { acl: ['hash'], group: 'hash' } as const;
const READ_FAST = { ...HASH, flags: ['readonly', 'fast'] } as const;
const SET_PAIRS = {
  ...HASH, arity: -4, flags: ['write', 'denyoom', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RW update: index 1, range 0'],
  args: 'key:key data{field value}...', since: '2.0.0',
} as const;

const basicCommands: CommandSpec[] = [
  {
    ...SET_PAIRS, name: 'hset', summary: 'Creates or modifies the value of a field in a hash.',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    history: [['4.0.0', 'Accepts multiple `field` and `value` arguments.']], handler: hset('count'),
  },
  {
    ...SET_PAIRS, name: 'hmset', summary: 'Sets the values of multiple fields.',
    complexity: 'O(N) where N is the number of fields being set.', docFlags: ['deprecated'], deprecatedSince: '4.0.0',
    replacedBy: '`HSET` with multiple field-value pairs', handler: hset('ok'),
  },
  {
    ...HASH, name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW insert: index 1, range 0'],
    args: 'key:key field value', since: '2.0.0', complexity: 'O(1)',
    summary: "Sets the value of a field in a hash only when the field doesn't exist.", handler: hsetnx,
  },
  {
    ...READ_FAST, name: 'hget', arity: 3, traits: ['keeps-no-argv'], keySpecs: ['RO access: index 1, range 0'], args: 'key:key field', since: '2.0.0',
    complexity: 'O(1)', summary: 'Returns the value of a field in a hash.', handler: hget,
  },
  {
    ...READ_FAST, name: 'hmget', arity: -3, keySpecs: ['RO access: index 1, range 0'], args: 'key:key field...',
    since: '2.0.0', complexity: 'O(N) where N is the number of fields being requested.',
    summary: 'Returns the values of all fields in a hash.', handler: hmget,
  },
  {
    ...HASH, name: 'hdel', arity: -3, flags: ['write', 'fast'], keySpecs: ['RW delete: index 1, range 0'],
    args: 'key:key field...', since: '2.0.0', complexity: 'O(N) where N is the number of fields to be removed.',
    history: [['2.4.0', 'Accepts multiple `field` arguments.']],
    summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.', handler: hdel,
  },
  {
    ...READ_FAST, name: 'hlen', arity: 2, keySpecs: ['RO: index 1, range 0'], args: 'key:key', since: '2.0.0',
    complexity: 'O(1)', summary: 'Returns the number of fields in a hash.', handler: hlen,
  },
  {
    ...READ_FAST, name: 'hstrlen', arity: 3, keySpecs: ['RO: index 1, range 0'], args: 'key:key field', since: '3.2.0',
    complexity: 'O(1)', summary: 'Returns the length of the value of a field.', handler: hstrlen,
  },
  {
    ...READ_FAST, name: 'hexists', arity: 3, keySpecs: ['RO: index 1, range 0'], args: 'key:key field', since: '2.0.0',
    complexity: 'O(1)', summary: 'Determines whether a field exists in a hash.', handler: hexists,
  },
];

/** The hash family: single fields here, whole-hash reads and HSCAN, counters, HRANDFIELD, field expiry (7.4). */
export const hashCommands: CommandSpec[] = [
  ...basicCommands,
  ...hashReadCommands,
  ...hashCounterCommands,
  ...hashRandomCommands,
  ...hashExpireCommands,
  ...hashTtlCommands,
];
