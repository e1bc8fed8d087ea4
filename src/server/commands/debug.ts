import { encodingOf, refcountOf } from '../../store/keys/object-commands.js';
import v8 from 'node:v8';
import { cString } from '../../core/c-string.js';
import { stall } from '../../core/stall.js';
import { CommandError, NO_SUCH_KEY, NOT_INTEGER } from '../../core/errors.js';
import { withClusterRefusals } from './cluster.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { MAX_ARG_LENGTH as MAX_STRING_LENGTH } from '../../protocol/limits.js';
import { RdbWriter } from '../../codecs/rdb/writer.js';
import { writeValue } from '../../persistence/rdb/encode-value.js';
import type { Value } from '../../keyspace/value.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { datasetDigest, valueDigest } from './debug-digest.js';
import { idleMs } from '../../store/eviction/lru-clock.js';

/**
 * C's strtod on a prefix of the argument, as DEBUG SLEEP reads it: text
 * that is not a number reads as 0 rather than failing.
 */
export function strtod(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0x[0-9a-f]+|inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(s);
  if (m === null) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2].toLowerCase();
  if (body.startsWith('inf')) return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * (body.startsWith('0x') ? parseInt(body.slice(2), 16) : Number(body));
}

/** C's atoi: leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : parseInt(m[1], 10);
}

/**
 * DEBUG SLEEP blocks the whole server, as in Redis. A duration Redis cannot
 * turn into a timespec (negative, NaN, infinite, past 2^63 µs) returns at once.
 */
function debugSleep(c: Client, argv: string[]): void {
  const micros = Math.trunc(strtod(argv[2]) * 1e6);
  if (micros < 2 ** 63) stall(micros);
  c.reply.ok();
}

/** rdbSavedObjectLen: the bytes the value takes in an RDB file after its type byte, compressed as `rdbcompression` says. */
function serializedLength(c: Client, v: Value): number {
  const config = c.server.config;
  const w = new RdbWriter(config.bool('rdbcompression'));
  writeValue(w, v, config.num('list-max-listpack-size'));
  return w.size - 1;
}

/** Stand-ins for Redis's object addresses: stable per value object (a MutableString too), unique per call for plain strings. */
const addresses = new WeakMap<object, number>();
let nextAddress = 0;

function addressOf(v: Value): string {
  let seq: number | undefined = typeof v !== 'object' ? undefined : addresses.get(v);
  if (seq === undefined) {
    seq = nextAddress++;
    if (typeof v === 'object') addresses.set(v, seq);
  }
  return '0x' + (0x7f0000000000 + seq * 16).toString(16);
}

/**
 * DEBUG OBJECT key, in Redis's format. Real: encoding, refcount (shared
 * small integers), serializedlength, and lru, the key's 24-bit access
 * stamp (an LRU clock, or under an LFU policy the packed counter), with
 * lru_seconds_idle read from it as an LRU clock whatever the policy, as
 * Redis's estimateObjectIdleTime reads it. The address is a stand-in.
 */
function debugObject(c: Client, argv: string[]): void {
  // Like Redis, a key past its deadline but not yet deleted is still shown; the lookup does not touch it.
  const dict = c.db.dict;
  const v = dict.get(argv[2]);
  if (v === undefined) throw new CommandError(NO_SUCH_KEY);
  const stamp = dict.stampAt(dict.found);
  const idle = Math.floor(idleMs(stamp, c.server.keyspace.now) / 1000);
  const serialized = serializedLength(c, v);
  c.reply.simple(
    `Value at:${addressOf(v)} refcount:${refcountOf(v)} encoding:${encodingOf(v)} serializedlength:${serialized} lru:${stamp} lru_seconds_idle:${idle}`,
  );
}

/** DEBUG SET-DISABLE-DENY-SCRIPTS 0|1: any non-zero number lets scripts call commands flagged noscript (a testing aid). */
function debugSetDisableDenyScripts(c: Client, argv: string[]): void {
  c.server.scripting.denyScriptsDisabled = atoi(argv[2]) !== 0;
  c.reply.ok();
}

/** DEBUG SET-SKIP-CHECKSUM-VALIDATION 0|1: any non-zero number lets RESTORE and FUNCTION RESTORE take a payload whatever its checksum (a testing aid: corrupt payloads then reach the decoder). */
function debugSetSkipChecksumValidation(c: Client, argv: string[]): void {
  c.server.keyspace.skipDumpChecksum = atoi(argv[2]) !== 0;
  c.reply.ok();
}

/** DEBUG LOG message: the message in the log as a warning, as Redis writes it. */
function debugLog(c: Client, argv: string[]): void {
  c.server.log.warning(`DEBUG LOG: ${cString(argv[2])}`);
  c.reply.ok();
}

