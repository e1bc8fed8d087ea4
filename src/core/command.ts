import type { Ctx } from './context.js';
import { toInt64 } from '../codecs/integer-text.js';

/** Command flags as COMMAND INFO reports them. */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'protected'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export type CommandGroup =
  | 'generic'
  | 'string'
  | 'list'
  | 'set'
  | 'sorted-set'
  | 'hash'
  | 'pubsub'
  | 'transactions'
  | 'connection'
  | 'server'
  | 'scripting'
  | 'hyperloglog'
  | 'cluster'
  | 'sentinel'
  | 'geo'
  | 'stream'
  | 'bitmap';

/**
 * Internal properties of a command that COMMAND does not report: the places
 * where Redis's processCommand names commands one by one.
 */
export type CommandTrait =
  /** Runs at once inside MULTI instead of being queued (MULTI, WATCH: they answer the nesting error themselves). */
  | 'not-queued'
  /**
   * Ends a transaction (EXEC, DISCARD, QUIT, RESET): runs at once inside
   * MULTI, and is not refused there over the memory limit, since it frees
   * the queue. Implies not-queued.
   */
  | 'ends-transaction'
  /** May run on a RESP2 connection in subscribed mode. */
  | 'allowed-when-subscribed'
  /**
   * Runs a script or function (EVAL, EVALSHA, FCALL and their _RO forms):
   * the flags it declares replace the command's own write flags where
   * Redis reads them before running it (CLIENT PAUSE WRITE).
   */
  | 'runs-script'
  /**
   * Looks its keys up without refreshing their access clocks (Redis's
   * LOOKUP_NOTOUCH: EXISTS, TYPE, the TTL family, OBJECT): introspection
   * must not make a key look recently used.
   */
  | 'no-touch'
  /**
   * Its handler keeps no reference to the argv array once it returns (the
   * strings in it it may keep: they never change), so the request parser
   * may fill the same array with its next request when nothing else kept
   * it either (see Dispatcher.freeArgv). Given only to commands checked for
   * it: an array reused while someone still holds it would change what
   * they read.
   */
  | 'keeps-no-argv'
  /**
   * May expire keys no argument names (SCAN, RANDOMKEY: Redis's
   * CMD_TOUCHES_ARBITRARY_KEYS): the DELs of those it expires propagate
   * one by one, not wrapped in MULTI/EXEC, as active expiry's do.
   */
  | 'touches-arbitrary-keys';

/** Flags of a key spec, in the order COMMAND INFO and GETKEYSANDFLAGS write them. */
export const KEY_FLAGS = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
] as const;
export type KeyFlag = (typeof KEY_FLAGS)[number];

/** Where a key spec's search starts: an argv index, the argument after a keyword, or unknown. */
export type BeginSearch =
  | { type: 'index'; index: number }
  /** The keyword is looked for from `startfrom`, towards the end, or backwards from the end when negative. */
  | { type: 'keyword'; keyword: string; startfrom: number }
  | { type: 'unknown' };

/** How keys are found from where the search began. */
export type FindKeys =
  /**
   * lastkey is relative to the first key, or counts from the end when
   * negative; with a limit, the keys are the first 1/limit of what is left
   * (XREAD's keys before their ids).
   */
  | { type: 'range'; lastkey: number; keystep: number; limit: number }
  /** keynumidx (relative to the first argument searched) holds the count of keys; they start at firstkey. */
  | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
  | { type: 'unknown' };

/** A Redis 7 key specification, as the table compiles it from its declaration. */
export interface KeySpec {
  notes: string | null;
  flags: readonly KeyFlag[];
  begin: BeginSearch;
  find: FindKeys;
}

/** A key found in a command line: its argv index and its flags. */
export interface KeyRef {
  pos: number;
  flags: readonly KeyFlag[];
}

/** How COMMAND DOCS types an argument. */
export type ArgType = 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

