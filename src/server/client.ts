import type { Socket } from 'node:net';
import type { Subscriptions } from '../broker/registry.js';
import { RequestParser, type RequestSink } from '../protocol/request-parser.js';
import { forBacklog, RespWriter } from '../protocol/reply.js';
import type { Database, Watcher } from '../store/database.js';
import type { BlockedState } from '../queues/blocking-registry.js';
import type { Command } from './command.js';
import type { Server } from './server.js';

export interface QueuedCommand {
  cmd: Command;
  argv: string[];
}

/** One connection's state: what CLIENT LIST shows and what the dispatcher consults. */
export class Client implements Watcher, RequestSink {
  readonly id: number;
  readonly reply = new RespWriter();
  readonly parser: RequestParser;
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  authenticated: boolean;
  /** Commands queued by MULTI; null outside a transaction. */
  multi: QueuedCommand[] | null = null;
  /** A command failed to queue: EXEC will answer EXECABORT. */
  multiFailed = false;
  /** Set when a watched key changed (the Watcher contract). */
  casDirty = false;
  watchedKeys: { db: Database; key: string; expiresAt: number }[] = [];
  /** CLIENT REPLY OFF / SKIP (this command) / SKIP (set by the SKIP command, for the next). */
  replyOff = false;
  replySkip = false;
  replySkipNext = false;
  /**
   * What the running command propagates: undefined for its own argv, an
   * argv to propagate instead (EXPIRE → PEXPIREAT), or null for nothing.
   */
  propagateArgv: string[] | null | undefined = undefined;
  noEvict = false;
  noTouch = false;
  monitor = false;
  /** Set while a blocking command (BLPOP, WAIT…) holds this client; its pipeline waits. See BlockingRegistry. */
  blocked: BlockedState | null = null;
  /** Inside EXEC (later: scripts) blocking commands answer at once, as Redis's CLIENT_DENY_BLOCKING. */
  denyBlocking = false;
  /** QUIT or a protocol error: close once pending replies are written. */
  closeAfterReply = false;
  closed = false;
  /** Queued in the server's end-of-turn flush. */
  flushPending = false;
  /** Channel, pattern and shard-channel subscriptions; null while there are none (see Registry). */
  pubsub: Subscriptions | null = null;
  /** When (ms) the output buffer went over its class's soft limit and has stayed over; 0 when under. */
  obufSoftLimitSince = 0;
  readonly addr: string;
  readonly laddr: string;
  /** Connected over loopback, as Redis's islocalClient judges it. */
  readonly isLocal: boolean;
  readonly fd: number;

  constructor(
    readonly server: Server,
    readonly socket: Socket,
    id: number,
  ) {
    this.id = id;
    this.db = server.keyspace.db(0);
    this.authenticated = server.config.str('requirepass') === '';
    this.parser = new RequestParser(this, server.parserLimits);
    this.parser.authenticated = this.authenticated;
    this.addr = formatAddress(socket.remoteAddress, socket.remotePort);
    const host = unmapped(socket.remoteAddress);
    this.isLocal = host === '127.0.0.1' || host === '::1';
    this.laddr = formatAddress(socket.localAddress, socket.localPort);
    this.fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  command(argv: string[]): boolean {
    this.server.dispatcher.run(this, argv);
    return !this.closeAfterReply && !this.closed && !this.server.isPaused(this) && this.blocked === null;
  }

  protocolError(message: string): void {
    this.reply.error(`ERR ${message}`);
    this.server.log.verbose({ client: this.addr }, `Protocol error (${message}) from client`);
    this.closeAfterReply = true;
  }

  queryBufferOverflow(): void {
    this.server.log.warning({ client: this.addr }, 'Closing client that reached max query buffer length');
    this.server.stats.clientQueryBufferLimitDisconnections++;
    this.close();
  }

  setAuthenticated(value: boolean): void {
    this.authenticated = value;
    this.parser.authenticated = value;
  }

  /** Writes what the replies produced so far, closing afterwards if asked to. */
  flush(): void {
    if (this.closed) return;
    this.send(this.reply.take(), this.closeAfterReply);
  }

  /**
   * Writes output taken from the reply writer (now, or earlier: replies the
   * AOF held under appendfsync always until what they acknowledge was on
   * disk), then closes the connection if `closeAfter`.
   */
  send(out: Buffer | Buffer[] | null, closeAfter: boolean): void {
    if (this.closed) return;
    if (Array.isArray(out)) {
      if (this.socket.writableLength > 0) out = forBacklog(out);
      if (out.length === 1) {
        this.socket.write(out[0]);
      } else {
        this.socket.cork();
        for (const piece of out) this.socket.write(piece);
        this.socket.uncork();
      }
    } else if (out !== null) {
      this.socket.write(out);
      // Nothing left queued: the kernel has the bytes and the buffer is free again.
      if (this.socket.writableLength === 0) this.reply.reclaim(out);
    }
    if (closeAfter) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
    this.server.removeClient(this);
  }

  /** CLIENT LIST's flags field. */
  flagString(): string {
    let f = '';
    if (this.monitor) f += 'O';
    if (this.pubsub !== null) f += 'P';
    if (this.multi !== null) f += 'x';
    if (this.blocked !== null) f += 'b';
    if (this.casDirty) f += 'd';
    if (this.closeAfterReply) f += 'c';
    if (this.noEvict) f += 'e';
    if (this.noTouch) f += 'T';
    return f === '' ? 'N' : f;
  }
}

/** An IPv4 peer as Redis shows it, not as an IPv4-mapped IPv6 address. */
function unmapped(host: string | undefined): string | undefined {
  return host?.startsWith('::ffff:') ? host.slice(7) : host;
}

function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  return `${unmapped(host)}:${port ?? 0}`;
}
