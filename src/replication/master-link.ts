import { isAscii } from 'node:buffer';
import net from 'node:net';
import tls from 'node:tls';
import RedisParser from 'redis-parser';
import { strerror } from '../persistence/io.js';
import { commandBytes, commandLength } from '../protocol/command-bytes.js';
import { byteString } from '../protocol/byte-string.js';
import { REMEMBERED, RepeatedArgs } from '../protocol/repeated-args.js';
import { ByteQueue } from './byte-queue.js';

/**
 * The replica's connection to its master, as Redis 7.2 speaks it
 * (replication.c: syncWithMaster, slaveTryPartialResynchronization,
 * readSyncBulkPayload). It knows nothing of the server: it gets a narrow
 * options object, reports through callbacks, and is used once: after
 * `failed` (or `close`) it is dead and the owner makes a new one to retry.
 *
 * The conversation:
 * 1. connect (TLS when `tls` is set), `PING`. An error reply fails the link,
 *    except -NOAUTH, -NOPERM and "-ERR operation not permitted" (AUTH follows).
 * 2. pipelined without waiting: `AUTH [user] pass` (when `auth`),
 *    `REPLCONF listening-port N`, `REPLCONF ip-address X` (when `announceIp`),
 *    `REPLCONF capa eof capa psync2`; their replies are read in order: an
 *    AUTH error fails the link, REPLCONF errors are only logged.
 * 3. `PSYNC <replid> <offset+1>` with a cached master, else `PSYNC ? -1`
 *    (`… FAILOVER` with `failover`).
 *    Bare newlines before the reply are keepalives. `+FULLRESYNC <id> <off>`
 *    → `fullSync`; `+CONTINUE [<id>]` → `partialSync` and the command stream;
 *    -NOMASTERLINK/-LOADING fail the link (try later); any other reply falls
 *    back to `SYNC`, whose payload comes with no FULLRESYNC line (replid and
 *    offset unknown: Redis's master_initial_offset -1).
 * 4. the payload: `$<len>` then len bytes, or `$EOF:<40 chars>` then bytes
 *    ending with those 40 chars (never passed on as payload). Newlines before
 *    the `$` are keepalives. The bytes go out in order through `payloadChunk`
 *    as they arrive; nothing holds the whole payload.
 * 5. the command stream: arrays of bulk strings, each handed to `command`
 *    with its exact encoded length and bytes (what Redis adds to reploff and
 *    proxies to sub-replicas). Anything else fails the link. Bare newlines
 *    between commands are keepalives: they only refresh `lastIoMs` and are
 *    neither counted nor passed on (a Redis master never sends them once the
 *    stream is online; one that did would make Redis count them in reploff).
 *
 * After an `$EOF:` payload the master streams nothing until the replica's first
 * ACK, so the owner calls `sendAck` once the payload is loaded (Redis sends it
 * right after loading), and every second after that.
 *
 * Every failure (refused, reset, timeout, garbage, AUTH refused) logs Redis's
 * line, emits `state('connect')` and then exactly one `failed`, and destroys
 * the socket. Nothing throws out of a socket callback: an exception from an
 * owner's callback fails the link too.
 *
 * The owner's side: `new MasterLink(opts, events)`, `start()`; `sendAck(off,
 * fack?)` once the stream is up; `pause()`/`resume()` to stop callbacks while
 * it loads a payload (no byte is lost, repl-timeout is suspended); `close()`
 * to drop the link without `failed`. It reads `state` (ROLE's word),
 * `bytesRead` (INFO total_net_repl_input_bytes), `lastIoMs`
 * (master_last_io_seconds_ago) and `dead`. Callbacks may call any of these,
 * close() included. The buffers handed out (payload chunks, a command's
 * bytes) are never written to afterwards and are the owner's to keep.
 */

