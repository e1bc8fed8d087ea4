import type { Ctx } from './context.js';

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
  | 'allowed-when-subscribed';

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
  flags: readonly CommandFlag[];
  /** Key positions: first, last (negative counts from the end), step; [0,0,0] when none. */
  keys: readonly [number, number, number];
  /** For commands whose keys move (movablekeys): the argv indices of the keys. */
  getKeys?: (argv: string[]) => number[];
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
  /** COMMAND's command tips, e.g. 'nondeterministic_output'. */
  tips?: readonly string[];
  handler?: Handler<C>;
  subcommands?: readonly CommandSpec<C>[];
}

/** A command as the dispatcher uses it: the declaration plus what is derived from it and its statistics. */
export interface Command<C = Ctx> {
  spec: CommandSpec<C>;
  /** "get", or "config|get" for a subcommand. */
  fullName: string;
  parent: Command<C> | null;
  handler: Handler<C> | null;
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
  /** DEBUG: refused unless enable-debug-command allows the client. */
  isProtected: boolean;
  /** Runs at once inside MULTI (the not-queued and ends-transaction traits). */
  notQueued: boolean;
  endsTransaction: boolean;
  allowedWhenSubscribed: boolean;
  aclCategories: readonly string[];
  stats: CommandStats;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** The argv indices of a command's keys, from its declaration. */
export function keyIndices(spec: CommandSpec<never>, argv: string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  const [first, lastDecl, step] = spec.keys;
  if (first === 0) return [];
  const last = lastDecl < 0 ? argv.length + lastDecl : lastDecl;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}
