import type { Command } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import type { Log } from '../core/log.js';

/**
 * What scripting needs of the server: its commands, a client of its own to
 * run them as (Redis's Lua client: no connection, blocking denied), and a
 * few facts about the server's state. The server implements it.
 */
export interface ScriptHost {
  /** The command or subcommand a command line names, as the dispatcher finds it. */
  lookup(argv: string[]): Command<never> | undefined;
  /**
   * Runs a command that passed the script's checks as the script's client,
   * its reply into the script's sink (Scripting.sink, which the host's client was made with), with the
   * statistics, MONITOR feed and effects of any command; `targets`
   * (redis.set_repl's flags: REPL_AOF, REPL_REPLICA, both or none) says where
   * its effects propagate.
   */
  call(cmd: Command<never>, argv: string[], targets: number): void;
  /**
   * The ACL check of a command a script calls, as the script's caller's
   * user: null when allowed, else the refusal (logged as a script's denial).
   */
  aclDenial(caller: Ctx, cmd: Command<never>, argv: string[]): string | null;
  /** redis.acl_check_cmd: whether the caller's user may run this line (nothing logged). */
  aclAllows(caller: Ctx, cmd: Command<never>, argv: string[]): boolean;
  /** The server is a cluster node: a script declaring no-cluster is refused. */
  clusterMode(): boolean;
  /**
   * On a cluster node, why a command a script calls may not run here
   * (Redis's scriptVerifyClusterState): a key this node does not serve, the
   * cluster down, or, unless `allowCrossSlot`, a key of another slot than
   * the script's earlier ones. Null when it may, and always standalone.
   */
  clusterDenial(caller: Ctx, cmd: Command<never>, argv: string[], allowCrossSlot: boolean): string | null;
  /** A command a script called was refused before it ran: its rejected calls and the error statistics count it. */
  rejected(cmd: Command<never> | undefined, error: string): void;
  /** A script starts: its client takes the caller's database and the caller's user. */
  enter(caller: Ctx): void;
  /** performance.now() as the running command read it when it started. */
  now(): number;
  /** Used memory is over maxmemory (Redis checks it once, as the script's command starts). */
  overMemory(): boolean;
  /** A write would be refused for a persistence error (MISCONF): the error, or null. */
  writeRefusal(): string | null;
  /** min-replicas-to-write refuses writes (NOREPLICAS). */
  replicasShort(): boolean;
  /** A replica whose link is down, with replica-serve-stale-data no: only commands flagged stale may run. */
  runningStale(): boolean;
  /** A read-only replica refuses `caller`'s writes (any caller but its master's stream and the AOF loader). */
  readOnlyReplicaFor(caller: Ctx): boolean;
  /**
   * Serves other clients while a script is past busy-reply-threshold: they
   * are told BUSY, and may kill it. `caller` is the script's client, whose
   * input waits. Called every few milliseconds until the script ends, then
   * `busyEnded` once.
   */
  whileBusy(caller: Ctx): void;
  busyEnded(): void;
  /** Drops the effects the running command recorded so far (see RunContext.aborted). */
  discardEffects(): void;
  /** MONITOR sees EVAL and FCALL before the commands their scripts call. */
  feedMonitors(caller: Ctx, argv: string[]): void;
  readonly log: Log;
}
