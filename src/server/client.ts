import type { Socket } from 'node:net';
import type { Ctx } from '../core/context.js';
import type { Subscriber, Subscriptions } from '../broker/registry.js';
import type { ByteSpan } from '../protocol/byte-span.js';
import { firstKeyFirst, readFirstKeysAhead } from './read-ahead.js';
import type { BigArg, RequestSink } from '../protocol/request-parser.js';
import type { Reply, RespWriter } from '../protocol/reply.js';
import type { Database, WatchedKey, Watcher } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { TypeName } from '../keyspace/value.js';
import type { Blockable, BlockedState } from '../queues/blocking-registry.js';
import type { Command } from './command-types.js';
import type { Config } from './config.js';
import { Connection } from './connection.js';
import type { Server } from './server.js';
import type { TrackingState } from './tracking/tracking-state.js';
import type { Replica } from '../replication/replica.js';
import { readsEveryKey } from './acl/permission-check.js';
import type { User } from './acl/user.js';
import { protocolErrorLine, queryBufferLine } from './client-log.js';

export interface QueuedCommand {
  cmd: Command;
  argv: string[];
}

/**
 * The state of one client as commands see it: what CLIENT LIST shows and
 * what the dispatcher consults. A client served over TCP has a connection
 * (socket, parser, output buffer) and replies into that output; a detached
 * client (the AOF loader's, a script's) has none, and replies into the sink
 * it was given.
 */
export class Client implements Ctx, Blockable<Client>, Subscriber, Watcher, RequestSink {
  readonly id: number;
  readonly conn: Connection | null;
  readonly reply: Reply;
  readonly keyspace: Keyspace;
  readonly config: Config;
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  authenticated: boolean;
  /** The ACL user the connection is logged in as (the default user until AUTH). */
  user: User;
  /**
   * Acts for no user, as Redis's clients with no user do: the AOF loader's.
   * The script's client takes its caller's user and this flag at each run.
   */
  actsForNoUser: boolean;
  /** Commands queued by MULTI; null outside a transaction. */
  multi: QueuedCommand[] | null = null;
  /** A command failed to queue: EXEC will answer EXECABORT. */
  multiFailed = false;
  /** What the queued commands cost against client-query-buffer-limit (see argvCharge). */
  multiCharge = 0;
  /** The reply's error count when the command being run last looked (see Dispatcher.execute). */
  errorsAccounted = 0;
  /** Set when a watched key changed (the Watcher contract). */
  casDirty = false;
  watchedKeys: WatchedKey[] = [];
  /** While EXEC runs the queued commands: when it started (Unix µs), the time TIME answers; -1 otherwise. */
  execStartedMicros = -1;
  /**
   * While EXEC runs: the queued commands and EXEC's own arguments. Until
   * EXEC returns, Redis still shows the client in its transaction (flag x,
   * multi, multi-mem) with EXEC as its command.
   */
  execing: { queued: QueuedCommand[]; argv: string[] } | null = null;

  /** The commands of the client's transaction, from MULTI until EXEC returns; null outside one. */
  get transaction(): QueuedCommand[] | null {
    return this.multi ?? this.execing?.queued ?? null;
  }
  /** CLIENT REPLY OFF / SKIP (this command) / SKIP (set by the SKIP command, for the next). */
  replyOff = false;
  replySkip = false;
  replySkipNext = false;
  propagateArgv: string[] | null | undefined = undefined;
  noEvict = false;
  noTouch = false;
  monitor = false;
  /** Set while a blocking command (BLPOP, WAIT…) holds this client; its pipeline waits. See BlockingRegistry. */
  blocked: BlockedState<Client> | null = null;
  /** Set while this client's command waits to finish (Ctx.finishLater: MIGRATE's exchange); its pipeline waits. Not blocked in Redis's sense. */
  finishing = false;
  denyBlocking = false;
  fromScript = false;
  /** The client a master's replication stream runs as. */
  fromMaster = false;
  /** The master's address (the master's client shows it in CLIENT LIST), and what CLIENT KILL on that client does. */
  masterAddr = '';
  onKilled: (() => void) | null = null;
  /**
   * Cluster mode's ASKING, a one-shot flag: ASKING sets 2, the end of
   * each command outside a transaction takes one off, so it covers the
   * next command (or the transaction that command opens, up to its EXEC);
   * a command that blocks keeps it until its wait ends.
   */
  asking = 0;
  /** Cluster mode's READONLY (flag r): this replica serves the client's reads of its master's slots. */
  clusterReadOnly = false;
  /** In cluster mode, the slot the running command's keys hash to, -1 for none (Redis's c->slot): its script's keys keep to it. */
  slot = -1;
  /** The write stream's offset after this client's last command that propagated (Redis's c->woff): what WAITAOF waits for. */
  woff = 0;
  /** QUIT or a protocol error: close once pending replies are written. */
  closeAfterReply = false;
  closed = false;
  /** Queued in the server's end-of-turn flush. */
  flushPending = false;
  /** Channel, pattern and shard-channel subscriptions; null while there are none (see Registry). */
  pubsub: Subscriptions | null = null;
  /** What a replica (or a connection about to become one, after REPLCONF) told and acknowledged; null for other clients. */
  replica: Replica | null = null;
  /** The replication offset after this client's last write that propagated: what WAIT waits for. */
  replWoff = 0;
  /** CLIENT TRACKING's settings; null while tracking is off. */
  tracking: TrackingState | null = null;
  readonly fd: number;

