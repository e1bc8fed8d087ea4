import { performance } from 'node:perf_hooks';
import { cString } from '../core/c-string.js';
import { CommandError, OOM, wrongArity } from '../core/errors.js';
import { errorText } from '../core/log.js';
import { argvCharge, MAX_MULTIBULK } from '../protocol/limits.js';
import type { Client } from './client.js';
import type { Command } from './command-types.js';
import { discardTransaction, unwatchAll } from './commands/transactions.js';
import { protectedCommandDenial } from './protected-actions.js';
import type { Server } from './server.js';
import { busyError } from '../scripting/scripting.js';
import { touchesKeys } from './memory/no-touch.js';
import { LatencyHistogram } from './latency/latency-histogram.js';
import { clusterRedirected } from './cluster/redirect-command.js';
import { readKeysAhead } from './read-ahead.js';

/** Redis quotes at most this much of the offending arguments in an unknown-command error. */
const UNKNOWN_ARGS_QUOTE = 128;
const NAME_CACHE_LIMIT = 4096;

/**
 * Turns a framed request into a command execution: lookup, arity, the
 * connection-state checks Redis makes (auth, transaction, memory, loading),
 * in the order of Redis's processCommand, then the call itself with its
 * statistics, slow log, MONITOR feed and propagation.
 */
export class Dispatcher {
  /** Command names as clients spell them ("SET", "set") to the command. */
  private readonly byRawName = new Map<string, Command>();
  /**
   * The last name looked up and its command. A client repeating a command
   * sends the same name, and the parser then hands over the same string
   * (RepeatedArgs, as the master link's does), so one comparison stands
   * for the lookup.
   */
  private lastName = '';
  private lastCommand: Command | undefined = undefined;
  /** The same for the last subcommand: its container, its name as sent, and what it named (undefined for an unknown one). */
  private lastContainer: Command | undefined = undefined;
  private lastSubName = '';
  private lastSub: Command | undefined = undefined;

  /**
   * performance.now() when the last command ended, or when the current
   * turn began (Server.startTurn). A command's duration runs from this stamp,
   * so each command costs one clock reading; the few instructions that frame
   * a request are counted in it.
   */
  stamp = performance.now();

  /**
   * The argv of the command that call() ran last, when nothing kept that
   * array: the command has the keeps-no-argv trait, it did not block, no
   * effect was recorded while it ran (an effect may hold the array until
   * the AOF or a replica has it; the slow log and MONITOR copy what they
   * show). A client's parser may then fill the same array with its next
   * request. A client clears it before each request, so that a request
   * refused or queued before call() cannot find the previous one's verdict.
   */
  freeArgv: string[] | null = null;

  constructor(private readonly server: Server) {}

  /** Runs one framed request. The caller has set the keyspace clock for the chunk it came in. */
  run(c: Client, argv: string[]): void {
    const broker = this.server.broker;
    const outer = broker.executing;
    broker.executing = c;
    // A client without a connection (the console's) replies into a sink that has no bytes to rewind.
    const replyStart = c.conn === null ? 0 : c.conn.out.mark();
    const errorsBefore = c.reply.errors;
    this.process(c, argv);
    // ASKING covers one command, or the transaction it is sent before; a command that blocks keeps it until its wait ends.
    if (c.asking !== 0 && c.multi === null && c.blocked === null) c.asking--;
    // A replica's connection carries the stream only: a command of its that replies is a rogue one, as Redis judges it.
    if (c.replica !== null && c.conn !== null && c.conn.out.mark() !== replyStart && c.isReplica) {
      this.server.replication.replicaReplied(c, this.lookup(argv)?.fullName ?? '<unknown>', c.reply.errors !== errorsBefore, replyStart);
    }
    if (c.conn !== null && (c.replyOff || c.replySkip || c.replySkipNext)) this.applyReplyMode(c, replyStart);
    broker.executing = outer;
    if (this.server.keyspace.tracker !== null) this.server.tracking.afterCommand(c, argv);
    if (broker.deferred !== null) broker.releaseDeferred(c);
    // Keys the command (or transaction) made ready serve their blocked clients now, before anyone's next command.
    this.serveReadyKeys();
  }

