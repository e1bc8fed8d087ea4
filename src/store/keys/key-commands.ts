import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, DB_INDEX_RANGE, NO_SUCH_KEY, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { globMatch } from '../../core/glob.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { typeOf, type Value } from '../../keyspace/value.js';

const SAME_OBJECT = 'ERR source and destination objects are the same';
const INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
/** Tips Redis gives the commands that take any number of keys. */
const MULTI_KEY_TIPS = ['request_policy:multi_shard', 'response_policy:agg_sum'];

/** DEL and UNLINK: a deleted value is only unreferenced, so freeing it is the GC's job either way. */
function del(c: Ctx, argv: string[]): void {
  const db = c.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(argv[i])) {
      c.keyspace.notify(db, 'g', 'del', argv[i]);
      deleted++;
    }
  }
  c.reply.integer(deleted);
}

/** EXISTS counts a key as often as it is named; TOUCH does the same (no access times are kept). */
function exists(c: Ctx, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]) !== undefined) n++;
  c.reply.integer(n);
}

function type(c: Ctx, argv: string[]): void {
  const v = c.db.read(argv[1]);
  c.reply.simple(v === undefined ? 'none' : typeOf(v));
}

function keys(c: Ctx, argv: string[]): void {
  const pattern = argv[1];
  const all = pattern === '*';
  const db = c.db;
  const found: string[] = [];
  for (const key of db.dict.keys()) {
    if ((all || globMatch(pattern, key)) && !db.isExpired(key)) found.push(key);
  }
  c.reply.array(found.length);
  for (const key of found) c.reply.bulk(key);
}

function randomkey(c: Ctx): void {
  const key = c.keyspace.randomKey(c.db.index);
  if (key === undefined) c.reply.nullBulk();
  else c.reply.bulk(key);
}

/** RENAME and RENAMENX: the value and its deadline move to the new name. */
function renameGeneric(c: Ctx, argv: string[], nx: boolean): void {
  const db = c.db;
  const [, from, to] = argv;
  const v = db.get(from);
  if (v === undefined) throw new CommandError(NO_SUCH_KEY);
  if (from === to) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  // Looked up even when it will be overwritten, so an expired target expires first.
  if (db.get(to) !== undefined && nx) {
    c.reply.integer(0);
    return;
  }
  const deadline = db.deadline(from);
  db.detach(from);
  db.put(to, v, deadline);
  db.modified(from);
  db.signal(to);
  c.keyspace.notify(db, 'g', 'rename_from', from);
  c.keyspace.notify(db, 'g', 'rename_to', to);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

/** Redis's getIntFromObjectOrReply: an int64, then within int32. */
function int32Arg(s: string): number {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n < INT32_MIN || n > INT32_MAX) throw new CommandError(INT_RANGE);
  return Number(n);
}

function move(c: Ctx, argv: string[]): void {
  if (c.keyspace.clusterMode) throw new CommandError('ERR MOVE is not allowed in cluster mode');
  const key = argv[1];
  const target = int32Arg(argv[2]);
  const ks = c.keyspace;
  if (target < 0 || target >= ks.dbs.length) throw new CommandError(DB_INDEX_RANGE);
  const src = c.db;
  const dst = ks.db(target);
  if (src === dst) throw new CommandError(SAME_OBJECT);
  const v = src.get(key);
  if (v === undefined || dst.get(key) !== undefined) {
    c.reply.integer(0);
    return;
  }
  dst.put(key, v, src.deadline(key));
  src.detach(key);
  src.modified(key);
  dst.signal(key);
  ks.notify(src, 'g', 'move_from', key);
  ks.notify(dst, 'g', 'move_to', key);
  c.reply.integer(1);
}

function copy(c: Ctx, argv: string[]): void {
  const ks = c.keyspace;
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && i + 1 < argv.length) {
      const n = int32Arg(argv[++i]);
      if (n < 0 || n >= ks.dbs.length) throw new CommandError(DB_INDEX_RANGE);
      dst = ks.db(n);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (ks.clusterMode && (src.index !== 0 || dst.index !== 0)) throw new CommandError('ERR Copying to another database is not allowed in cluster mode');
  const [, from, to] = argv;
  if (src === dst && from === to) throw new CommandError(SAME_OBJECT);
  const v = src.read(from);
  if (v === undefined || (dst.get(to) !== undefined && !replace)) {
    c.reply.integer(0);
    return;
  }
  dst.put(to, cloneValue(v), src.deadline(from));
  dst.modified(to);
  ks.notify(dst, 'g', 'copy_to', to);
  c.reply.integer(1);
}