export interface MasterLinkOptions {
  host: string;
  port: number;
  /** masteruser/masterauth: `AUTH [user] pass` is pipelined first. */
  auth?: { user?: string; pass: string } | null;
  /** REPLCONF listening-port (replica-announce-port, else tls-port or port). */
  listeningPort: number;
  /** REPLCONF ip-address, sent only when set (replica-announce-ip). */
  announceIp?: string | null;
  /** The cached master, `offset` being its reploff (the last byte applied): `PSYNC <replid> <offset+1>`; null → `PSYNC ? -1`. */
  cached: { replid: string; offset: number } | null;
  /** repl-timeout: no byte from the master for this long fails the link (handshake, transfer and stream alike). */
  timeoutMs: number;
  /** tls-replication: connect with TLS using these options (host/port are filled in). */
  tls?: tls.ConnectionOptions | null;
  /**
   * FAILOVER in progress (the old master connecting to its target):
   * `PSYNC <replid> <offset> FAILOVER`, and any reply but +FULLRESYNC/+CONTINUE
   * fails the link instead of falling back to SYNC (Redis aborts the failover).
   */
  failover?: boolean;
  /** bind-source-addr: the local address the connection goes out from (null: the system's choice). */
  localAddress?: string | null;
  /** Only the log wording of the payload start: "to parser" when true, "to disk" otherwise. */
  disklessLoad?: boolean;
}

/**
 * ROLE's words for the link's states; 'handshake' covers everything up to the
 * PSYNC reply. 'connected' is the link's own: the command stream is up. An
 * owner still loading the payload then says 'sync' itself (ReplicaSide.state).
 */
export type MasterLinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';
export type MasterLinkLogLevel = 'notice' | 'warning' | 'verbose';

export interface MasterLinkEvents {
  state(s: MasterLinkState): void;
  /** Redis's own log lines (replication.c's wording). */
  log(level: MasterLinkLogLevel, line: string): void;
  /** +FULLRESYNC: the payload that follows is the master's data set at `offset`, under `replid`. */
  fullSync(replid: string, offset: number): void;
  /** +CONTINUE: the command stream follows from the cached offset. `newReplid` is set only when the master's id differs from the cached one. */
  partialSync(newReplid: string | null): void;
  /** The payload's size (`$<len>`), or null for `$EOF:` (unknown until the mark). */
  payloadStart(size: number | null): void;
  /** Raw RDB bytes, in order, the EOF mark excluded. The buffer is the owner's to keep. */
  payloadChunk(chunk: Buffer): void;
  /** The whole payload was received; the command stream follows. */
  payloadEnd(): void;
  /**
   * One command of the stream: its arguments (byte strings, a char per
   * byte), its exact encoded length, and its exact bytes (for proxying):
   * raw[at, at + bytes), `raw` usually the whole chunk read, which holds
   * the commands before and after it too.
   */
  command(argv: string[], bytes: number, raw: Buffer, at: number): void;
  /**
   * The commands `argvs[from, to)` come next, each with its own `command`
   * call: a chance to read where their keys sit (KeyTable.prefetch) before
   * the first runs. It must change nothing.
   */
  ahead?(argvs: readonly string[][], from: number, to: number): void;
  /** The link is dead (after a log line saying why); the owner retries later with a new MasterLink. */
  failed(reason: string): void;
}

type Phase =
  | 'idle'
  | 'connecting'
  | 'ping'
  | 'replies'
  | 'psync'
  | 'bulk-header'
  | 'bulk-len'
  | 'bulk-eof'
  | 'stream'
  | 'dead';

/** The replies pipelined after PING, in the order they come back. */
type Pending = 'auth' | 'listening-port' | 'ip-address' | 'capa';

const EOF_MARK_LEN = 40;
/** Longest handshake line accepted (Redis reads them into 256/1024-byte buffers); longer is garbage. */
const MAX_LINE = 16 * 1024;

/** strerror(3)'s words for what a socket to the master can fail with. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EPIPE: 'Broken pipe',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

function socketError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (code !== undefined && SOCKET_ERRORS[code]) || strerror(e);
}


/**
 * How many bytes of a command cut by the end of a read are parsed again
 * with the next read rather than held by the parser: past this (a big
 * value arriving over many reads) copying them at each read would cost
 * more than the parser's own way.
 */
const REPARSE_LIMIT = 64 * 1024;

/** Bytes of the next read joined to a command the last one cut, at first (see ByteQueue.front). */
const BRIDGE = 4096;

/** Parsed commands past this many, the arrays that held them are not kept for the next read. */
const READY_KEPT = 8192;
/** The commands of a read handed to `ahead` at once: a window of them, and the next window when the first is applied. */
const AHEAD_COMMANDS = 32;
const NO_ARGV: string[] = [];
const NO_BYTES = Buffer.alloc(0);

/**
 * A view of bytes read from the master whose toString, which redis-parser
 * calls for each bulk string (asking for UTF-8), makes byte strings, one
 * char a byte, as the server's commands take them (byteString, the request
 * parser's: short ones without a call into C++).
 */
