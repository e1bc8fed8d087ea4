import type { Command } from '../core/command.js';
import type { ConfigReader, Ctx } from '../core/context.js';
import type { LatencySink } from '../core/latency.js';
import type { Log } from '../core/log.js';
import type { PropagationStream } from '../core/propagation.js';
import type { Scripting } from '../scripting/scripting.js';
import type { Keyspace } from '../keyspace/keyspace.js';

/** What persistence asks of the server that hosts it. */
export interface PersistenceHost<C extends Ctx> {
  readonly keyspace: Keyspace;
  readonly config: ConfigReader;
  readonly log: Log;
  /** The effects of writes, which the AOF appends. */
  readonly propagation: PropagationStream;
  /** While true the server answers -LOADING; persistence sets it around loading. */
  loading: boolean;
  /** The command a request names, as the dispatcher finds it. */
  lookup(argv: string[]): Command<C> | undefined;
  /** Reads the clocks before work that no request started (a loading slice). */
  startTurn(): void;
  /**
   * Runs a slice of background work (a save's or a rewrite's walk) on a
   * later event-loop turn, after writing the replies of the turn it comes
   * after (see Server.nextSlice).
   */
  nextSlice(slice: () => void): void;
  /** Scripting, whose function libraries an AOF rewrite writes first. */
  readonly scripting: Pick<Scripting, 'functions'>;
  /** A client without a connection whose replies go nowhere: the AOF replays through it. */
  detachedClient(): C;
  /** When the data was last saved or loaded, in Unix seconds (LASTSAVE). */
  lastSave: number;
  /** The latency monitor, for the AOF's and saves' blocking steps. */
  readonly latency: LatencySink;
  /** The replication history an RDB file records (repl-id, repl-offset, repl-stream-db), or null for none. */
  replicationInfo?(): { streamDb: number; id: string; offset: number } | null;
  /** The RDB loaded at start had these AUX fields: a replication history to continue, perhaps. */
  replicationRestored?(aux: ReadonlyMap<string, string>, expired: readonly (readonly [number, string])[]): void;
  /**
   * A command of the AOF failed as it was replayed (its error as the
   * reply's last): the host logs and counts it; true when the server
   * panics for it (propagation-error-behavior), which ends the load.
   */
  aofCommandFailed(error: string, command: string): boolean;
  /** The Redis version the server answers as: an RDB file's redis-ver. */
  readonly redisVersion: string;
}