/** One argument as COMMAND DOCS describes it, compiled from the declaration's syntax string. */
export interface CommandArg {
  name: string;
  type: ArgType;
  /** How the argument is shown where it differs from its name; oneof and block have none. */
  display: string | null;
  /** Which key spec finds this key argument; -1 for other types. */
  keySpecIndex: number;
  token: string | null;
  since: string | null;
  deprecatedSince: string | null;
  optional: boolean;
  multiple: boolean;
  /** Each repetition of a multiple argument repeats its token (BITFIELD_RO's GET … GET …). */
  multipleToken: boolean;
  /** The arguments of a oneof or block. */
  args: readonly CommandArg[];
}

export type DocFlag = 'deprecated' | 'syscmd';

/**
 * A handler executes one command: it reads `argv` (byte strings, argv[0]
 * being the name as sent), works on the store through `c.db`, and writes
 * exactly one reply to `c.reply`. It may throw CommandError before changing
 * anything. Families take the execution context (Ctx); the server's own
 * commands take its richer client state (C).
 */
export type Handler<C = Ctx> = (c: C, argv: string[]) => void;

/** The declaration of a command: the only place a command is listed. */
export interface CommandSpec<C = Ctx> {
  /** Lowercase; for a subcommand, just its own name ("get" under "config"). */
  name: string;
  /** Redis arity: exact argc when positive, minimum argc when negative (name included). */
  arity: number;
  /** Flags as COMMAND INFO shows them; movablekeys is derived from the key specs, as Redis does. */
  flags: readonly Exclude<CommandFlag, 'movablekeys'>[];
  /**
   * Redis 7 key specs, one string each, `FLAGS: BEGIN, FIND` (see
   * server/command-syntax.ts), e.g. 'RW access delete: index 1, range 0'; an
   * object adds Redis's notes. The first/last/step COMMAND INFO reports and
   * movablekeys are derived from these.
   */
  keySpecs?: readonly (string | { spec: string; notes: string })[];
  /**
   * Redis's getkeys_proc: finds the keys where the key specs cannot, for a
   * command whose flags vary with its arguments (variable_flags) or a line a
   * spec does not fit (a bad numkeys). Same results as Redis's, oddities
   * included, since COMMAND GETKEYS shows them.
   */
  getKeys?: (argv: string[]) => KeyRef[];
  /**
   * A key the command writes in another database than the client's (MOVE's
   * target, COPY … DB's destination): the argv indices of the key and of the
   * database, or null when this line has none.
   */
  otherDbKey?: (argv: string[]) => { key: number; db: number } | null;
  traits?: readonly CommandTrait[];
  /** ACL categories beyond the ones the flags imply (write, read, fast/slow, admin…), without '@'. */
  acl: readonly string[];
  group: CommandGroup;
  since: string;
  summary: string;
  complexity?: string;
  /** COMMAND DOCS's arguments, in the syntax of server/command-syntax.ts, e.g. 'key:key [count:integer @6.2.0]'. */
  args?: string;
  docFlags?: readonly DocFlag[];
  deprecatedSince?: string;
  replacedBy?: string;
  /** COMMAND DOCS's history: version and change. */
  history?: readonly (readonly [string, string])[];
  /** COMMAND's command tips, e.g. 'nondeterministic_output'. */
  tips?: readonly string[];
  handler?: Handler<C>;
  /**
   * An argument the handler can take as bytes (Ctx.unreadArg) rather than
   * a string: the message of PUBLISH, which is only copied into the
   * subscribers' output, so making a string of it and encoding it back
   * would be wasted. Only for a command that neither writes nor blocks:
   * propagation, and a blocked command run again, keep its arguments.
   */
  bytesArg?: number;
  subcommands?: readonly CommandSpec<C>[];
}

