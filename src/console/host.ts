import type { Log } from '../core/log.js';
import type { Captured } from '../core/capture-reply.js';

/** A client of the server's command path that a console session's commands run as; the console only hands it back. */
export interface ConsoleClient {
  readonly id: number;
}

/** Numbers the console's chart samples, read from counters the server keeps anyway. */
export interface ServerSample {
  commands: number;
  netInput: number;
  netOutput: number;
  usedMemory: number;
}

/** Messages delivered through each name that has subscribers (counted while a console is open). */
export interface MessageTotals {
  channels: ReadonlyMap<string, number>;
  patterns: ReadonlyMap<string, number>;
  shardChannels: ReadonlyMap<string, number>;
}

/**
 * What the console needs of the server. Everything it shows of the data
 * comes from commands run as the logged-in user through `call`, so the
 * ACL decides what a user sees and changes exactly as over RESP; the rest
 * are counters and facts RESP has no command for.
 */
export interface ConsoleHost {
  /** A client logged in as a new connection from `peer` would be: the default user when it needs no password, else no one. */
  newClient(peer: string): ConsoleClient;
  /** Runs one command as the client, through the dispatcher's checks (ACL, memory, loading, pause), and returns its reply. */
  call(c: ConsoleClient, argv: string[]): Captured;
  /** The name of the user the client acts as, or null when it has not logged in or its user is gone (ACL DELUSER, ACL LOAD). */
  user(c: ConsoleClient): string | null;
  /** Whether the client's user logs in without a password (nopass): no secret stands behind such a session. */
  passwordless(c: ConsoleClient): boolean;
  /** Lets go of what the client holds (WATCHed keys, a MULTI) when its session ends. */
  release(c: ConsoleClient): void;
  /** Whether a new connection has to log in (the default user has a password, or is off). */
  authRequired(): boolean;
  /** Whether protected mode refuses a peer at this address, as it refuses a RESP connection. */
  refuses(remoteAddress: string | undefined): boolean;
  sample(): ServerSample;
  /**
   * How many clients, channels, patterns and shard channels there are: the console
   * runs CLIENT LIST and PUBSUB CHANNELS, whose replies grow with these,
   * only while they are small enough for one ordinary command.
   */
  sizes(): { clients: number; channels: number; patterns: number; shardChannels: number };
  /** Clients blocked on the key, in the client's selected database. */
  blockedOn(c: ConsoleClient, key: string): number;
  /** Patterns with subscribers and how many each has: RESP has only PUBSUB NUMPAT's total. */
  patterns(): Iterable<[pattern: string, subscribers: number]>;
  /** Starts (or stops, with false) counting messages per name; what has been counted. */
  countMessages(on: boolean): MessageTotals | null;
  readonly log: Log;
}