class ByteStringChunk extends Uint8Array {}
Object.setPrototypeOf(ByteStringChunk.prototype, Buffer.prototype);
Object.defineProperty(ByteStringChunk.prototype, 'toString', { value: chunkString, writable: true, configurable: true });

function byteStringChunk(b: Buffer): Buffer {
  return new ByteStringChunk(b.buffer as ArrayBuffer, b.byteOffset, b.length) as unknown as Buffer;
}

/**
 * The link whose parser is reading a chunk of ours (set around `execute`),
 * whose last arguments the chunk's strings are compared with
 * (RepeatedArgs, as a client's request parser does), and the place in its
 * command of the next string the parser asks for (each reply sets it back
 * to 0). The comparison is of bytes: a place miscounted costs a string made,
 * never a wrong one.
 */
let repeating: RepeatedArgs | null = null;
let nextArg = 0;

function chunkString(this: Buffer, _encoding?: string, start?: number, end?: number): string {
  const s = start ?? 0;
  const len = (end ?? this.length) - s;
  const i = nextArg++;
  if (repeating !== null && i < REMEMBERED.length) return repeating.arg(this, i, s, len);
  return byteString(this, s, len);
}

export class MasterLink {
  /** Every byte read from the master (INFO total_net_repl_input_bytes). */
  bytesRead = 0;
  /** Date.now() of the last byte from the master (INFO master_last_io_seconds_ago; repl-timeout). */
  lastIoMs = Date.now();

  private phase: Phase = 'idle';
  private socket: net.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  /** Bytes received while paused, or not yet processed when the owner paused. */
  private held: Buffer | null = null;
  /**
   * Commands parsed but not yet delivered (the owner paused mid-chunk), from
   * `next` on: their arguments, lengths, and where their bytes are. Arrays
   * side by side rather than an object a command: a read holds thousands.
   * Kept from read to read, `readyCount` long.
   */
  private readyCount = 0;
  private readyArgv: string[][] = [];
  private readyBytes: number[] = [];
  private readyRaw: Buffer[] = [];
  private readyAt: number[] = [];
  /** Whether every byte the parser holds unparsed (and the chunk it is given) is ASCII; set when it is left holding some. */
  private asciiHeld = false;
  private next = 0;

  /** Handshake/header phases: the start of a line not yet ended. */
  private line: Buffer | null = null;
  private pending: Pending[] = [];

  /** `$<len>` payloads: bytes still to come. */
  private left = 0;
  /** `$EOF:` payloads: the mark, and the last bytes received, held back until we know they are not the mark. */
  private mark: Buffer | null = null;
  private tail: Buffer = Buffer.alloc(0);

  private parser: RedisParser | null = null;
  private readonly repeated = new RepeatedArgs();
  private queue = new ByteQueue();
  /** Why the stream is garbage, set inside the parser's callbacks and acted on after. */
  private garbage: string | null = null;
  private fatal = false;

  constructor(
    private readonly opts: MasterLinkOptions,
    private readonly events: MasterLinkEvents,
  ) {}

  /** After `failed` or `close`: nothing more happens. (A getter, so that TypeScript does not narrow it across callbacks.) */
  get dead(): boolean {
    return this.phase === 'dead';
  }

  /** The link's state, in ROLE's words. */
  get state(): MasterLinkState {
    switch (this.phase) {
      case 'idle':
      case 'dead':
        return 'connect';
      case 'connecting':
        return 'connecting';
      case 'ping':
      case 'replies':
      case 'psync':
        return 'handshake';
      case 'bulk-header':
      case 'bulk-len':
      case 'bulk-eof':
        return 'sync';
      case 'stream':
        return 'connected';
    }
  }

