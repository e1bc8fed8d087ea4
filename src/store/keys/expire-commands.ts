import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_INTEGER } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';

const INT64_MAX = 2n ** 63n - 1n;
const SECONDS_MAX = INT64_MAX / 1000n;
const SECONDS_MIN = -SECONDS_MAX;

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** EXPIRE's NX | XX | GT | LT options, with Redis's checks of which go together. */
function parseConditions(argv: string[]): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'nx') flags |= NX;
    else if (opt === 'xx') flags |= XX;
    else if (opt === 'gt') flags |= GT;
    else if (opt === 'lt') flags |= LT;
    else throw new CommandError(`ERR Unsupported option ${argv[i]}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & GT && flags & LT) throw new CommandError('ERR GT and LT options at the same time are not compatible');
  return flags;
}

/** Whether the conditions allow replacing deadline `current` (-1: none, i.e. infinite) with `when`. */
function conditionsHold(flags: number, current: number, when: number): boolean {
  if (flags & NX && current !== -1) return false;
  if (flags & XX && current === -1) return false;
  if (flags & GT && (current === -1 || when <= current)) return false;
  if (flags & LT && current !== -1 && when >= current) return false;
  return true;
}

/**
 * The absolute deadline in ms from EXPIRE-style arguments, with Redis's
 * int64 overflow checks; the text is what PEXPIREAT propagates. Ordinary
 * values take the plain-number path; long ones are checked with bigints.
 */
function deadline(name: string, arg: string, seconds: boolean, base: number): { when: number; text: string } {
  if (arg.length < 16) {
    const when = intArg(arg) * (seconds ? 1000 : 1) + base;
    return { when, text: String(when) };
  }
  let n = toInt64(arg);
  if (n === null) throw new CommandError(NOT_INTEGER);
  const invalid = `ERR invalid expire time in '${name}' command`;
  if (seconds) {
    if (n > SECONDS_MAX || n < SECONDS_MIN) throw new CommandError(invalid);
    n *= 1000n;
  }
  const b = BigInt(base);
  if (n > INT64_MAX - b) throw new CommandError(invalid);
  n += b;
  // Deadlines past 2^53 ms (the year 287396) are kept as the nearest double.
  return { when: Number(n), text: String(n) };
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. A deadline already past deletes the
 * key (propagated as DEL); otherwise the effect is PEXPIREAT with the
 * absolute deadline, keeping the condition options as Redis does.
 */
function expireGeneric(name: string, seconds: boolean, relative: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const flags = parseConditions(argv);
    const ks = c.keyspace;
    const { when, text } = deadline(name, argv[2], seconds, relative ? ks.now : 0);
    const db = c.db;
    const key = argv[1];
    if (db.get(key) === undefined || (flags !== 0 && !conditionsHold(flags, db.deadline(key), when))) {
      c.reply.integer(0);
      return;
    }
    // While loading (AOF replay) a past deadline is kept, so the key expires as it would have.
    if (when <= ks.now && !c.loading) {
      db.delete(key);
      ks.notify(db, 'g', 'del', key);
      c.propagateArgv = ['DEL', key];
    } else {
      db.setDeadline(key, when);
      ks.notify(db, 'g', 'expire', key);
      if (name !== 'pexpireat' && c.propagating) {
        c.propagateArgv = ['PEXPIREAT', key, text, ...argv.slice(3)];
      }
    }
    c.reply.integer(1);
  };
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no deadline. */
function ttlGeneric(ms: boolean, absolute: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const key = argv[1];
    if (c.db.read(key) === undefined) {
      c.reply.integer(-2);
      return;
    }
    const when = c.db.deadline(key);
    if (when === -1) {
      c.reply.integer(-1);
      return;
    }
    let t = absolute ? when : when - c.keyspace.now;
    if (t < 0) t = 0;
    // Past 2^53 a double cannot add 500 and divide exactly: that is done in integers, as Redis does it.
    if (!Number.isSafeInteger(t)) c.reply.integer(ms ? BigInt(t) : (BigInt(t) + 500n) / 1000n);
    else c.reply.integer(ms ? t : Math.trunc((t + 500) / 1000));
  };
}

function persist(c: Ctx, argv: string[]): void {
  const key = argv[1];
  if (c.db.get(key) !== undefined && c.db.persist(key)) {
    c.keyspace.notify(c.db, 'g', 'persist', key);
    c.reply.integer(1);
  } else {
    c.reply.integer(0);
  }
}

const SET_TTL = {
  arity: -3, flags: ['write', 'fast'], keySpecs: ['RW update: index 1, range 0'], acl: ['keyspace'], group: 'generic',
  complexity: 'O(1)', history: [['7.0.0', 'Added options: `NX`, `XX`, `GT` and `LT`.']],
} as const;
const GET_TTL = {
  arity: 2, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'], acl: ['keyspace'], group: 'generic',
  complexity: 'O(1)', args: 'key:key', traits: ['no-touch'],
} as const;
const CONDITION = '[condition(NX | XX | GT | LT) @7.0.0]';

export const expireCommands: CommandSpec[] = [
  {
    ...SET_TTL, name: 'expire', args: `key:key seconds:integer ${CONDITION}`, since: '1.0.0',
    summary: 'Sets the expiration time of a key in seconds.', handler: expireGeneric('expire', true, true),
  },
  {
    ...SET_TTL, name: 'pexpire', args: `key:key milliseconds:integer ${CONDITION}`, since: '2.6.0',
    summary: 'Sets the expiration time of a key in milliseconds.', handler: expireGeneric('pexpire', false, true),
  },
  {
    ...SET_TTL, name: 'expireat', args: `key:key unix-time-seconds:unix-time ${CONDITION}`, since: '1.2.0',
    summary: 'Sets the expiration time of a key to a Unix timestamp.', handler: expireGeneric('expireat', true, false),
  },
  {
    ...SET_TTL, name: 'pexpireat', args: `key:key unix-time-milliseconds:unix-time ${CONDITION}`, since: '2.6.0',
    summary: 'Sets the expiration time of a key to a Unix milliseconds timestamp.',
    handler: expireGeneric('pexpireat', false, false),
  },
  {
    ...GET_TTL, name: 'ttl', since: '1.0.0', history: [['2.8.0', 'Added the -2 reply.']],
    summary: 'Returns the expiration time in seconds of a key.', tips: ['nondeterministic_output'],
    handler: ttlGeneric(false, false),
  },
  {
    ...GET_TTL, name: 'pttl', since: '2.6.0', history: [['2.8.0', 'Added the -2 reply.']],
    summary: 'Returns the expiration time in milliseconds of a key.', tips: ['nondeterministic_output'],
    handler: ttlGeneric(true, false),
  },
  {
    ...GET_TTL, name: 'expiretime', since: '7.0.0', summary: 'Returns the expiration time of a key as a Unix timestamp.',
    handler: ttlGeneric(false, true),
  },
  {
    ...GET_TTL, name: 'pexpiretime', since: '7.0.0',
    summary: 'Returns the expiration time of a key as a Unix milliseconds timestamp.', handler: ttlGeneric(true, true),
  },
  {
    name: 'persist', arity: 2, flags: ['write', 'fast'], keySpecs: ['RW update: index 1, range 0'], acl: ['keyspace'],
    group: 'generic', args: 'key:key', since: '2.2.0', summary: 'Removes the expiration time of a key.',
    complexity: 'O(1)', handler: persist,
  },
];
