import type { ByteSpan } from '../protocol/byte-span.js';
import type { Reply } from '../protocol/reply.js';
import type { BigArg } from '../protocol/request-parser.js';
import type { Database } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { TypeName } from '../keyspace/value.js';

/** Configuration parameters by name, as CONFIG GET shows them. */
export interface ConfigReader {
  num(name: string): number;
  str(name: string): string;
  bool(name: string): boolean;
  /** What `make` computes from parameters, kept until one changes (the answer is shared: never change it). */
  derived<T>(key: object, make: (config: ConfigReader) => T): T;
}

/**
 * What a command handler receives: everything it may touch while it runs,
 * and nothing of how the request arrived. A connection's client, the AOF
 * loader, a script's `redis.call` and a test all run commands through it;
 * the reply sink decides where the reply goes (a RESP buffer, a captured
 * value, nowhere).
 */
export interface Ctx {
  /** Where the handler writes its one reply. */
  readonly reply: Reply;
  /** The selected database. */
  db: Database;
  readonly keyspace: Keyspace;
  readonly config: ConfigReader;
  /**
   * What the running command propagates: undefined for its own argv, an
   * argv to propagate instead (EXPIRE → PEXPIREAT), or null for nothing.
   */
  propagateArgv: string[] | null | undefined;
  /**
   * Records one more effect of the running command now, in its database
   * (Redis's alsoPropagate): for a write whose effect takes several
   * commands, such as SPOP with a count, propagated as SREMs of at most
   * 1024 members. It goes with the command's own effect unless the command
   * sets propagateArgv to null. Nothing is recorded while loading.
   */
  alsoPropagate(argv: string[]): void;
  /** Whether anyone consumes propagated effects: rewritten argvs are built only then. */
  readonly propagating: boolean;
  /** Whether effects reach replicas now (a master keeping a backlog): an effect for them alone is built only then. */
  readonly replicating: boolean;
  /**
   * Records an effect for replicas alone, whether or not the command wrote
   * (Redis's forceCommandPropagation with PROPAGATE_REPL): PUBLISH outside
   * a cluster, so that a replica's subscribers get the message too.
   */
  propagateToReplicas(argv: string[]): void;
  /** True while the dataset is loading (the AOF replays through handlers). */
  readonly loading: boolean;
  /** Inside EXEC or a script, blocking commands answer at once (Redis's CLIENT_DENY_BLOCKING). */
  readonly denyBlocking: boolean;
  /** The command was called by a script (Redis's CLIENT_SCRIPT): SORT then orders what it would leave unordered. */
  readonly fromScript: boolean;
  /**
   * Whether the user the command runs for may read every key with this
   * command line (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess): SORT's
   * BY and GET patterns reach keys that no key spec names, so a user limited
   * to some keys may not use them.
   */
  readsEveryKey(argv: string[]): boolean;
  /**
   * A buffer starting with the bytes of `argv[i]` when the request parser
   * kept them in one of their own (a big bulk) and `argv` is the request it
   * framed last, or null. The caller may keep the buffer and change any of
   * its bytes: when the command propagates, argv[i]'s string is made before
   * the buffer is lent, so that what keeps argv still reads what was sent
   * (see RequestParser.argBytes).
   */
  argBytes(argv: readonly string[], i: number): BigArg | null;
  /**
   * The bytes of `argv[i]` when the request parser left that argument
   * unread for a command that takes it as bytes (CommandSpec.bytesArg),
   * valid only while the command runs; null when `argv[i]` is the argument
   * (see RequestParser.unreadArg).
   */
  unreadArg(argv: readonly string[], i: number): ByteSpan | null;
  /**
   * Parks the running command until one of `keys` (in `db`) holds a value
   * of type `serves`, `deadline` (ms since the epoch, 0: never) passes, or
   * CLIENT UNBLOCK. With no keys and `serves` null, only the deadline or
   * CLIENT UNBLOCK end it (WAIT). The handler writes no reply now: the
   * command runs again when a key is ready, or `onTimeout` writes the reply.
   */
  block(
    keys: readonly string[], serves: TypeName | null, deadline: number, onTimeout: (c: Ctx) => void, unblockOnNoKey?: boolean,
  ): void;
  /**
   * Lets the running write finish once `work` settles, without holding the
   * thread, where Redis would block its whole server on a socket
   * (MIGRATE): the handler returns with no reply; until `work` settles
   * every other write waits as under CLIENT PAUSE WRITE (reads go on, keys
   * neither expire nor are evicted) and this client's later requests wait;
   * then the command runs again, as a blocked command served does, and
   * replies. `work` must not reject. False, with nothing started, where the
   * command must finish now: in EXEC or a script, without a connection, on
   * a replica (its master's stream is not held).
   */
  finishLater(argv: string[], work: () => Promise<void>): boolean;
}