/** DEBUG AOF-FLUSH-SLEEP micros (atoi): each AOF write with something to write waits that long first. */
function debugAofFlushSleep(c: Client, argv: string[]): void {
  c.server.persistence.flushSleepMicros = atoi(argv[2]);
  c.reply.ok();
}

/** DEBUG PAUSE-CRON 0|1 (atoi): while non-zero, the periodic work is skipped (a signal's shutdown with it). */
function debugPauseCron(c: Client, argv: string[]): void {
  c.server.cronPaused = atoi(argv[2]) !== 0;
  c.reply.ok();
}

/** DEBUG SET-ACTIVE-EXPIRE 0|1: any non-zero number turns the background expiry cycle back on. */
function debugSetActiveExpire(c: Client, argv: string[]): void {
  c.server.activeExpire = atoi(argv[2]) !== 0;
  c.reply.ok();
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty and load back the dataset (see RdbFiles.reload). */
function debugReload(c: Client, argv: string[]): void {
  const opts = { save: true, flush: true, merge: false };
  for (const opt of argv.slice(2)) {
    switch (opt.toLowerCase()) {
      case 'merge': opts.merge = true; break;
      case 'noflush': opts.flush = false; break;
      case 'nosave': opts.save = false; break;
      default: throw new CommandError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
    }
  }
  // Emptying counts changes, but the reload is not a write to propagate: replayed from the AOF it would reload again.
  c.propagateArgv = null;
  const error = c.server.persistence.rdb.reload(opts);
  if (error !== null) throw new CommandError(error);
  c.reply.ok();
}

/** DEBUG DIGEST: the whole dataset's signature, as a status reply. */
function debugDigest(c: Client): void {
  c.reply.simple(datasetDigest(c.keyspace.dbs));
}

/** DEBUG DIGEST-VALUE key …: each value's signature (zeros for a missing key), as status replies. */
function debugDigestValue(c: Client, argv: string[]): void {
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.simple(valueDigest(c.db, argv[i]));
}

/** DEBUG LOADAOF: the AOF written out, the data emptied and loaded back from it (Persistence.loadAofNow). */
function debugLoadAof(c: Client): void {
  c.propagateArgv = null;
  const error = c.server.persistence.loadAofNow();
  if (error !== null) throw new CommandError(error);
  c.reply.ok();
}

const PUSH_FRAME = Buffer.from('>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');

/** DEBUG PROTOCOL <type>: a fixed reply of each RESP type, for client libraries' tests. */
function debugProtocol(c: Client, argv: string[]): void {
  const r = c.reply;
  switch (argv[2].toLowerCase()) {
    case 'string': return r.bulk('Hello World');
    case 'integer': return r.integer(12345);
    case 'double': return r.double(3.141);
    case 'bignum': return r.bigNumber('1234567999999999999999999999999999999');
    case 'null': return r.nullBulk();
    case 'array':
      r.array(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'set':
      r.set(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.boolean(j === 1);
      }
      return;
    case 'attrib':
      // An attribute annotates the reply after it; RESP2 has none, so only the reply goes.
      if (r.proto === 3) {
        r.attribute(1);
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.integer(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (r.proto !== 3) return r.error('ERR RESP2 is not supported by this command');
      if (c.server.broker.executing === c) {
        // As every push to the client running a command, it follows the command's reply (Redis 7.2).
        c.server.broker.defer(c, PUSH_FRAME);
      } else {
        // A script's call: the push is part of what the script reads.
        r.push(2);
        r.bulk('server-cpu-usage');
        r.integer(42);
      }
      return r.bulk('Some real reply following the push reply');
    case 'true': return r.boolean(true);
    case 'false': return r.boolean(false);
    case 'verbatim': return r.verbatim('This is a verbatim\nstring', 'txt');
    default:
      return r.error(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

/**
 * What one populated key takes at least on the heap (its entry, key and
 * value strings): a count whose keys could not fit in what is left of the
 * heap is refused before any is made, as Redis's dictTryExpand refuses a
 * table it cannot allocate, rather than running the process out of memory.
 */
const POPULATED_KEY_BYTES = 100;
const POPULATE_OOM = 'ERR OOM in dictTryExpand';

function populateFits(count: number, size: number): boolean {
  const h = v8.getHeapStatistics();
  return count * (POPULATED_KEY_BYTES + size) <= h.heap_size_limit - h.used_heap_size;
}
const OUT_OF_RANGE = 'ERR value is out of range, must be positive';

/** Redis's getPositiveLongFromObjectOrReply: a bad number and a negative one get the same error. */
function positiveLong(s: string): number {
  const n = toInt64(s);
  if (n === null || n < 0n) throw new CommandError(OUT_OF_RANGE);
  return Number(n);
}

/**
 * DEBUG POPULATE count [prefix] [size]: keys `prefix:N` ("key:N") for N
 * below count, each set to "value:N", or to `size` bytes of it padded
 * with NULs; a key that exists is left as it is. As Redis formats them in
 * a 128-byte buffer, the prefix stops at a NUL and a key at 127 bytes.
 * Like Redis's, the keys count as no change (nothing propagates, no save
 * point fires) but break WATCH.
 */
function debugPopulate(c: Client, argv: string[]): void {
  if (argv.length > 5) throw new CommandError(subcommandSyntaxError(argv));
  const count = positiveLong(argv[2]);
  // The table first, as Redis expands it before it reads the size; then the values too.
  if (!populateFits(count, 0)) throw new CommandError(POPULATE_OOM);
  const size = argv.length === 5 ? positiveLong(argv[4]) : 0;
  if (size > MAX_STRING_LENGTH) throw new CommandError(OUT_OF_RANGE);
  if (!populateFits(count, size)) throw new CommandError(POPULATE_OOM);
  const prefix = argv.length === 3 ? 'key' : cString(argv[3]);
  const ks = c.keyspace;
  const dirty = ks.dirty;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`.slice(0, 127);
    if (c.db.get(key) !== undefined) continue;
    const text = `value:${j}`;
    c.db.set(key, size === 0 ? text : size <= text.length ? text.slice(0, size) : text + '\0'.repeat(size - text.length));
  }
  ks.dirty = dirty;
  c.reply.ok();
}

const HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
];

/** DEBUG DROP-CLUSTER-PACKET-FILTER <type>: cluster bus messages of that type are dropped as they arrive; -1 lets all in. */
function debugDropClusterPacketFilter(c: Client, argv: string[]): void {
  const type = toInt64(argv[2]);
  if (type === null) throw new CommandError(NOT_INTEGER);
  const cluster = c.server.cluster;
  if (cluster !== null) cluster.bus.dropPacketType = type < -1n || type > 65535n ? -1 : Number(type);
  c.reply.ok();
}

/** DEBUG CLUSTERLINK KILL to|from|all <node-id>: closes a node's bus links, to test their reconnection. */
function debugClusterLink(c: Client, argv: string[]): void {
  if (argv[2].toLowerCase() !== 'kill') throw new CommandError(subcommandSyntaxError(argv));
  const cluster = c.server.cluster;
  if (cluster === null) throw new CommandError('ERR Debug option only available for cluster mode enabled setup!');
  withClusterRefusals(() => cluster.killLinks(argv[3], argv[4]));
  c.reply.ok();
}

/** The DEBUG subcommands Sluice has, with the argument count each takes (name included; negative: at least that many). */
const SUBCOMMANDS = new Map<string, [number, (c: Client, argv: string[]) => void]>([
  ['help', [2, (c, argv) => helpReply(c, argv, HELP)]],
  ['sleep', [3, debugSleep]],
  ['object', [3, debugObject]],
  ['digest', [2, debugDigest]],
  ['digest-value', [-2, debugDigestValue]],
  ['protocol', [3, debugProtocol]],
  ['populate', [-3, debugPopulate]],
  ['loadaof', [-2, debugLoadAof]],
  ['set-active-expire', [3, debugSetActiveExpire]],
  ['set-disable-deny-scripts', [3, debugSetDisableDenyScripts]],
  ['set-skip-checksum-validation', [3, debugSetSkipChecksumValidation]],
  ['reload', [-2, debugReload]],
  ['log', [3, debugLog]],
  ['aof-flush-sleep', [3, debugAofFlushSleep]],
  ['pause-cron', [3, debugPauseCron]],
  ['drop-cluster-packet-filter', [3, debugDropClusterPacketFilter]],
  ['clusterlink', [5, debugClusterLink]],
  // Sends the arguments to the replicas as a command, outside any database (a test of how replicas take errors).
  ['replicate', [-3, (c, argv) => {
    c.server.replication.debugReplicate(argv.slice(2));
    c.reply.ok();
  }]],
]);

function debug(c: Client, argv: string[]): void {
  const sub = SUBCOMMANDS.get(argv[1].toLowerCase());
  const n = sub?.[0];
  if (sub === undefined || n === undefined || (n >= 0 ? n !== argv.length : argv.length < -n)) throw new CommandError(subcommandSyntaxError(argv));
  sub[1](c, argv);
}

export const debugCommands: CommandSpec[] = [
  {
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], acl: [], group: 'server',
    since: '1.0.0', summary: 'A container for debugging commands.', complexity: 'Depends on subcommand.',
    docFlags: ['syscmd'], handler: debug,
  },
];
