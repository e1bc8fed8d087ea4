import type { Ctx } from '../../core/context.js';
import type { CommandSpec, KeyRef } from '../../core/command.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import type { StringValue } from '../../keyspace/value.js';
import { readString, replyString, storedString } from './string-access.js';

// SET and GETEX options, as bits so the parser can check what conflicts with what.
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const EXPIRES = EX | PX | EXAT | PXAT;

interface Options {
  flags: number;
  /** The EX/PX/EXAT/PXAT argument, when one was given (the last one wins). */
  expire: string | undefined;
}

/**
 * Parses SET's options (from argv[3]) or GETEX's (from argv[2]) with Redis's
 * rules: repeating an option is allowed, combining conflicting ones is a
 * syntax error, and so is an option the command does not take.
 */
function parseOptions(argv: string[], forSet: boolean): Options {
  let flags = 0;
  let expire: string | undefined;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = optionWord(argv[j]);
    const hasNext = j + 1 < argv.length;
    let bit = 0;
    if (forSet && opt === 'nx' && !(flags & XX)) bit = NX;
    else if (forSet && opt === 'xx' && !(flags & NX)) bit = XX;
    else if (forSet && opt === 'get') bit = GET;
    else if (forSet && opt === 'keepttl' && !(flags & (PERSIST | EXPIRES))) bit = KEEPTTL;
    else if (!forSet && opt === 'persist' && !(flags & (KEEPTTL | EXPIRES))) bit = PERSIST;
    else if (hasNext && !(flags & (KEEPTTL | PERSIST))) {
      if (opt === 'ex' && !(flags & (EXPIRES & ~EX))) bit = EX;
      else if (opt === 'px' && !(flags & (EXPIRES & ~PX))) bit = PX;
      else if (opt === 'exat' && !(flags & (EXPIRES & ~EXAT))) bit = EXAT;
      else if (opt === 'pxat' && !(flags & (EXPIRES & ~PXAT))) bit = PXAT;
      if (bit !== 0) expire = argv[++j];
    }
    if (bit === 0) throw new CommandError(SYNTAX);
    flags |= bit;
  }
  return { flags, expire };
}

const LLONG_MAX = 2n ** 63n - 1n;
/** Below these the arithmetic stays exact in doubles: no need for bigints. */
const SAFE_SECONDS = 1e12;
const SAFE_MS = 1e15;
const SMALL_POSITIVE = /^[1-9][0-9]{0,15}$/;

/**
 * The absolute deadline (ms since the epoch) an expire argument asks for,
 * refusing what Redis refuses: non-positive values and int64 overflow. A
 * bigint when past 2^53, so that what is propagated stays exact.
 */
function deadline(c: Ctx, arg: string, flags: number, command: string): number | bigint {
  const invalid = () => new CommandError(`ERR invalid expire time in '${command}' command`);
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  const now = c.keyspace.now;
  if (SMALL_POSITIVE.test(arg)) {
    const n = Number(arg);
    if (n <= (seconds ? SAFE_SECONDS : SAFE_MS)) return (seconds ? n * 1000 : n) + (relative ? now : 0);
  }
  let n = toInt64(arg);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n <= 0n || (seconds && n > LLONG_MAX / 1000n)) throw invalid();
  if (seconds) n *= 1000n;
  if (relative) n += BigInt(now);
  if (n > LLONG_MAX) throw invalid();
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * SET and its older forms. `counting` gives SETNX's 1/0 replies instead of
 * OK/nil. An expiring SET propagates as SET key value PXAT <ms>, as Redis 7
 * does; a deadline already past still stores the key (Redis 7.2 leaves it
 * to expire rather than deleting it).
 */
function setGeneric(c: Ctx, argv: string[], key: string, valueAt: number, opts: Options, counting: boolean): void {
  const { flags } = opts;
  const at = opts.expire === undefined ? undefined : deadline(c, opts.expire, flags, argv[0].toLowerCase());
  let old: StringValue | undefined;
  let found: boolean;
  // Redis's SET looks the key up to write it once (an access), after GET's own read.
  let lookedUp = false;
  if (flags & GET) {
    old = readString(c, key);
    found = old !== undefined;
  } else if (flags & (NX | XX) || c.db.expires.size !== 0) {
    // The lookup also expires a stale key first (propagating its DEL), as Redis's SET does.
    found = c.db.get(key) !== undefined;
    lookedUp = true;
  } else {
    found = false;
  }
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (flags & GET) replyOld(c, old);
    else if (counting) c.reply.integer(0);
    else c.reply.nullBulk();
    return;
  }
  const value = storedString(c, argv, valueAt);
  const keepTtl = at !== undefined || (flags & KEEPTTL) !== 0;
  if (lookedUp) c.db.set(key, value, keepTtl);
  else c.db.setKey(key, value, keepTtl);
  const ks = c.keyspace;
  ks.notify(c.db, '$', 'set', key);
  if (at !== undefined) {
    c.db.setDeadline(key, Number(at));
    ks.notify(c.db, 'g', 'expire', key);
    // Given as PXAT it propagates as sent, GET included, as Redis 7.2 propagates it; EX, PX and EXAT become PXAT.
    if (c.propagating && !(flags & PXAT)) c.propagateArgv = ['SET', key, argv[valueAt], 'PXAT', String(at)];
  } else if (flags & GET && c.propagating) {
    c.propagateArgv = argv.filter((a, j) => j < 3 || optionWord(a) !== 'get');
  }
  if (flags & GET) replyOld(c, old);
  else if (counting) c.reply.integer(1);
  else c.reply.ok();
}