  /**
   * A client served over `socket`, or, with `socket` null, a detached one
   * replying into `sink` and showing `label` where an address would be.
   */
  constructor(
    readonly server: Server,
    id: number,
    socket: Socket | null,
    sink: Reply | null = null,
    private readonly label = '',
  ) {
    this.id = id;
    this.keyspace = server.keyspace;
    this.config = server.config;
    this.db = server.keyspace.db(0);
    this.createdAt = this.lastInteraction = Date.now();
    this.user = server.acl.defaultUser;
    this.authenticated = server.acl.startsAuthenticated();
    if (socket !== null) {
      this.actsForNoUser = false;
      const conn = (this.conn = new Connection(socket, this, server.parserLimits));
      conn.parser.authenticated = this.authenticated;
      this.reply = conn.out;
      this.fd = conn.fd;
    } else {
      this.conn = null;
      this.actsForNoUser = true;
      this.reply = sink!;
      this.fd = -1;
      this.authenticated = true;
    }
  }

  /** The peer's address as Redis shows it; for a detached client, what stands in for it (MONITOR's "lua"). */
  get addr(): string {
    if (this.conn !== null) return this.conn.addr;
    return this.fromMaster ? this.masterAddr : this.label;
  }

  get laddr(): string {
    return this.conn === null ? '' : this.conn.laddr;
  }

  /** Connected over loopback, as Redis's islocalClient judges it. */
  get isLocal(): boolean {
    return this.conn !== null && this.conn.isLocal;
  }

  get repliesSilenced(): boolean {
    return this.replyOff || this.replySkip;
  }

  /** The connection's output buffer (subscribers and blocked clients always have a connection). */
  get out(): RespWriter {
    return this.conn!.out;
  }

  get propagating(): boolean {
    const propagation = this.server.propagation;
    return this.fromMaster ? propagation.activeForMaster : propagation.active;
  }

  get replicating(): boolean {
    return this.server.replication.feedsReplicas;
  }

  propagateToReplicas(argv: string[]): void {
    if (!this.server.loading) this.server.propagation.record(this.db.index, argv, true);
  }

  get loading(): boolean {
    return this.server.loading;
  }

  argBytes(argv: readonly string[], i: number): BigArg | null {
    const big = this.conn === null ? null : this.conn.parser.argBytes(argv, i);
    // What propagates the command may read argv after a later command changed the lent bytes in place: its string is made now.
    if (big !== null && this.propagating) void argv[i];
    return big;
  }

  unreadArg(argv: readonly string[], i: number): ByteSpan | null {
    return this.conn === null ? null : this.conn.parser.unreadArg(argv, i);
  }

  /** A big bulk argument's bytes while its string is still unmade (see RequestParser.unreadBigArg). */
  unreadBigArg(argv: readonly string[], i: number): BigArg | null {
    return this.conn === null ? null : this.conn.parser.unreadBigArg(argv, i);
  }

  /** Makes an argument the parser left unread a string in `argv`, for what keeps or shows the arguments (the slow log). */
  readUnread(argv: string[]): void {
    this.conn?.parser.readUnread(argv);
  }

  readsEveryKey(argv: string[]): boolean {
    if (this.actsForNoUser || this.user.unrestricted) return true;
    const cmd = this.server.dispatcher.lookup(argv);
    return cmd !== undefined && readsEveryKey(this.user, cmd, argv);
  }

  alsoPropagate(argv: string[]): void {
    if (!this.server.loading) this.server.propagation.record(this.db.index, argv);
  }