/** A command as the dispatcher uses it: the declaration plus what is derived from it and its statistics. */
export interface Command<C = Ctx> {
  spec: CommandSpec<C>;
  /** "get", or "config|get" for a subcommand. */
  fullName: string;
  parent: Command<C> | null;
  handler: Handler<C> | null;
  /** CommandSpec.bytesArg, or -1. */
  bytesArg: number;
  subcommands: Map<string, Command<C>> | null;
  arity: number;
  flagSet: ReadonlySet<CommandFlag>;
  isWrite: boolean;
  isReadonly: boolean;
  denyOom: boolean;
  /** Allowed while the dataset is loading. */
  allowLoading: boolean;
  noAuth: boolean;
  noMulti: boolean;
  noScript: boolean;
  skipMonitor: boolean;
  skipSlowlog: boolean;
  isBlocking: boolean;
  /** DEBUG and MODULE LOAD/LOADEX/UNLOAD: refused unless enable-debug-command or enable-module-command allows the client. */
  isProtected: boolean;
  /** Runs at once inside MULTI (the not-queued and ends-transaction traits). */
  notQueued: boolean;
  endsTransaction: boolean;
  allowedWhenSubscribed: boolean;
  runsScript: boolean;
  noTouch: boolean;
  /** The keeps-no-argv trait. */
  keepsNoArgv: boolean;
  /** The touches-arbitrary-keys trait. */
  touchesArbitraryKeys: boolean;
  keySpecs: readonly KeySpec[];
  /** COMMAND INFO's first key, last key and step: Redis's legacy range, derived from the key specs. */
  keyRange: readonly [number, number, number];
  /** Keys that fixed positions cannot describe (a spec that is not a plain range, or incomplete). */
  movableKeys: boolean;
  /** Redis's doesCommandHaveKeys: a spec that names real keys (not not_key), or a getKeys of its own. */
  hasKeys: boolean;
  /** Keys are found through the specs first: some spec names real keys and none has variable flags. */
  keysBySpecs: boolean;
  /** COMMAND DOCS's argument tree, parsed from CommandSpec.args when first read (a malformed one throws then). */
  readonly args: readonly CommandArg[];
  aclCategories: readonly string[];
  stats: CommandStats;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** LATENCY HISTOGRAM's distribution, made at the first call recorded under latency-tracking. */
  histogram: { record(usec: number): void } | null;
}

/**
 * The keys of a command line with their flags, as Redis's
 * getKeysFromCommandWithSpecs finds them: through the key specs when they
 * are reliable, else (or when the line does not fit them) through the
 * command's getKeys. Empty when none are found.
 */
export function extractKeys(cmd: Command<never>, argv: string[]): KeyRef[] {
  if (cmd.keysBySpecs) {
    const keys = keysFromSpecs(cmd, argv);
    if (keys !== null) return keys;
  }
  return cmd.spec.getKeys?.(argv) ?? [];
}

/** Redis's getKeysUsingKeySpecs (not_key specs skipped): null when a spec does not fit the line or is incomplete. */
function keysFromSpecs(cmd: Command<never>, argv: string[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const spec of cmd.keySpecs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const begin = spec.begin;
    if (begin.type === 'index') {
      first = begin.index;
    } else if (begin.type === 'keyword') {
      // As Redis: forwards the last argument is never looked at, backwards argv[1] is not.
      const start = begin.startfrom > 0 ? begin.startfrom : argc + begin.startfrom;
      const end = begin.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === begin.keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      return null;
    }
    let last: number;
    let step: number;
    const find = spec.find;
    if (find.type === 'range') {
      step = find.keystep;
      if (find.lastkey >= 0) last = first + find.lastkey;
      else if (find.limit === 0) last = argc + find.lastkey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastkey);
    } else if (find.type === 'keynum') {
      step = find.keystep;
      const at = first + find.keynumidx;
      if (at >= argc) return null;
      const n = toInt64(argv[at]);
      if (n === null || n < 0n) return null;
      first += find.firstkey;
      // Redis narrows the count to an int here.
      last = first + Number(BigInt.asIntN(32, n)) - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: spec.flags });
    if (spec.flags.includes('incomplete')) return null;
  }
  return out;
}
