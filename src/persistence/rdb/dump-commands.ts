import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { deletionCommand } from '../../core/propagation.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Value } from '../../keyspace/value.js';
import { currentLoadLimits } from './decode-value.js';
import { dumpPayload, payloadString, payloadValue } from './dump-payload.js';
import { validFooter, validFooterText } from '../../codecs/rdb/payload.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';

const BUSYKEY = 'BUSYKEY Target key name already exists.';
const BAD_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const BAD_FORMAT = 'ERR Bad data format';

function dump(c: Ctx, argv: string[]): void {
  const v = c.db.read(argv[1]);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  const compress = c.config.bool('rdbcompression');
  c.reply.bulkBuffer(dumpPayload(v, { compress, listFill: c.config.num('list-max-listpack-size') }));
}

/** An int64 argument, exact. */
function int64(s: string): bigint {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return n;
}

/**
 * RESTORE (restoreCommand): options first, then the target, the TTL, the
 * payload's footer and its value, in Redis's order, all before anything
 * changes. IDLETIME and FREQ set the key's access clock when the
 * policy keeps one of that kind (store/eviction/access-clocks.ts).
 */
function restore(c: Ctx, argv: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = j + 1 < argv.length;
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absttl = true;
    } else if (opt === 'idletime' && more && freq === -1) {
      const t = int64(argv[++j]);
      if (t < 0n) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
      idle = Number(t);
    } else if (opt === 'freq' && more && idle === -1) {
      const f = int64(argv[++j]);
      if (f < 0n || f > 255n) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = Number(f);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const db = c.db;
  const key = argv[1];
  if (!replace && db.get(key) !== undefined) throw new CommandError(BUSYKEY);
  // MIGRATE sends 0 for every key without a TTL: no BigInt parse or arithmetic for it.
  const ttl = argv[2] === '0' ? 0n : int64(argv[2]);
  const noTtl = ttl === 0n;
  if (!noTtl && ttl < 0n) throw new CommandError('ERR Invalid TTL value, must be >= 0');
  // The payload is read as the argument's text where it can be (no copy into a buffer).
  const payload = argv[3];
  const skipCrc = c.keyspace.skipDumpChecksum;
  const footer = validFooterText(payload, skipCrc);
  if (footer === 0) throw new CommandError(BAD_PAYLOAD);
  let value: Value | undefined = footer === 1 ? payloadString(payload) : undefined;
  if (value === undefined) {
    const data = Buffer.from(payload, 'latin1');
    if (footer === -1 && !validFooter(data, skipCrc)) throw new CommandError(BAD_PAYLOAD);
    try {
      value = payloadValue(data, currentLoadLimits(c));
    } catch (e) {
      if (e instanceof RdbError) throw new CommandError(BAD_FORMAT);
      throw e;
    }
  }
  const existed = replace && db.get(key) !== undefined;
  if (existed) db.remove(key);
  let when = ttl;
  if (!noTtl) {
    const now = BigInt(c.keyspace.now);
    if (!absttl) when += now;
    if (when <= now) {
      // Already expired: the key is not created, and one that was replaced is deleted (an UNLINK under lazyfree-lazy-server-del, as Redis).
      if (existed) {
        db.modified(key);
        c.keyspace.notify(db, 'g', 'del', key);
        c.propagateArgv = [deletionCommand(c.config), key];
      } else {
        c.propagateArgv = null;
      }
      c.reply.ok();
      return;
    }
  }
  db.put(key, value, noTtl ? -1 : Number(when));
  c.keyspace.access?.restore(db, key, idle, freq);
  db.modified(key);
  if (!noTtl && !absttl) c.propagateArgv = [...argv.slice(0, 2), String(when), ...argv.slice(3), 'ABSTTL'];
  c.keyspace.notify(db, 'g', 'restore', key);
  c.reply.ok();
}

const RESTORE_COMPLEXITY =
  'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).';

const RESTORE_ARGS = 'key:key ttl:integer serialized-value [REPLACE @3.0.0] [ABSTTL @5.0.0] [IDLETIME seconds:integer @5.0.0] [FREQ frequency:integer @5.0.0]';
const RESTORE_HISTORY: [string, string][] = [['3.0.0', 'Added the `REPLACE` modifier.'], ['5.0.0', 'Added the `ABSTTL` modifier.'], ['5.0.0', 'Added the `IDLETIME` and `FREQ` options.']];

export const dumpCommands: CommandSpec[] = [
  {
    name: 'dump', arity: 2, flags: ['readonly'], acl: ['keyspace'], group: 'generic', keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key', since: '2.6.0', tips: ['nondeterministic_output'],
    summary: 'Returns a serialized representation of the value stored at a key.',
    complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    handler: dump,
  },
  {
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['keyspace', 'dangerous'], group: 'generic',
    keySpecs: ['OW update: index 1, range 0'],
    args: RESTORE_ARGS,
    since: '2.6.0', history: RESTORE_HISTORY,
    summary: 'Creates a key from the serialized representation of a value.', complexity: RESTORE_COMPLEXITY,
    handler: restore,
  },
  {
    // MIGRATE sends this in cluster mode: its asking flag lets it write a slot this node is still importing.
    name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'], acl: ['keyspace', 'dangerous'], group: 'server',
    keySpecs: ['OW update: index 1, range 0'],
    args: RESTORE_ARGS,
    since: '3.0.0', history: RESTORE_HISTORY,
    summary: 'An internal command for migrating keys in a cluster.', complexity: RESTORE_COMPLEXITY, docFlags: ['syscmd'],
    handler: restore,
  },
];
