import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_INTEGER } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { fieldList } from './field-list.js';
import { writableHash } from './hash-access.js';
import { NO_DEADLINE, NO_FIELD } from './hash-value.js';

/** Redis 7.4's HFE_MAX_ABS_TIME_MSEC: field deadlines stop at 2^46 - 1 ms since the epoch. */
const MAX_DEADLINE = 2n ** 46n - 1n;
const NEGATIVE = 'ERR invalid expire time, must be >= 0';
const NUMFIELDS = 'ERR Parameter `numFields` should be greater than 0';
const PERSIST_NUMFIELDS = 'ERR Number of fields must be a positive integer';

/** HEXPIRE's per-field answers. */
const NOT_SET = 0;
const SET = 1;
const DELETED = 2;

type Condition = 'nx' | 'xx' | 'gt' | 'lt' | null;

/**
 * Whether a field whose deadline is `had` (NO_DEADLINE when none) may get
 * `when`: NX only without one; XX and GT only with one (GT: a later one);
 * LT with none, or an earlier one.
 */
function allowed(cond: Condition, had: number, when: number): boolean {
  if (had === NO_DEADLINE) return cond !== 'xx' && cond !== 'gt';
  if (cond === 'nx') return false;
  if (cond === 'gt') return had < when;
  if (cond === 'lt') return had > when;
  return true;
}

/**
 * HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT key time [NX|XX|GT|LT] FIELDS
 * numfields field…: per field, -2 (no such field), 0 (the condition kept
 * it), 1 (deadline set) or 2 (a deadline already past: the field is
 * deleted, propagated as HDEL). As in Redis, the key's type is checked
 * first, then the arguments in order. Propagated as HPEXPIREAT with the
 * absolute deadline and only the fields that got it; not at all when none
 * did.
 */
function hexpire(name: string, seconds: boolean, relative: boolean) {
  const outOfRange = `ERR invalid expire time in '${name}' command`;
  return (c: Ctx, argv: string[]): void => {
    const key = argv[1];
    const hash = writableHash(c, key);
    const given = toInt64(argv[2]);
    if (given === null) throw new CommandError(NOT_INTEGER);
    if (given < 0n) throw new CommandError(NEGATIVE);
    if (seconds && given > MAX_DEADLINE / 1000n) throw new CommandError(outOfRange);
    const ms = seconds ? given * 1000n : given;
    const base = relative ? BigInt(c.keyspace.now) : 0n;
    if (ms > MAX_DEADLINE - base) throw new CommandError(outOfRange);
    const when = Number(ms + base);
    const word = optionWord(argv[3]);
    const cond: Condition = word === 'nx' || word === 'xx' || word === 'gt' || word === 'lt' ? word : null;
    const at = cond === null ? 3 : 4;
    const fields = fieldList(argv, at, NUMFIELDS);
    const r = c.reply;
    r.array(fields.length);
    if (hash === undefined) {
      for (let i = 0; i < fields.length; i++) r.integer(NO_FIELD);
      return;
    }
    hash.allowDeadlines();
    // Redis's checkAlreadyExpired: while loading, a past deadline is kept and expires later.
    const past = when <= c.keyspace.now && !c.loading;
    const set: string[] = [];
    let deleted = 0;
    for (const f of fields) {
      const had = hash.deadline(f);
      if (had === NO_FIELD) {
        r.integer(NO_FIELD);
      } else if (!allowed(cond, had, when)) {
        r.integer(NOT_SET);
      } else if (past) {
        hash.delete(f);
        c.keyspace.listener.propagate(c.db, ['HDEL', key, f]);
        deleted++;
        r.integer(DELETED);
      } else {
        hash.setDeadline(f, when);
        set.push(f);
        r.integer(SET);
      }
    }
    const changed = deleted + set.length;
    if (changed === 0) return;
    c.db.modified(key);
    c.keyspace.dirty += changed - 1;
    if (hash.size === 0) {
      c.db.remove(key);
      c.keyspace.notify(c.db, 'h', 'hdel', key);
      c.keyspace.notify(c.db, 'g', 'del', key);
    } else {
      c.keyspace.notify(c.db, 'h', deleted > 0 ? 'hdel' : 'hexpire', key);
      c.db.partsExpireAt(key, hash.nextDeadline());
    }
    if (!c.propagating) return;
    if (set.length === 0) {
      c.propagateArgv = null;
      return;
    }
    const exact = name === 'hpexpireat';
    c.propagateArgv = [
      exact ? argv[0] : 'HPEXPIREAT', key, exact ? argv[2] : String(when), ...argv.slice(3, at + 1),
      set.length === fields.length ? argv[at + 1] : String(set.length), ...set,
    ];
  };
}

/**
 * HPERSIST key FIELDS numfields field…: per field -2 (none, or past its
 * deadline), -1 (no deadline) or 1 (deadline dropped). A packed hash
 * without deadlines stays a plain listpack, as in Redis.
 */
function hpersist(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const hash = writableHash(c, key);
  const fields = fieldList(argv, 2, PERSIST_NUMFIELDS);
  const r = c.reply;
  r.array(fields.length);
  let changed = false;
  for (const f of fields) {
    const had = hash === undefined ? NO_FIELD : hash.deadline(f);
    if (had === NO_FIELD || had === NO_DEADLINE) {
      r.integer(had);
    } else if (had < c.keyspace.now) {
      r.integer(NO_FIELD);
    } else {
      hash!.persist(f);
      changed = true;
      r.integer(1);
    }
  }
  if (changed) {
    c.keyspace.notify(c.db, 'h', 'hpersist', key);
    c.db.modified(key);
  }
}

const EXPIRE = {
  arity: -6, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW update: index 1, range 0'], acl: ['hash'], group: 'hash',
  since: '7.4.0', complexity: 'O(N) where N is the number of specified fields',
} as const;
const CONDITION_AND_FIELDS = '[condition(NX | XX | GT | LT)] FIELDS fields{numfields:integer field...}';

export const hashExpireCommands: CommandSpec[] = [
  {
    ...EXPIRE, name: 'hexpire', args: `key:key seconds:integer ${CONDITION_AND_FIELDS}`,
    summary: 'Set expiry for hash field using relative time to expire (seconds)', handler: hexpire('hexpire', true, true),
  },
  {
    ...EXPIRE, name: 'hpexpire', args: `key:key milliseconds:integer ${CONDITION_AND_FIELDS}`,
    summary: 'Set expiry for hash field using relative time to expire (milliseconds)', handler: hexpire('hpexpire', false, true),
  },
  {
    ...EXPIRE, name: 'hexpireat', args: `key:key unix-time-seconds:unix-time ${CONDITION_AND_FIELDS}`,
    summary: 'Set expiry for hash field using an absolute Unix timestamp (seconds)', handler: hexpire('hexpireat', true, false),
  },
  {
    ...EXPIRE, name: 'hpexpireat', args: `key:key unix-time-milliseconds:unix-time ${CONDITION_AND_FIELDS}`,
    summary: 'Set expiry for hash field using an absolute Unix timestamp (milliseconds)', handler: hexpire('hpexpireat', false, false),
  },
  {
    name: 'hpersist', arity: -5, flags: ['write', 'fast'], keySpecs: ['RW update: index 1, range 0'], acl: ['hash'],
    group: 'hash', since: '7.4.0', complexity: 'O(N) where N is the number of specified fields',
    args: 'key:key FIELDS fields{numfields:integer field...}', summary: 'Removes the expiration time for each specified field',
    handler: hpersist,
  },
];