  /** Connects and runs the handshake. Called once. */
  start(): void {
    if (this.phase !== 'idle') return;
    const { host, port } = this.opts;
    this.events.log('notice', `Connecting to MASTER ${host}:${port}`);
    let socket: net.Socket;
    try {
      const local = this.opts.localAddress != null && this.opts.localAddress !== '' ? { localAddress: this.opts.localAddress } : {};
      socket =
        this.opts.tls != null
          ? tls.connect({ ...this.opts.tls, host, port, ...local })
          : net.connect({ host, port, ...local });
    } catch (e) {
      this.phase = 'connecting';
      queueMicrotask(() => this.guard(() => this.fail(`Unable to connect to MASTER: ${socketError(e)}`)));
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    this.lastIoMs = Date.now();
    this.setPhase('connecting');
    this.events.log('notice', 'MASTER <-> REPLICA sync started');
    socket.once(this.opts.tls != null ? 'secureConnect' : 'connect', () => this.guard(() => this.connected()));
    socket.on('data', (d: Buffer) => this.guard(() => this.received(d)));
    socket.on('error', (e) => this.guard(() => this.lost(e)));
    socket.on('close', () => this.guard(() => this.lost(null)));
    this.armTimer();
  }

  /**
   * `REPLCONF ACK <offset>` (`… FACK <aofOffset>` when given, as Redis 7.2
   * sends when the AOF is on). Only once the stream is up; ignored before.
   */
  sendAck(offset: number, fack?: number): void {
    if (this.phase !== 'stream' || this.socket === null) return;
    const args = ['REPLCONF', 'ACK', String(offset)];
    if (fack !== undefined) args.push('FACK', String(fack));
    this.socket.write(commandBytes(args));
  }

  /**
   * Stops reading and delivering (Redis removes the read handler while it
   * loads the payload): no callback fires until `resume`, and repl-timeout
   * does not run meanwhile. Bytes already received are kept, not lost.
   */
  pause(): void {
    if (this.dead || this.paused) return;
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    if (this.dead || !this.paused) return;
    this.paused = false;
    this.lastIoMs = Date.now();
    this.guard(() => {
      if (!this.deliver()) return;
      const held = this.held ?? Buffer.alloc(0);
      this.held = null;
      this.process(held);
    });
    if (!this.paused && !this.dead) this.socket?.resume();
  }

  /** Ends the link without a `failed` call (REPLICAOF NO ONE, a new master). */
  close(): void {
    if (this.dead) return;
    this.phase = 'dead';
    this.teardown();
  }

  // ---------------------------------------------------------------- events

  /** Runs a step from a socket or timer callback: nothing escapes, an exception fails the link. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      try {
        this.fail(`Replication link internal error: ${e instanceof Error ? e.message : String(e)}`);
      } catch {
        // The owner's own failed() threw: the link is dead all the same.
      }
    }
  }

  private setPhase(p: Phase): void {
    const before = this.state;
    this.phase = p;
    const after = this.state;
    if (after !== before) this.events.state(after);
  }

  private fail(line: string, logged = false): void {
    if (this.dead) return;
    this.phase = 'dead';
    this.teardown();
    try {
      if (!logged) this.events.log('warning', line);
      this.events.state('connect');
    } finally {
      this.events.failed(line);
    }
  }

  private teardown(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
    this.parser = null;
    this.held = null;
    this.dropReady();
    this.line = null;
  }

  /** The master's address as the socket has it (ip:port), what CLIENT LIST shows for the master's client. */
  get remote(): string {
    const s = this.socket;
    const host = s?.remoteAddress ?? this.opts.host;
    return `${host.startsWith('::ffff:') ? host.slice(7) : host}:${s?.remotePort ?? this.opts.port}`;
  }

  /** CONFIG SET repl-timeout: the link's silence limit from now on. */
  setTimeoutMs(ms: number): void {
    this.opts.timeoutMs = ms;
    if (this.timer !== null && !this.dead) this.armTimer();
  }

  private armTimer(wait = Math.max(1, this.lastIoMs + this.opts.timeoutMs - Date.now())): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.guard(() => this.checkTimeout()), wait);
    this.timer.unref?.();
  }

  private checkTimeout(): void {
    this.timer = null;
    if (this.dead) return;
    if (this.paused) {
      // Not reading: the master's silence is ours (resume restarts the clock).
      this.armTimer(this.opts.timeoutMs);
      return;
    }
    if (Date.now() - this.lastIoMs < this.opts.timeoutMs) {
      this.armTimer();
      return;
    }
    switch (this.state) {
      case 'sync':
        this.fail(
          "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
        );
        return;
      case 'connected':
        this.fail('MASTER timeout: no data nor PING received...');
        return;
      default:
        this.fail('Timeout connecting to the MASTER...');
    }
  }

  private lost(err: Error | null): void {
    if (this.dead) return;
    const why = err === null ? 'connection lost' : socketError(err);
    switch (this.phase) {
      case 'idle':
      case 'connecting':
        this.fail(`Error condition on socket for SYNC: ${err === null ? 'Connection closed' : why}`);
        return;
      case 'ping':
      case 'replies':
        this.fail(`Master did not respond to command during SYNC handshake (${why})`);
        return;
      case 'psync':
        this.fail(`Master did not reply to PSYNC, will try later (${why})`);
        return;
      case 'bulk-header':
        this.fail(`I/O error reading bulk count from MASTER: ${why}`);
        return;
      case 'bulk-len':
      case 'bulk-eof':
        this.fail(`I/O error trying to sync with MASTER: ${why}`);
        return;
      case 'stream':
        this.fail(err === null ? 'Connection with master lost.' : `Connection with master lost: ${why}`);
        return;
    }
  }

  private connected(): void {
    if (this.phase !== 'connecting') return;
    this.events.log('notice', 'Non blocking connect for SYNC fired the event.');
    this.lastIoMs = Date.now();
    this.setPhase('ping');
    this.write(commandBytes(['PING']));
  }

  private write(b: Buffer): void {
    this.socket?.write(b);
  }

  private received(d: Buffer): void {
    if (this.dead) return;
    this.bytesRead += d.length;
    this.lastIoMs = Date.now();
    if (this.paused) {
      this.held = this.held === null ? d : Buffer.concat([this.held, d]);
      return;
    }
    this.process(d);
  }

  /** Feeds bytes to the current phase, phase after phase, until they are used up or the owner paused. */
  private process(d: Buffer): void {
    let buf: Buffer = d;
    while (!this.dead) {
      // A payload whose last byte (or mark) arrived ends even when no byte follows it.
      const endDue = this.phase === 'bulk-len' && this.left === 0;
      if (buf.length === 0 && !endDue) return;
      if (this.paused) {
        if (buf.length > 0) this.held = this.held === null ? buf : Buffer.concat([this.held, buf]);
        return;
      }
      if (endDue) {
        this.endPayload();
        continue;
      }
      switch (this.phase) {
        case 'ping':
        case 'replies':
        case 'psync':
        case 'bulk-header':
          buf = this.readLine(buf);
          break;
        case 'bulk-len':
          buf = this.readLenPayload(buf);
          break;
        case 'bulk-eof':
          buf = this.readEofPayload(buf);
          break;
        case 'stream':
          this.readStream(buf);
          return;
        default:
          // Bytes before the connect completed (cannot happen).
          return;
      }
    }
  }

  // ---------------------------------------------------------------- handshake

  /** Takes one line (up to '\n', '\r' stripped) from `buf` if it ends there; returns what follows. */
  private readLine(buf: Buffer): Buffer {
    const nl = buf.indexOf(0x0a);
    if (nl === -1) {
      this.line = this.line === null ? buf : Buffer.concat([this.line, buf]);
      if (this.line.length > MAX_LINE) this.fail('Bad protocol from MASTER: reply line too long');
      return Buffer.alloc(0);
    }
    let whole = buf.subarray(0, nl);
    if (this.line !== null) {
      whole = Buffer.concat([this.line, whole]);
      this.line = null;
    }
    const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
    this.onLine(whole.toString('latin1', 0, end));
    return buf.subarray(nl + 1);
  }

  private onLine(line: string): void {
    switch (this.phase) {
      case 'ping':
        return this.onPingReply(line);
      case 'replies':
        return this.onHandshakeReply(line);
      case 'psync':
        return this.onPsyncReply(line);
      case 'bulk-header':
        return this.onBulkHeader(line);
      default:
    }
  }

  private onPingReply(line: string): void {
    if (
      line.startsWith('-') &&
      !line.startsWith('-NOAUTH') &&
      !line.startsWith('-NOPERM') &&
      !line.startsWith('-ERR operation not permitted')
    ) {
      this.fail(`Error reply to PING from master: '${line}'`);
      return;
    }
    this.events.log('notice', 'Master replied to PING, replication can continue...');
    const cmds: Buffer[] = [];
    this.pending = [];
    const { auth, announceIp } = this.opts;
    if (auth != null) {
      cmds.push(commandBytes(auth.user != null ? ['AUTH', auth.user, auth.pass] : ['AUTH', auth.pass]));
      this.pending.push('auth');
    }
    cmds.push(commandBytes(['REPLCONF', 'listening-port', String(this.opts.listeningPort)]));
    this.pending.push('listening-port');
    if (announceIp != null) {
      cmds.push(commandBytes(['REPLCONF', 'ip-address', announceIp]));
      this.pending.push('ip-address');
    }
    cmds.push(commandBytes(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    this.pending.push('capa');
    this.phase = 'replies';
    this.write(Buffer.concat(cmds));
  }

  private onHandshakeReply(line: string): void {
    const what = this.pending.shift()!;
    if (line.startsWith('-')) {
      if (what === 'auth') {
        this.fail(`Unable to AUTH to MASTER: ${line}`);
        return;
      }
      this.events.log('notice', `(Non critical) Master does not understand REPLCONF ${what}: ${line}`);
    }
    if (this.pending.length === 0) this.sendPsync();
  }

  private sendPsync(): void {
    const cached = this.opts.cached;
    let id = '?';
    let off = '-1';
    if (cached !== null) {
      id = cached.replid;
      off = String(cached.offset + 1);
      this.events.log('notice', `Trying a partial resynchronization (request ${id}:${off}).`);
    } else {
      this.events.log('notice', 'Partial resynchronization not possible (no cached master)');
    }
    this.phase = 'psync';
    this.write(commandBytes(this.opts.failover === true ? ['PSYNC', id, off, 'FAILOVER'] : ['PSYNC', id, off]));
  }

  private onPsyncReply(line: string): void {
    // The master may send newlines after PSYNC and before its reply, to keep the link alive.
    if (line.length === 0) return;
    if (line.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([^ ]{40}) (-?\d+)/.exec(line);
      if (m === null) {
        // Redis blanks the master's replid so that the next PSYNC fails, and goes on with the full sync.
        this.events.log('warning', 'Master replied with wrong +FULLRESYNC syntax.');
      } else {
        const offset = Number(m[2]);
        this.events.log('notice', `Full resync from master: ${m[1]}:${offset}`);
        this.events.fullSync(m[1], offset);
        if (this.dead) return;
      }
      this.setPhase('bulk-header');
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      this.events.log('notice', 'Successful partial resynchronization with master.');
      const rest = line.slice(10);
      let newId: string | null = null;
      if (line.length > 9 && line[9] === ' ' && rest.length === 40 && rest !== this.opts.cached?.replid) {
        newId = rest;
        this.events.log('notice', `Master replication ID changed to ${newId}`);
      }
      this.startStream();
      if (this.dead) return;
      this.events.partialSync(newId);
      if (this.dead) return;
      this.events.log('notice', 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      return;
    }
    if (this.opts.failover === true && !line.startsWith('-NOMASTERLINK') && !line.startsWith('-LOADING')) {
      // Redis's lines for the reply; the owner logs the failover's end.
      if (line.startsWith('-ERR')) this.events.log('notice', `Master does not support PSYNC or is in error state (reply: ${line})`);
      else this.events.log('warning', `Unexpected reply to PSYNC from master: ${line}`);
      this.fail(`PSYNC FAILOVER refused: ${line}`, true);
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.events.log('notice', `Master is currently unable to PSYNC but should be in the future: ${line}`);
      this.fail(`Master is currently unable to PSYNC: ${line}`);
      return;
    }
    if (line.startsWith('-ERR')) {
      this.events.log('notice', `Master does not support PSYNC or is in error state (reply: ${line})`);
    } else {
      this.events.log('warning', `Unexpected reply to PSYNC from master: ${line}`);
    }
    this.events.log('notice', 'Retrying with SYNC...');
    this.setPhase('bulk-header');
    this.write(Buffer.from('SYNC\r\n', 'latin1'));
  }

  // ---------------------------------------------------------------- payload

  private onBulkHeader(line: string): void {
    if (line.length === 0) return; // a keepalive while the master prepares the payload
    if (line.startsWith('-')) {
      this.fail(`MASTER aborted replication with an error: ${line.slice(1)}`);
      return;
    }
    const to = this.opts.disklessLoad === true ? 'to parser' : 'to disk';
    if (line.startsWith('$EOF:') && line.length >= 5 + EOF_MARK_LEN) {
      this.mark = Buffer.from(line.slice(5, 5 + EOF_MARK_LEN), 'latin1');
      this.tail = Buffer.alloc(0);
      this.phase = 'bulk-eof';
      this.events.log('notice', `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${to}`);
      this.events.payloadStart(null);
      return;
    }
    const m = /^\$(\d+)$/.exec(line);
    if (m === null) {
      this.fail(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${line.slice(0, 128)}'), are you sure the host and port are right?`,
      );
      return;
    }
    this.left = Number(m[1]);
    this.phase = 'bulk-len';
    this.events.log('notice', `MASTER <-> REPLICA sync: receiving ${this.left} bytes from master ${to}`);
    this.events.payloadStart(this.left);
  }

  private readLenPayload(buf: Buffer): Buffer {
    const n = Math.min(this.left, buf.length);
    this.left -= n;
    if (n > 0) this.events.payloadChunk(buf.subarray(0, n));
    return buf.subarray(n);
  }

  /**
   * `$EOF:` payloads: everything up to the mark is payload. The last 39
   * bytes are held back until more arrive (had they ended with the mark, it
   * would have been found), so no byte of the mark is ever passed on.
   * The mark is searched for in the whole window (not only at its end, as
   * Redis does) so that stream bytes arriving with it are not taken for payload.
   */
  private readEofPayload(buf: Buffer): Buffer {
    const mark = this.mark!;
    const window = this.tail.length === 0 ? buf : Buffer.concat([this.tail, buf]);
    const at = window.indexOf(mark);
    if (at !== -1) {
      this.tail = Buffer.alloc(0);
      this.mark = null;
      // Nothing left to read: `process` ends the payload (once the owner is not paused).
      this.phase = 'bulk-len';
      this.left = 0;
      if (at > 0) this.events.payloadChunk(window.subarray(0, at));
      return window.subarray(at + EOF_MARK_LEN);
    }
    const keep = Math.min(EOF_MARK_LEN - 1, window.length);
    const out = window.length - keep;
    // Copied, so that 39 bytes do not keep the whole chunk alive.
    this.tail = Buffer.from(window.subarray(out));
    if (out > 0) this.events.payloadChunk(window.subarray(0, out));
    return Buffer.alloc(0);
  }

  private endPayload(): void {
    this.startStream();
    if (this.dead) return;
    this.events.payloadEnd();
  }

  // ---------------------------------------------------------------- command stream

  private startStream(): void {
    this.parser = new RedisParser({
      returnBuffers: true,
      returnReply: (r: unknown) => this.onReply(r),
      returnError: (e: Error) => this.onParsedGarbage(`an error reply (${e.message})`),
      returnFatalError: () => {
        this.fatal = true;
      },
    });
    this.setPhase('stream');
  }

  private onParsedGarbage(what: string): void {
    if (this.garbage === null) this.garbage = what;
  }

  /** Called by the parser, inside `execute`: checks and records one reply, delivered after. */
  private onReply(r: unknown): void {
    nextArg = 0;
    if (this.garbage !== null) return;
    if (!Array.isArray(r) || r.length === 0) {
      this.onParsedGarbage(Array.isArray(r) ? 'an array that is not of bulk strings' : 'a reply that is not an array');
      return;
    }
    // Byte strings where the parser made strings (see readStream); Buffers otherwise, made byte strings here.
    const argv = r as (string | Buffer)[];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (typeof a === 'string') continue;
      if (!Buffer.isBuffer(a)) {
        this.onParsedGarbage('an array that is not of bulk strings');
        return;
      }
      argv[i] = a.latin1Slice(0, a.length);
    }
    const args = argv as string[];
    const bytes = commandLength(args);
    if (bytes > this.queue.length) {
      this.desync('a command longer than the bytes received (not canonical RESP)');
      return;
    }
    const queue = this.queue;
    queue.take(bytes);
    const i = this.readyCount++;
    this.readyArgv[i] = args;
    this.readyBytes[i] = bytes;
    this.readyRaw[i] = queue.spanBuf;
    this.readyAt[i] = queue.spanStart;
  }

  private readStream(buf: Buffer): void {
    const queue = this.queue;
    queue.push(buf);
    let chunk: Buffer | null = buf;
    /** How far past a cut command's first part the bytes joined to it go (see ByteQueue.front). */
    let more = BRIDGE;
    /** Whether the parser held bytes before this read (a big value), that it goes on holding. */
    const held = !this.parserIdle();
    for (;;) {
      /** The queued bytes past `chunk`, which the parser has not been given. */
      let after = 0;
      if (this.parserIdle()) {
        // At a command boundary, where keepalive newlines are skipped.
        chunk = this.skipNewlines(more);
        if (chunk === null) break;
        after = queue.length - chunk.length;
      }
      this.fatal = false;
      const idle = this.parserIdle();
      if (!idle) this.asciiHeld &&= isAscii(chunk);
      if (idle) {
        // The parser reads the chunk itself: its strings are byte strings whatever the bytes (ByteStringChunk).
        this.parser!.setReturnBuffers(false);
        repeating = this.repeated;
        nextArg = 0;
        this.parser!.execute(byteStringChunk(chunk));
        repeating = null;
      } else {
        // It reads a copy it makes of what it holds and the chunk, with Buffer's UTF-8 toString: text only when all of it is ASCII (UTF-8 reads ASCII as latin1 does), else a Buffer per argument, made a byte string after.
        this.parser!.setReturnBuffers(!this.asciiHeld);
        this.parser!.execute(chunk);
      }
      if (this.garbage !== null) break;
      if (this.fatal) {
        // A byte that starts no reply: fine if it is a newline at a command boundary (skipped above, next turn).
        this.parser!.reset();
        this.fatal = false;
        const b = queue.length === 0 ? 0 : queue.byteAt(0);
        const newline = b === 0x0a || (b === 0x0d && (queue.length === 1 || queue.byteAt(1) === 0x0a));
        if (!newline) {
          this.onParsedGarbage(`a byte that starts no command (0x${b.toString(16)})`);
          break;
        }
        continue;
      }
      if (this.parserIdle()) {
        // Every byte the parser used up must belong to a command.
        if (queue.length !== after) {
          const odd = queue.length - after;
          this.desync(odd > 0 ? `${odd} bytes the commands do not account for (not canonical RESP)` : 'a command longer than the bytes received (not canonical RESP)');
          break;
        }
        if (after === 0) break;
        continue;
      }
      if (after !== 0) {
        // A command cut at the end of the joined bytes: parsed again from its start, joined to all that follows if it was the first.
        if (queue.length === after + chunk.length) more = Infinity;
        this.parser!.reset();
        continue;
      }
      break;
    }
    if (this.garbage === null && !this.parserIdle()) {
      if (queue.length <= REPARSE_LIMIT) {
        // Half a command left: the queue holds its bytes, so the parser may start it over with the next read, from a chunk of ours (see ByteStringChunk) rather than a copy of its own.
        this.parser!.reset();
      } else if (!held) {
        // The parser holds the rest of the chunk from the cut command on, the bytes still queued.
        this.asciiHeld = isAscii(chunk!.subarray(chunk!.length - queue.length));
      }
    }
    if (this.garbage !== null) {
      // Commands parsed before the garbage are good: hand them over first, as Redis runs what it parsed.
      this.deliver();
      const what = this.garbage;
      this.garbage = null;
      this.fail(`Protocol error from MASTER: ${what}. Closing the link with the master.`);
      return;
    }
    this.deliver();
  }

  /** The commands' lengths and the bytes disagree: no command of this read can be trusted. */
  private desync(what: string): void {
    this.dropReady();
    this.onParsedGarbage(what);
  }

  private parserIdle(): boolean {
    return (this.parser as unknown as { buffer: Buffer | null }).buffer === null;
  }

  /**
   * Drops leading "\n" / "\r\n" from the queue; returns the first of what
   * is left (still queued: ByteQueue.front), null when nothing is yet.
   */
  private skipNewlines(more: number): Buffer | null {
    const queue = this.queue;
    for (;;) {
      // Nothing, or half a "\r\n": wait for more.
      if (queue.length === 0) return null;
      const b = queue.byteAt(0);
      if (b === 0x0a) queue.skip(1);
      else if (b === 0x0d && queue.length === 1) return null;
      else if (b === 0x0d && queue.byteAt(1) === 0x0a) queue.skip(2);
      else return queue.front(more);
    }
  }

  /** Hands parsed commands to the owner until done, paused or dead; true when all were delivered. */
  private deliver(): boolean {
    // An index rather than shift(): a read can hold thousands of commands.
    const argv = this.readyArgv;
    const events = this.events;
    while (this.next < this.readyCount) {
      if (this.dead || this.paused) return false;
      const i = this.next++;
      if (i % AHEAD_COMMANDS === 0 && this.readyCount - i > 1) events.ahead?.(argv, i, Math.min(i + AHEAD_COMMANDS, this.readyCount));
      events.command(argv[i], this.readyBytes[i], this.readyRaw[i], this.readyAt[i]);
    }
    this.dropReady();
    return !this.dead;
  }

  private dropReady(): void {
    const n = this.readyCount;
    this.next = 0;
    if (n === 0) return;
    this.readyCount = 0;
    if (this.readyArgv.length > READY_KEPT) {
      this.readyArgv = [];
      this.readyBytes = [];
      this.readyRaw = [];
      this.readyAt = [];
      return;
    }
    // What was delivered is let go (a chunk read is big), the arrays' room kept.
    this.readyArgv.fill(NO_ARGV, 0, n);
    this.readyRaw.fill(NO_BYTES, 0, n);
  }
}