/** COPY … DB n writes its destination in database n (the last DB option, as the handler reads them). */
function copyOtherDbKey(argv: string[]): { key: number; db: number } | null {
  let db = -1;
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'db' && i + 1 < argv.length) db = ++i;
  }
  return db === -1 ? null : { key: 2, db };
}

/** Plain strings and counters are immutable and can be shared; a MutableString and other values are copied. */
function cloneValue(v: Value): Value {
  return typeof v !== 'object' ? v : v.clone();
}

const GENERIC = { acl: ['keyspace'], group: 'generic' } as const;

export const keyCommands: CommandSpec[] = [
  {
    ...GENERIC, name: 'del', arity: -2, flags: ['write'], traits: ['keeps-no-argv'], keySpecs: ['RM delete: index 1, range -1'], args: 'key:key...',
    since: '1.0.0', summary: 'Deletes one or more keys.', tips: MULTI_KEY_TIPS,
    complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    handler: del,
  },
  {
    ...GENERIC, name: 'unlink', arity: -2, flags: ['write', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RM delete: index 1, range -1'],
    args: 'key:key...', since: '4.0.0', summary: 'Asynchronously deletes one or more keys.', tips: MULTI_KEY_TIPS,
    complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    handler: del,
  },
  {
    ...GENERIC, name: 'exists', arity: -2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range -1'], traits: ['no-touch', 'keeps-no-argv'],
    args: 'key:key...', since: '1.0.0', history: [['3.0.3', 'Accepts multiple `key` arguments.']],
    summary: 'Determines whether one or more keys exist.', tips: MULTI_KEY_TIPS,
    complexity: 'O(N) where N is the number of keys to check.', handler: exists,
  },
  {
    ...GENERIC, name: 'touch', arity: -2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range -1'],
    args: 'key:key...', since: '3.2.1', tips: MULTI_KEY_TIPS,
    summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
    complexity: 'O(N) where N is the number of keys that will be touched.', handler: exists,
  },
  {
    ...GENERIC, name: 'type', arity: 2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range 0'], args: 'key:key', traits: ['no-touch'],
    since: '1.0.0', summary: 'Determines the type of value stored at a key.', complexity: 'O(1)', handler: type,
  },
  {
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'dangerous'], group: 'generic',
    args: 'pattern:pattern', since: '1.0.0', summary: 'Returns all key names that match a pattern.',
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    handler: keys,
  },
  {
    // response_policy:special is 7.2's.
    ...GENERIC, name: 'randomkey', arity: 1, flags: ['readonly'], traits: ['touches-arbitrary-keys'], since: '1.0.0',
    summary: 'Returns a random key name from the database.',
    tips: ['request_policy:all_shards', 'response_policy:special', 'nondeterministic_output'], complexity: 'O(1)',
    handler: randomkey,
  },
  {
    ...GENERIC, name: 'rename', arity: 3, flags: ['write'],
    keySpecs: ['RW access delete: index 1, range 0', 'OW update: index 2, range 0'], args: 'key:key newkey:key#1',
    since: '1.0.0', summary: 'Renames a key and overwrites the destination.', complexity: 'O(1)',
    handler: (c, argv) => renameGeneric(c, argv, false),
  },
  {
    ...GENERIC, name: 'renamenx', arity: 3, flags: ['write', 'fast'],
    keySpecs: ['RW access delete: index 1, range 0', 'OW insert: index 2, range 0'], args: 'key:key newkey:key#1',
    since: '1.0.0',
    history: [['3.2.0', 'The command no longer returns an error when source and destination names are the same.']],
    summary: "Renames a key only when the target key name doesn't exist.", complexity: 'O(1)',
    handler: (c, argv) => renameGeneric(c, argv, true),
  },
  {
    ...GENERIC, name: 'move', arity: 3, flags: ['write', 'fast'], keySpecs: ['RW access update: index 1, range 0'],
    otherDbKey: () => ({ key: 1, db: 2 }), args: 'key:key db:integer', since: '1.0.0',
    summary: 'Moves a key to another database.', complexity: 'O(1)', handler: move,
  },
  {
    ...GENERIC, name: 'copy', arity: -3, flags: ['write', 'denyoom'],
    keySpecs: ['RO access: index 1, range 0', 'OW update: index 2, range 0'], otherDbKey: copyOtherDbKey,
    args: 'source:key destination:key#1 [DB destination-db:integer] [REPLACE]', since: '6.2.0',
    summary: 'Copies the value of a key to a new key.',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    handler: copy,
  },
];