function replyOld(c: Ctx, old: StringValue | undefined): void {
  if (old === undefined) c.reply.nullBulk();
  else replyString(c, old);
}

const PLAIN: Options = { flags: 0, expire: undefined };

function set(c: Ctx, argv: string[]): void {
  setGeneric(c, argv, argv[1], 2, argv.length === 3 ? PLAIN : parseOptions(argv, true), false);
}

function setnx(c: Ctx, argv: string[]): void {
  setGeneric(c, argv, argv[1], 2, { flags: NX, expire: undefined }, true);
}

function setex(c: Ctx, argv: string[]): void {
  setGeneric(c, argv, argv[1], 3, { flags: EX, expire: argv[2] }, false);
}

function psetex(c: Ctx, argv: string[]): void {
  setGeneric(c, argv, argv[1], 3, { flags: PX, expire: argv[2] }, false);
}

/**
 * GET plus a TTL change, propagated as its effect: PEXPIREAT, PERSIST, or
 * DEL when an absolute deadline has already passed.
 */
function getex(c: Ctx, argv: string[]): void {
  const { flags, expire } = parseOptions(argv, false);
  const key = argv[1];
  const v = readString(c, key);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  const at = expire === undefined ? undefined : deadline(c, expire, flags, argv[0].toLowerCase());
  replyString(c, v);
  const ks = c.keyspace;
  if (at !== undefined && flags & (EXAT | PXAT) && at <= ks.now) {
    c.db.delete(key);
    ks.notify(c.db, 'g', 'del', key);
    if (c.propagating) c.propagateArgv = ['DEL', key];
  } else if (at !== undefined) {
    c.db.setDeadline(key, Number(at));
    ks.notify(c.db, 'g', 'expire', key);
    if (c.propagating) c.propagateArgv = ['PEXPIREAT', key, String(at)];
  } else if (flags & PERSIST && c.db.persist(key)) {
    ks.notify(c.db, 'g', 'persist', key);
    if (c.propagating) c.propagateArgv = ['PERSIST', key];
  }
}

/**
 * Redis's setGetKeys: SET's key reads its old value only with GET, so its
 * flags depend on the arguments (the spec says variable_flags).
 */
function setKeys(argv: string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'get') return [{ pos: 1, flags: ['RW', 'access', 'update'] }];
  }
  return [{ pos: 1, flags: ['OW', 'update'] }];
}

const STRING = { acl: ['string'], group: 'string' } as const;

export const setCommands: CommandSpec[] = [
  {
    ...STRING, name: 'set', arity: -3, flags: ['write', 'denyoom'], traits: ['keeps-no-argv'],
    keySpecs: [
      { spec: 'RW access update variable_flags: index 1, range 0', notes: 'RW and ACCESS due to the optional `GET` argument' },
    ],
    getKeys: setKeys,
    args: 'key:key value [condition(NX | XX) @2.6.12] [GET @6.2.0] [expiration(EX seconds:integer @2.6.12 '
      + '| PX milliseconds:integer @2.6.12 | EXAT unix-time-seconds:unix-time @6.2.0 '
      + '| PXAT unix-time-milliseconds:unix-time @6.2.0 | KEEPTTL @6.0.0)]',
    since: '1.0.0',
    history: [
      ['2.6.12', 'Added the `EX`, `PX`, `NX` and `XX` options.'],
      ['6.0.0', 'Added the `KEEPTTL` option.'],
      ['6.2.0', 'Added the `GET`, `EXAT` and `PXAT` option.'],
      ['7.0.0', 'Allowed the `NX` and `GET` options to be used together.'],
    ],
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    complexity: 'O(1)', handler: set,
  },
  {
    ...STRING, name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keySpecs: ['OW insert: index 1, range 0'],
    args: 'key:key value', since: '1.0.0', summary: "Set the string value of a key only when the key doesn't exist.",
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '2.6.12', replacedBy: '`SET` with the `NX` argument',
    handler: setnx,
  },
  {
    ...STRING, name: 'setex', arity: 4, flags: ['write', 'denyoom'], keySpecs: ['OW update: index 1, range 0'],
    args: 'key:key seconds:integer value', since: '2.0.0',
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '2.6.12', replacedBy: '`SET` with the `EX` argument',
    handler: setex,
  },
  {
    ...STRING, name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keySpecs: ['OW update: index 1, range 0'],
    args: 'key:key milliseconds:integer value', since: '2.6.0',
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '2.6.12', replacedBy: '`SET` with the `PX` argument',
    handler: psetex,
  },
  {
    ...STRING, name: 'getex', arity: -2, flags: ['write', 'fast'],
    keySpecs: [{ spec: 'RW access update: index 1, range 0', notes: 'RW and UPDATE because it changes the TTL' }],
    args: 'key:key [expiration(EX seconds:integer | PX milliseconds:integer | EXAT unix-time-seconds:unix-time '
      + '| PXAT unix-time-milliseconds:unix-time | PERSIST)]',
    since: '6.2.0', summary: 'Returns the string value of a key after setting its expiration time.',
    complexity: 'O(1)', handler: getex,
  },
];
