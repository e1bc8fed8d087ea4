import type { CommandSpec, KeyRef } from '../../core/command.js';
import type { ConfigReader, Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { commandBytes, commandsBytes } from '../../protocol/command-bytes.js';
import type { Value } from '../../keyspace/value.js';
import { dumpPayload } from '../rdb/dump-payload.js';
import { migrateLater, runMigrate } from './migrate-link.js';
import type { MigrateResult, MigrateTls } from './migrate-protocol.js';

/** What MIGRATE needs from the server: the TLS options of its connections when tls-cluster is set, else null. */
export interface MigrateLinks {
  tls(config: ConfigReader): MigrateTls | null;
}

function long(s: string): number {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return Number(n);
}

interface MigrateArgs {
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
  keys: string[];
}

/** The options after the timeout, read as Redis reads them (KEYS takes every argument after it). */
function parseOptions(argv: string[]): MigrateArgs {
  const a: MigrateArgs = { copy: false, replace: false, username: null, password: null, keys: [argv[3]] };
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'copy') a.copy = true;
    else if (opt === 'replace') a.replace = true;
    else if (opt === 'auth') {
      if (more < 1) throw new CommandError(SYNTAX);
      a.password = argv[++j];
    } else if (opt === 'auth2') {
      if (more < 2) throw new CommandError(SYNTAX);
      a.username = argv[++j];
      a.password = argv[++j];
    } else if (opt === 'keys') {
      if (argv[3] !== '') throw new CommandError('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      a.keys = argv.slice(j + 1);
      break;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return a;
}

/** An exchange that ended, for the MIGRATE that started it to settle when it runs again (Ctx.finishLater). */
interface Exchanged {
  copy: boolean;
  sent: string[];
  result: MigrateResult;
}

const exchanged = new WeakMap<Ctx, Exchanged>();

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH
 * password | AUTH2 username password] [KEYS key …], as Redis 7.2's
 * migrateCommand: the keys that exist are sent as RESTORE commands with
 * their DUMP payload and remaining TTL, over a connection kept for the
 * target; each key the target accepted is deleted here (unless COPY) and
 * the command propagates as a DEL of those keys. Nothing writes meanwhile,
 * as nothing runs while Redis's blocks on its socket: a MIGRATE sent
 * alone finishes later, holding every other write until it does (reads go
 * on), and one in EXEC or a script waits for its exchange on the worker
 * thread. A lost connection is retried once when nothing was read yet and
 * it did not time out.
 */
function migrate(links: MigrateLinks, c: Ctx, argv: string[]): void {
  const done = exchanged.get(c);
  if (done !== undefined) {
    exchanged.delete(c);
    c.propagateArgv = null;
    settle(c, done.copy, done.sent, done.result);
    return;
  }
  const a = parseOptions(argv);
  let timeoutMs = long(argv[5]);
  const db = long(argv[4]);
  if (timeoutMs <= 0) timeoutMs = 1000;
  // Each key is read once, as Redis's lookupKeyRead: its value, deadline and payload come from that read.
  const present: string[] = [];
  const values: Value[] = [];
  for (const key of a.keys) {
    const v = c.db.read(key);
    if (v === undefined) continue;
    present.push(key);
    values.push(v);
  }
  c.propagateArgv = null;
  if (present.length === 0) {
    c.reply.simple('NOKEY');
    return;
  }
  const opts = { compress: c.config.bool('rdbcompression'), listFill: c.config.num('list-max-listpack-size') };
  const now = c.keyspace.now;
  const name = c.keyspace.clusterMode ? 'RESTORE-ASKING' : 'RESTORE';
  const sent: string[] = [];
  const restores: (string | Buffer)[][] = [];
  for (let i = 0; i < present.length; i++) {
    const key = present[i];
    const deadline = c.db.deadline(key);
    let ttl = 0;
    if (deadline !== -1) {
      ttl = deadline - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    // A cluster node's target may be importing the slot: RESTORE-ASKING is served there without ASKING.
    const cmd: (string | Buffer)[] = [name, key, String(ttl), dumpPayload(values[i], opts)];
    if (a.replace) cmd.push('REPLACE');
    restores.push(cmd);
    sent.push(key);
  }
  const auth = a.password === null ? null : commandBytes(a.username === null ? ['AUTH', a.password] : ['AUTH', a.username, a.password]);
  const req = { host: argv[1], port: Number(argv[2]), timeoutMs, db, auth, restores: commandsBytes(restores), count: restores.length, tls: links.tls(c.config) };
  const later = c.finishLater(argv, async () => {
    let result = await migrateLater(req);
    if (retryable(result)) result = await migrateLater(req);
    exchanged.set(c, { copy: a.copy, sent, result });
  });
  if (later) return;
  let result = runMigrate(req);
  if (retryable(result)) result = runMigrate(req);
  settle(c, a.copy, sent, result);
}

/** Redis tries again once on a socket error before any reply, unless it was a timeout. */
function retryable(r: MigrateResult): boolean {
  return r.kind === 'write-error' || (r.kind === 'read-error' && !r.timedOut && r.read === 0 && r.headerError === null);
}

/** Deletes what the target accepted and answers as Redis does for each way the exchange can end. */
function settle(c: Ctx, copy: boolean, sent: string[], r: MigrateResult): void {
  if (r.kind === 'connect-error') throw new CommandError('IOERR error or timeout connecting to the client');
  if (r.kind === 'write-error') throw new CommandError('IOERR error or timeout writing to target instance');
  let targetError: string | null = null;
  const deleted: string[] = [];
  r.replies.forEach((reply, j) => {
    const error = r.headerError ?? (reply.startsWith('-') ? reply.slice(1) : null);
    if (error !== null) {
      targetError ??= error;
      return;
    }
    if (copy) return;
    const key = sent[j];
    // A key may be gone by now: a cluster that gives its slot to another node drops it while a MIGRATE waits.
    if (!c.db.delete(key)) return;
    c.keyspace.notify(c.db, 'g', 'del', key);
    deleted.push(key);
  });
  if (deleted.length > 0) c.propagateArgv = ['DEL', ...deleted];
  if (targetError !== null) throw new CommandError(`ERR Target instance replied with error: ${targetError}`);
  if (r.kind === 'read-error') throw new CommandError('IOERR error or timeout reading to target instance');
  c.reply.ok();
}

/** Arguments an option takes, skipped when looking for KEYS: a password may itself read "keys". */
const OPTION_ARGS: ReadonlyMap<string, number> = new Map([['auth', 1], ['auth2', 2]]);

const MIGRATED: KeyRef['flags'] = ['RW', 'access', 'delete'];

/**
 * Redis's migrateGetKeys: the key argument, or every argument after KEYS
 * when the key argument is empty (none when it is not: migrate answers
 * that error). Each is read and deleted.
 */
function migrateKeys(argv: string[]): KeyRef[] {
  let first = 3;
  let num = 1;
  for (let i = 6; i < argv.length; i++) {
    const word = argv[i].toLowerCase();
    if (word === 'keys') {
      if (argv[3] !== '') num = 0;
      else {
        first = i + 1;
        num = argv.length - first;
      }
      break;
    }
    i += OPTION_ARGS.get(word) ?? 0;
  }
  const out: KeyRef[] = [];
  for (let k = 0; k < num; k++) out.push({ pos: first + k, flags: MIGRATED });
  return out;
}

export const migrateCommands = (links: MigrateLinks): CommandSpec[] => [
  {
    name: 'migrate', arity: -6, flags: ['write'], acl: ['keyspace', 'dangerous'], group: 'generic',
    keySpecs: ['RW access delete: index 3, range 0', 'RW access delete incomplete: keyword KEYS -2, range -1'],
    getKeys: migrateKeys, tips: ['nondeterministic_output'],
    args: 'host port:integer key-selector(key:key | empty-string->"") destination-db:integer timeout:integer [COPY @3.0.0] [REPLACE @3.0.0] [authentication(AUTH auth=password @4.0.7 | AUTH2 auth2{username password} @6.0.0)] [KEYS keys:key=key#1... @3.0.6]',
    since: '2.6.0',
    history: [['3.0.0', 'Added the `COPY` and `REPLACE` options.'], ['3.0.6', 'Added the `KEYS` option.'], ['4.0.7', 'Added the `AUTH` option.'], ['6.0.0', 'Added the `AUTH2` option.']],
    summary: 'Atomically transfers a key from one Redis instance to another.',
    complexity: 'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    handler: (c, argv) => migrate(links, c, argv),
  },
];