  /** Runs a blocked command again once a key it waits on is ready (Redis 7.2 re-executes it whole). */
  rerun(c: Client, cmd: Command, argv: string[]): void {
    const broker = this.server.broker;
    const outer = broker.executing;
    broker.executing = c;
    // Redis 7.2 runs it through processCommand again: rules changed while it waited apply.
    const denied = c.user.unrestricted ? null : this.server.acl.deny(c, cmd, argv, 'toplevel');
    const cluster = this.server.clusterRouting;
    if (denied !== null) this.reject(c, cmd, argv, `NOPERM ${denied}`);
    else if (cluster === null || !clusterRedirected(this.server, cluster, c, cmd, argv)) this.call(c, cmd, argv, true);
    if (c.asking !== 0 && c.blocked === null) c.asking = 0;
    broker.executing = outer;
    if (this.server.keyspace.tracker !== null) this.server.tracking.afterCommand(c, argv);
    if (broker.deferred !== null) broker.releaseDeferred(c);
  }

  /**
   * Ends a command that waited to finish (Ctx.finishLater): it runs again,
   * timed from its first start, as Redis times a command that blocked its
   * server; `silent` drops its reply (CLIENT REPLY OFF or SKIP when it began).
   */
  finish(c: Client, cmd: Command, argv: string[], startedAt: number, silent: boolean): void {
    const broker = this.server.broker;
    const outer = broker.executing;
    broker.executing = c;
    const mark = c.conn === null ? 0 : c.conn.out.mark();
    this.stamp = startedAt;
    this.call(c, cmd, argv, true);
    if (silent && c.conn !== null) c.conn.out.rewind(mark);
    broker.executing = outer;
    if (broker.deferred !== null) broker.releaseDeferred(c);
    this.serveReadyKeys();
  }

  /**
   * Counts a blocked command whose wait ended without it running again (a
   * timeout, CLIENT UNBLOCK): Redis 7.2 counts a blocked command once, when
   * it is done.
   */
  completed(c: Client, cmd: Command, argv: string[], usec: number, failed: boolean): void {
    // The ASKING a blocked command kept is spent with it.
    c.asking = 0;
    const stats = cmd.stats;
    stats.calls++;
    stats.usec += usec;
    if (this.server.latencyTracking) (stats.histogram ??= new LatencyHistogram()).record(usec);
    if (failed) stats.failedCalls++;
    this.server.stats.commandsProcessed++;
    if (!cmd.skipSlowlog) this.server.slowlog.consider(c, argv, usec);
  }

  /**
   * CLIENT REPLY: the state is read after the command, so CLIENT REPLY ON
   * gets its OK while OFF and SKIP themselves stay silent.
   */
  private applyReplyMode(c: Client, replyStart: number): void {
    if (c.replyOff || c.replySkip) c.out.rewind(replyStart);
    if (c.replySkip) c.replySkip = false;
    if (c.replySkipNext) {
      c.replySkip = true;
      c.replySkipNext = false;
    }
  }

  /** The command a client calls `name`, spelled as it sent it; a container, not its subcommand. */
  named(name: string): Command | undefined {
    let cmd = name === this.lastName ? this.lastCommand : this.byRawName.get(name);
    if (cmd === undefined) {
      cmd = this.server.commands.get(name.toLowerCase());
      if (cmd === undefined) return undefined;
      if (this.byRawName.size < NAME_CACHE_LIMIT) this.byRawName.set(name, cmd);
    }
    this.lastName = name;
    this.lastCommand = cmd;
    return cmd;
  }