  block(
    keys: readonly string[], serves: TypeName | null, deadline: number, onTimeout: (c: Ctx) => void, unblockOnNoKey = false,
  ): void {
    if (serves === null) this.server.blocking.block(this, deadline, onTimeout);
    else this.server.blocking.blockForKeys(this, keys, serves, deadline, onTimeout, unblockOnNoKey);
  }

  finishLater(argv: string[], work: () => Promise<void>): boolean {
    return this.server.finishLater(this, argv, work);
  }

  command(argv: string[]): boolean {
    const server = this.server;
    const dispatcher = server.dispatcher;
    dispatcher.freeArgv = null;
    dispatcher.run(this, argv);
    const parser = this.conn!.parser;
    if (dispatcher.freeArgv === argv) parser.recycle(argv);
    parser.forgetRequestBytes();
    return !this.closeAfterReply && !this.closed && !server.isPaused(this) && this.blocked === null && !this.finishing;
  }

  bytesArgument(name: string): number {
    const cmd = this.server.dispatcher.named(name);
    return cmd === undefined ? -1 : cmd.bytesArg;
  }

  /**
   * Only a command that goes straight to its handler may have an argument
   * left unread: not one MULTI queues, CLIENT PAUSE holds or MONITOR shows,
   * which keep or read its arguments.
   */
  mayLeaveUnread(): boolean {
    const server = this.server;
    return this.multi === null && !server.pausing && server.monitors.size === 0;
  }

  /** Worth it only when the keys live in a table larger than the cache (KeyTable.prefetchPays). */
  looksAhead(): boolean {
    return this.db.dict.prefetchPays;
  }

  /** Reads where the first key of each request framed ahead sits in the client's database (KeyTable.prefetch). */
  ahead(buf: Buffer, names: readonly string[], spans: Int32Array, count: number): void {
    const dispatcher = this.server.dispatcher;
    let keys = 0;
    for (let j = 0; j < count; j++) {
      if (!firstKeyFirst(dispatcher, names[j])) continue;
      spans[2 * keys] = spans[2 * j];
      spans[2 * keys + 1] = spans[2 * j + 1];
      keys++;
    }
    if (keys > 1) this.db.dict.prefetch(buf, spans, keys);
  }

  /**
   * The same for the master's commands a replica is about to apply as this
   * client (`argvs[from, to)`), which the link has framed already.
   */
  aheadOf(argvs: readonly string[][], from: number, to: number): void {
    readFirstKeysAhead(this.db.dict, this.server.dispatcher, argvs, from, to);
  }

  protocolError(message: string): void {
    this.reply.error(`ERR ${message}`);
    if (this.server.log.isLevelEnabled('verbose')) this.server.log.verbose(protocolErrorLine(this, message));
    this.closeAfterReply = true;
  }

  queryBufferOverflow(): void {
    this.server.log.warning(queryBufferLine(this));
    this.server.stats.clientQueryBufferLimitDisconnections++;
    this.close();
  }

  setAuthenticated(value: boolean): void {
    this.authenticated = value;
    if (this.conn !== null) this.conn.parser.authenticated = value;
  }

  /** Writes what the replies produced so far, closing afterwards if asked to. */
  flush(): void {
    if (this.closed || this.conn === null) return;
    this.send(this.conn.out.take(), this.closeAfterReply);
  }

  /** Writes output taken earlier (see Connection.send), then closes the connection if `closeAfter`. */
  send(out: Buffer | Buffer[] | null, closeAfter: boolean): void {
    if (this.closed || this.conn === null) return;
    this.conn.send(out);
    if (closeAfter) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn?.end();
    this.server.removeClient(this);
    const killed = this.onKilled;
    this.onKilled = null;
    killed?.();
  }

  /** SYNC or PSYNC made this connection a replica. */
  get isReplica(): boolean {
    return this.replica !== null && this.server.replication.master.replicas.has(this.replica);
  }

  /** CLIENT LIST's flags field. */
  flagString(): string {
    let f = '';
    if (this.monitor) f += 'O';
    else if (this.isReplica) f += 'S';
    if (this.fromMaster) f += 'M';
    if (this.pubsub !== null) f += 'P';
    if (this.transaction !== null) f += 'x';
    if (this.blocked !== null) f += 'b';
    if (this.tracking !== null) f += this.tracking.listFlags();
    if (this.casDirty) f += 'd';
    if (this.closeAfterReply) f += 'c';
    if (this.clusterReadOnly) f += 'r';
    if (this.noEvict) f += 'e';
    if (this.noTouch) f += 'T';
    return f === '' ? 'N' : f;
  }
}