  lookup(argv: string[]): Command | undefined {
    const cmd = this.named(argv[0]);
    if (cmd === undefined) return undefined;
    if (cmd.subcommands === null || argv.length < 2) return cmd;
    const name = argv[1];
    if (cmd === this.lastContainer && name === this.lastSubName) return this.lastSub;
    // Lowered, the name is a new string whose hash the lookup computes again: a cost per call that the comparison above spares a client repeating it.
    const sub = cmd.subcommands.get(name.toLowerCase());
    this.lastContainer = cmd;
    this.lastSubName = name;
    this.lastSub = sub;
    return sub;
  }

  private process(c: Client, argv: string[]): void {
    const server = this.server;
    const cmd = this.lookup(argv);
    if (cmd === undefined) {
      const top = server.commands.get(argv[0].toLowerCase());
      if (top !== undefined) {
        this.reject(c, null, argv, `ERR unknown subcommand '${cString(argv[1]).slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
      } else {
        this.reject(c, null, argv, unknownCommandError(argv));
      }
      return;
    }
    const arity = cmd.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      this.reject(c, cmd, argv, wrongArity(cmd.fullName));
      return;
    }
    if (cmd.isProtected) {
      const denial = protectedCommandDenial((cmd.parent ?? cmd).spec.name, server.config, c);
      if (denial !== null) {
        this.reject(c, cmd, argv, denial);
        return;
      }
    }
    if (!c.authenticated && !cmd.noAuth && server.acl.authRequired(c)) {
      this.reject(c, cmd, argv, 'NOAUTH Authentication required.');
      return;
    }
    if (c.multi !== null && cmd.noMulti) {
      this.reject(c, cmd, argv, 'ERR Command not allowed inside a transaction');
      return;
    }
    if (!c.user.unrestricted) {
      const denied = server.acl.deny(c, cmd, argv, c.multi !== null ? 'multi' : 'toplevel');
      if (denied !== null) {
        this.reject(c, cmd, argv, `NOPERM ${denied}`);
        return;
      }
    }
    const cluster = server.clusterRouting;
    if (cluster !== null && clusterRedirected(server, cluster, c, cmd, argv)) return;
    if (server.memoryLimit !== null) {
      const over = server.memoryLimit.overLimit();
      // Keys evicted just now: their invalidations go before this command's reply, as Redis sends them after performEvictions.
      if (server.keyspace.tracker !== null) server.tracking.deliverPending();
      if (over && this.deniedOverMemory(c, cmd)) {
        this.reject(c, cmd, argv, OOM);
        return;
      }
    }
    // Redis's trackingLimitUsedSlots before every command, a queued one too: the keys dropped past tracking-table-max-keys are told ahead of this command's reply.
    if (server.tracking.clients !== 0) server.tracking.limitBeforeCommand();
    const gate = server.gate(c, cmd, argv);
    if (gate !== null) {
      this.reject(c, cmd, argv, gate);
      return;
    }
    const script = server.scripting.current;
    if (script !== null && script.timedOut && !cmd.flagSet.has('allow_busy')) {
      this.reject(c, cmd, argv, busyError(script));
      return;
    }
    // As in Redis, a paused write waits even when it would only be queued by MULTI.
    if (server.pausing && server.pauseHolds(c, cmd, argv)) {
      server.paused.set(c, argv);
      return;
    }
    if (c.multi !== null && !cmd.notQueued) {
      // Queued commands are held like unread input: a client cannot grow its queue past the query buffer limit (or V8's array limit).
      c.multiCharge += argvCharge(argv);
      if (c.multiCharge > server.parserLimits.queryBufferLimit || c.multi.length >= MAX_MULTIBULK) {
        c.queryBufferOverflow();
        return;
      }
      c.multi.push({ cmd, argv });
      c.reply.simple('QUEUED');
      return;
    }
    this.call(c, cmd, argv);
  }

  /**
   * Over the memory limit, Redis refuses what may grow the dataset (denyoom,
   * or an EXEC with such a command queued) and, inside MULTI, anything that
   * would grow the queue: all but the commands that end the transaction.
   */
  private deniedOverMemory(c: Client, cmd: Command): boolean {
    if (cmd.denyOom) return true;
    if (c.multi === null) return false;
    if (!cmd.endsTransaction) return true;
    return cmd.fullName === 'exec' && c.multi.some((q) => q.cmd.denyOom);
  }

  /**
   * Serves the clients blocked on keys made ready, unless a script is
   * still running: a command served while a busy script holds the server
   * (Redis's isInsideYieldingLongCommand) must not hand its waiters what
   * the script has written so far. They are served once it returns.
   */
  private serveReadyKeys(): void {
    if (this.server.blocking.hasReady && this.server.scripting.current === null) this.server.blocking.serveReadyKeys();
  }

  /** Runs a command of a master's replication stream: no checks, and what it makes ready is served now. */
  callAsMaster(c: Client, cmd: Command, argv: string[]): void {
    const broker = this.server.broker;
    const outer = broker.executing;
    broker.executing = c;
    this.call(c, cmd, argv);
    broker.executing = outer;
    if (broker.deferred !== null) broker.releaseDeferred(c);
    this.serveReadyKeys();
  }

  /** Runs a command that CLIENT PAUSE held back, now that the pause is over. */
  resumeHeld(c: Client, argv: string[]): void {
    this.server.startTurn();
    this.run(c, argv);
  }

  /**
   * A bug in a handler must not take the server down with it: the log gets
   * the stack, and the client an error in place of whatever part of a reply
   * the handler had written, so that it never reads half a reply.
   */
  private internalError(c: Client, cmd: Command, e: unknown, mark: number): void {
    this.server.log.warning({ err: e, command: cmd.fullName }, `Internal error while executing '${cmd.fullName}': ${errorText(e)}`);
    c.conn?.out.rewind(mark);
    c.reply.error(`ERR internal error while executing '${cmd.fullName}'`);
  }

  /**
   * A command refused before it ran; inside MULTI this dooms the
   * transaction, and a refused EXEC ends it at once, as Redis's
   * execCommandAbort does (MONITOR sees the EXEC, closing the MULTI it saw).
   */
  private reject(c: Client, cmd: Command | null, argv: string[], message: string): void {
    if (cmd !== null) cmd.stats.rejectedCalls++;
    if (cmd !== null && cmd.fullName === 'exec') {
      discardTransaction(c);
      unwatchAll(c);
      // Redis's own rejection texts carry no ERR here, only the codes of its shared errors (OOM, NOAUTH…).
      c.reply.error(`EXECABORT Transaction discarded because of: ${message.startsWith('ERR ') ? message.slice(4) : message}`);
      if (this.server.monitors.size !== 0) this.server.feedMonitors(c, argv);
    } else {
      if (c.multi !== null) c.multiFailed = true;
      c.reply.error(message);
    }
    this.server.stats.countError(c.reply.lastError);
  }

  /**
   * Executes a command that passed every check: the handler, then the
   * bookkeeping. EXEC calls this for each queued command. A command that
   * blocks is counted when its wait ends (see BlockingRegistry); one run
   * again after blocking is not shown to MONITOR a second time.
   */
  call(c: Client, cmd: Command, argv: string[], rerun = false): void {
    const server = this.server;
    const ks = server.keyspace;
    const dirtyBefore = ks.dirty;
    // Errors a command called from this one (EXEC's queued commands) replied are theirs: they move the mark (Redis's prev_err_count).
    c.errorsAccounted = c.reply.errors;
    if (ks.access !== null) ks.touching = touchesKeys(c, cmd);
    c.propagateArgv = undefined;
    const propagation = server.propagation;
    const recordedBefore = propagation.recorded;
    const offsetBefore = server.persistence.offset;
    const replBefore = server.replication.stream.offset;
    propagation.begin(cmd.touchesArbitraryKeys);
    // An AOF rewrite in progress copies the keys a write names before it changes them.
    if (cmd.isWrite && server.persistence.rewrite !== null) server.persistence.rewrite.beforeWrite(c.db.index, cmd, argv);
    const mark = c.conn === null ? 0 : c.conn.out.mark();
    // As Redis, the running command is the client's last from the start (what CLIENT LIST and the ACL log show); EXEC's stays EXEC.
    if (c.execing === null) c.lastCommand = cmd.fullName;
    const start = this.stamp;
    // A write on a writable replica deletes the expired keys it meets, as Redis's lookupKeyWrite does there; the master's own stream never does.
    const localWrite = ks.replicaExpiry && cmd.isWrite && !c.fromMaster;
    if (localWrite) ks.replicaExpiry = false;
    if (cmd.keyRange[1] !== cmd.keyRange[0]) readKeysAhead(c.db.dict, cmd, argv);
    try {
      cmd.handler!(c, argv);
    } catch (e) {
      if (e instanceof CommandError) c.reply.error(e.message);
      else this.internalError(c, cmd, e, mark);
    }
    if (localWrite) ks.replicaExpiry = true;
    const end = performance.now();
    this.stamp = end;
    const usec = Math.round((end - start) * 1000);
    const stats = cmd.stats;
    const blocked = c.blocked;
    // A command that blocked or waits to finish is counted once, when it is done.
    const waiting = blocked !== null || c.finishing;
    if (!waiting) {
      stats.calls++;
      stats.usec += usec;
      server.stats.commandsProcessed++;
      if (server.latencyTracking) (stats.histogram ??= new LatencyHistogram()).record(usec);
    } else if (blocked !== null) {
      blocked.cmd = cmd;
      blocked.argv = argv;
      blocked.usec = usec;
    }
    if (c.reply.errors !== c.errorsAccounted) {
      stats.failedCalls++;
      if (c.reply.lastErrorCounted) c.reply.lastErrorCounted = false;
      else server.stats.countError(c.reply.lastError);
    }
    c.errorsAccounted = c.reply.errors;
    if (c.execing === null) c.lastCommand = cmd.fullName;
    if (ks.tracker !== null && cmd.isReadonly) server.tracking.afterRead(cmd, argv);
    // No copy: an argv array is never changed once framed, so an effect may keep it.
    if (ks.dirty !== dirtyBefore && c.propagateArgv !== null && c.propagating) {
      propagation.record(c.db.index, c.propagateArgv ?? argv);
    }
    propagation.end();
    if (server.persistence.offset !== offsetBefore) c.woff = server.persistence.offset;
    if (server.replication.stream.offset !== replBefore) c.replWoff = server.replication.stream.offset;
    if (!rerun && server.monitors.size !== 0 && !cmd.skipMonitor && !cmd.flagSet.has('admin')) server.feedMonitors(c, argv);
    if (!waiting && !cmd.skipSlowlog) server.slowlog.consider(c, argv, usec);
    if (server.latency.threshold !== 0) server.latency.addIfNeeded(cmd.flagSet.has('fast') ? 'fast-command' : 'command', Math.floor(usec / 1000));
    const kept = !cmd.keepsNoArgv || rerun || waiting || propagation.recorded !== recordedBefore;
    this.freeArgv = kept ? null : argv;
  }
}

/** Redis formats the names and arguments with %s, so each shows up to its first NUL. */
export function unknownCommandError(argv: string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < UNKNOWN_ARGS_QUOTE; i++) {
    args += `'${cString(argv[i]).slice(0, UNKNOWN_ARGS_QUOTE - args.length)}' `;
  }
  return `ERR unknown command '${cString(argv[0]).slice(0, 128)}', with args beginning with: ${args}`;
}

export { CommandError };
