import type { ByteSpan } from './byte-span.js';
import { byteString } from './byte-string.js';
import { REMEMBERED, RepeatedArgs } from './repeated-args.js';
import { splitInlineArgs, splitUnquotedInline } from './inline.js';
import type { ParserLimits } from './limits.js';
import {
  ARG_OVERHEAD,
  BIG_ARG_INITIAL_SIZE,
  bigArgRoom,
  BIG_ARG_THRESHOLD,
  INLINE_MAX_SIZE,
  MAX_ARG_LENGTH,
  MAX_MULTIBULK,
  nextBigArgSize,
  UNAUTH_MAX_BULK,
  UNAUTH_MAX_MULTIBULK,
} from './limits.js';

/**
 * Receives what the parser frames. `command` returns false when the client
 * cannot take another command yet (blocked, paused, closing): the parser then
 * keeps the remaining bytes until `resume()`.
 */
export interface RequestSink {
  command(argv: string[]): boolean;
  protocolError(message: string): void;
  queryBufferOverflow(): void;
  /**
   * Which argument a command named `name` (as sent) takes as bytes (see
   * RequestParser.unreadArg), or -1. The parser remembers the answer for
   * the name, so it may depend on nothing else. A sink without it takes
   * every argument as a string.
   */
  bytesArgument?(name: string): number;
  /**
   * Whether the request being framed may leave that argument unread: asked
   * for each request that could, since it depends on the client's state
   * (what else would read the arguments).
   */
  mayLeaveUnread?(): boolean;
  /** Whether to frame ahead for `ahead` the requests of the read at hand: asked at each read, so it may change. */
  looksAhead?(): boolean;
  /**
   * The whole requests of a read, framed ahead before the first runs: per
   * request, its name as sent (`names[j]`) and where its second argument
   * lies in `buf` (`spans[2j]`, `spans[2j + 1]`: offset and length). The
   * sink may read what those arguments name, so that the requests find it
   * in the cache; it must change nothing, since a request may not run as
   * framed (one before it may block or close the client). `spans` is
   * scratch the sink may rewrite (the parser frames it afresh each time).
   */
  ahead?(buf: Buffer, names: readonly string[], spans: Int32Array, count: number): void;
}

/** The most requests of a read framed ahead for RequestSink.ahead. */
const AHEAD_REQUESTS = 32;
/** A request with more arguments than this ends the framing ahead: its headers would cost more to read twice than its first key saves. */
const AHEAD_MAX_ARGS = 16;
/**
 * Reads of a client not framed ahead after a window whose second arguments
 * were one and the same (a pipeline on one list, stream or counter, an
 * EVALSHA's digest): its key is in the cache already, and framing ahead
 * would cost every request its headers read twice for nothing.
 */
const AHEAD_IDLE_READS = 32;

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);
/** A big bulk's own buffer: the argument is its first `length` bytes (see RequestParser.argBytes). */
export interface BigArg {
  bytes: Buffer;
  length: number;
}

/** What argv holds in place of an argument left unread (see RequestParser.unreadArg). */
const UNREAD = '';
/** Input held while the client cannot take a command is kept in blocks of this size (a socket read's). */
const HELD_BLOCK = 64 * 1024;

/** Where an argv with big bulks keeps their buffers, by argument index, for the accessors that make their strings. */
const BIG_ARGS = Symbol('bigArgs');
type ArgvWithBigArgs = string[] & { [BIG_ARGS]?: BigArg[] };

/** Argument indexes up to this one get an accessor made once and kept. */
const SHARED_ACCESSORS = 1024;
const sharedAccessors: PropertyDescriptor[] = [];

function settleArg(argv: string[], index: number, value: string): string {
  Object.defineProperty(argv, index, { value, writable: true, enumerable: true, configurable: true });
  return value;
}

/**
 * The accessor of a big bulk at `index`, the same for every argv. V8 keeps
 * an accessor's functions in a pair it allocates in the old generation, so
 * closures made per request (holding the argv, its buffer and, once read,
 * its string) stayed reachable from every dead pair until the next
 * mark-compact: under a load of big APPENDs each scavenge copied the
 * last megabytes of them and promoted them, in pauses of milliseconds.
 * These functions hold nothing of a request.
 */
function bigArgAccessor(index: number): PropertyDescriptor {
  const kept = sharedAccessors[index];
  if (kept !== undefined) return kept;
  const accessor: PropertyDescriptor = {
    get(this: ArgvWithBigArgs): string {
      const big = this[BIG_ARGS]![index];
      return settleArg(this, index, big.bytes.latin1Slice(0, big.length));
    },
    set(this: string[], value: string): void {
      settleArg(this, index, value);
    },
    enumerable: true,
    configurable: true,
  };
  if (index < SHARED_ACCESSORS) sharedAccessors[index] = accessor;
  return accessor;
}

/**
 * Frames Redis requests (multibulk and inline) from socket chunks, enforcing
 * Redis's limits as each header arrives rather than after buffering the data.
 * Arguments come out as byte strings (one latin1 char per byte), copied out
 * of the chunks, so nothing downstream holds on to a socket buffer.
 */
export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Arguments still expected by the current multibulk, 0 between requests. */
  private multibulkLeft = 0;
  private argv: string[] = [];
  /** The bytes of argv plus ARG_OVERHEAD for each of its arguments: what argv counts toward the query buffer limit. */
  private argvCharge = 0;
  /** Declared length of the bulk being read, -1 while its header is awaited. */
  private bulkLen = -1;
  /**
   * Destination for a large bulk arriving over many chunks. It grows
   * geometrically up to the declared size (nextBigArgSize) rather than
   * being allocated at that size up front, so a header alone cannot make
   * us reserve 512 MB.
   */
  private bigArg: Buffer | null = null;
  private bigArgFilled = 0;
  /** The bulk's length plus its CRLF. */
  private bigArgNeed = 0;
  /**
   * The buffers of the big bulks of the request being framed, by argument
   * index (the argv's own BIG_ARGS, null while it has none).
   */
  private bigArgs: BigArg[] | null = null;
  /** The request with big bulks handed out last, whose buffers argBytes lends until the next one. */
  private requestArgv: string[] | null = null;
  private stopped = false;
  private failed = false;
  /**
   * What arrived while stopped, copied into blocks: appending each read to
   * `buf` would copy everything held again per read (43 s of CPU for 64 MB
   * sent to a blocked client), and a trickle of tiny reads must not make an
   * entry each. `resume()` reads the blocks one by one, as reads.
   */
  private held: Buffer[] = [];
  private heldAt = 0;
  /** Bytes used in the last held block. */
  private heldFill = 0;
  private heldBytes = 0;
  /** The last of the first three arguments, given again when repeated. */
  private readonly repeated = new RepeatedArgs();
  /** The last name asked of sink.bytesArgument, and the answer. */
  private bytesName = '';
  private bytesIndex = -1;
  /** The request handed out last, while its argument `unreadIndex` is still the bytes in `span` (see unreadArg). */
  private unreadArgv: string[] | null = null;
  private unreadIndex = -1;
  private readonly span: ByteSpan = { buf: EMPTY, start: 0, length: 0 };
  /** An argv array the sink handed back (recycle): the next whole request of its length is framed into it. */
  private spare: string[] | null = null;
  /** What frameAhead hands the sink: per request framed ahead, its name, and its second argument's offset and length. */
  private readonly aheadNames: string[] = [];
  private readonly aheadSpans = new Int32Array(2 * AHEAD_REQUESTS);
  /** Whether the sink asked, at this read, for its requests framed ahead; and how many framed ahead are still to be parsed after the current one. */
  private lookingAhead = false;
  private aheadLeft = 0;
  /** Reads left before this client is framed ahead again (AHEAD_IDLE_READS). */
  private aheadIdle = 0;

  constructor(
    private readonly sink: RequestSink,
    private readonly limits: ParserLimits,
  ) {}

  /** Authenticated clients get the full limits; others the tight pre-AUTH ones. */
  authenticated = true;

  /**
   * Frames and runs what a chunk completes. The chunk is only borrowed for
   * the call (the server reads every socket into one shared buffer), so
   * whatever the parser keeps of it is copied.
   */
  /** The sink refused the last request (blocked, paused, closing): input is held until resume(). */
  get isStopped(): boolean {
    return this.stopped || this.failed;
  }

  feed(chunk: Buffer): void {
    if (this.failed) return;
    if (this.stopped) this.hold(chunk);
    else this.consume(chunk);
  }

  private consume(chunk: Buffer): void {
    if (this.bigArg !== null) {
      chunk = this.fillBigArg(chunk);
      if (this.bigArg !== null) {
        this.checkQueryBuffer();
        return;
      }
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else if (chunk.length > 0) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    } else {
      this.buf = this.buf.subarray(this.pos);
    }
    this.pos = 0;
    this.aheadLeft = 0;
    if (this.aheadIdle > 0) {
      this.aheadIdle--;
      this.lookingAhead = false;
    } else {
      this.lookingAhead = this.authenticated && this.sink.looksAhead?.() === true;
    }
    if (!this.stopped) this.drain();
    if (this.buf === chunk) {
      this.buf = Buffer.from(chunk.subarray(this.pos));
      this.pos = 0;
    }
    this.checkQueryBuffer();
  }

  /** Continues with buffered requests after `command` returned false. */
  resume(): void {
    if (this.failed) return;
    this.stopped = false;
    this.drain();
    const held = this.held;
    while (this.heldAt < held.length && !this.stopped && !this.failed) {
      const i = this.heldAt++;
      const block = i === held.length - 1 ? held[i].subarray(0, this.heldFill) : held[i];
      this.heldBytes -= block.length;
      this.consume(block);
    }
    if (this.heldAt === held.length) {
      this.held = [];
      this.heldAt = 0;
    }
  }

  private hold(chunk: Buffer): void {
    const held = this.held;
    for (let from = 0; from < chunk.length; ) {
      if (held.length === 0 || this.heldFill === HELD_BLOCK) {
        held.push(Buffer.allocUnsafe(HELD_BLOCK));
        this.heldFill = 0;
      }
      const n = chunk.copy(held[held.length - 1], this.heldFill, from);
      this.heldFill += n;
      from += n;
    }
    this.heldBytes += chunk.length;
    this.checkQueryBuffer();
  }

  /** The bytes read and not parsed yet (Redis's query buffer from qb_pos), which the log line of a protocol error samples. */
  get unread(): Buffer {
    return this.buf.subarray(this.pos);
  }

  /** Bytes held for requests not yet executed. */
  get pendingBytes(): number {
    return this.charged - this.argv.length * ARG_OVERHEAD;
  }

  /**
   * What Redis's query buffer holds while a command runs: the bytes of the
   * requests still held and of those already run from the same read, which
   * Redis trims only once it has run them all (CLIENT LIST's qbuf for the
   * caller).
   */
  get bytesWithCurrentRead(): number {
    return this.pendingBytes + this.pos;
  }

  /** What counts toward client-query-buffer-limit: the bytes held, and ARG_OVERHEAD per argument read. */
  private get charged(): number {
    return this.buf.length - this.pos + this.argvCharge + (this.bigArg ? this.bigArgFilled : 0) + this.heldBytes;
  }

  private checkQueryBuffer(): void {
    if (!this.failed && this.charged > this.limits.queryBufferLimit) this.overflow();
  }

  private overflow(): void {
    this.failed = true;
    this.sink.queryBufferOverflow();
  }

  private fail(message: string): void {
    this.failed = true;
    this.sink.protocolError(message);
  }

  private drain(): void {
    while (!this.stopped && !this.failed && this.pos < this.buf.length) {
      let argv: string[] | null;
      if (this.multibulkLeft === 0 && this.argv.length === 0) {
        this.forgetRequestBytes();
        if (this.buf[this.pos] === 42 /* '*' */) {
          if (this.lookingAhead) {
            if (this.aheadLeft === 0) this.frameAhead();
            else this.aheadLeft--;
          }
          argv = this.wholeRequest() ?? this.parseMultibulk();
        } else {
          argv = this.parseInline();
        }
      } else {
        argv = this.parseBulks();
      }
      if (argv === null) break;
      if (argv.length === 0) continue;
      if (!this.sink.command(argv)) this.stopped = true;
      if (this.unreadArgv !== null) this.forgetUnread();
    }
    if (this.pos >= this.buf.length && this.bigArg === null) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  /**
   * Frames the whole requests from the one about to be parsed, up to
   * AHEAD_REQUESTS, for the sink's `ahead`, stopping at the first that is
   * not plain, not all here or longer than AHEAD_MAX_ARGS; the request
   * after the last of them frames ahead again. Reads headers only, and
   * changes nothing the parse that follows reads.
   */
  private frameAhead(): void {
    const buf = this.buf;
    const names = this.aheadNames;
    const spans = this.aheadSpans;
    let p = this.pos;
    let count = 0;
    /** Second arguments unlike the one before them (the first: unlike the last request's). */
    let fresh = 0;
    while (count < AHEAD_REQUESTS) {
      const n = scanDecimalHeader(buf, p, STAR);
      if (n < 2 || n > AHEAD_MAX_ARGS) break;
      p = scannedHeaderEnd;
      let nameAt = 0;
      let nameLength = 0;
      let i = 0;
      for (; i < n; i++) {
        const len = scanDecimalHeader(buf, p, DOLLAR);
        if (len < 0) break;
        p = scannedHeaderEnd;
        if (p + len + 2 > buf.length) break;
        if (i === 0) {
          nameAt = p;
          nameLength = len;
        } else if (i === 1) {
          spans[2 * count] = p;
          spans[2 * count + 1] = len;
          if (count === 0 ? !this.repeated.matches(buf, 1, p, len) : !sameBytes(buf, spans[2 * count - 2], spans[2 * count - 1], p, len)) fresh++;
        }
        p += len + 2;
      }
      if (i < n || nameLength > REMEMBERED[0]) break;
      names[count++] = this.repeated.arg(buf, 0, nameAt, nameLength);
    }
    this.aheadLeft = count > 0 ? count - 1 : 0;
    if (count > 1 && fresh < 2) {
      this.lookingAhead = false;
      this.aheadIdle = AHEAD_IDLE_READS;
    } else if (count > 1) {
      this.sink.ahead!(buf, names, spans, count);
    }
  }

  private parseInline(): string[] | null {
    const buf = this.buf;
    const nl = findLF(buf, this.pos);
    if (nl === -1 || hasNul(buf, this.pos, nl)) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) this.fail('Protocol error: too big inline request');
      return null;
    }
    // Refused even with its newline at hand: otherwise what is accepted would depend on how the bytes were split into reads.
    if (nl - this.pos > INLINE_MAX_SIZE) {
      this.fail('Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const start = this.pos;
    this.pos = nl + 1;
    const plain = splitUnquotedInline(buf, start, end);
    if (plain !== null) return plain;
    const args = splitInlineArgs(buf.subarray(start, end));
    if (args === null) {
      // The line stays unread, as in Redis's query buffer, for the log line to show it.
      this.pos = start;
      this.fail('Protocol error: unbalanced quotes in request');
      return null;
    }
    return args.map((a) => a.latin1Slice(0, a.length));
  }

  /**
   * The common case in one pass: a multibulk whose every header is plain
   * and whose bytes are all in the buffer. Returns its argv, or null having
   * changed nothing, and the general path then frames it (or waits, or
   * fails with Redis's error).
   */
  private wholeRequest(): string[] | null {
    const buf = this.buf;
    const n = scanDecimalHeader(buf, this.pos, STAR);
    if (n <= 0 || n > MAX_MULTIBULK || (!this.authenticated && n > UNAUTH_MAX_MULTIBULK)) return null;
    const maxBulk = this.authenticated ? Math.min(this.limits.maxBulkLen, BIG_ARG_THRESHOLD) : Math.min(UNAUTH_MAX_BULK, BIG_ARG_THRESHOLD);
    // The charge stays far below the limit unless the limit is tiny: checked in full, as the general path would.
    if (n * (maxBulk + ARG_OVERHEAD) > this.limits.queryBufferLimit) return null;
    let p = scannedHeaderEnd;
    // Each argument takes at least "$0\r\n\r\n": a request that cannot be all here gets no array.
    if (buf.length - p < n * 6) return null;
    const spare = this.spare;
    let argv: string[];
    if (spare !== null && spare.length === n) {
      argv = spare;
      this.spare = null;
    } else {
      argv = new Array<string>(n);
    }
    let unread = -1;
    let unreadStart = 0;
    let unreadLength = 0;
    for (let i = 0; i < n; i++) {
      const len = scanDecimalHeader(buf, p, DOLLAR);
      if (len < 0 || len > maxBulk) return null;
      p = scannedHeaderEnd;
      if (p + len + 2 > buf.length) return null;
      if (i === unread) {
        argv[i] = UNREAD;
        unreadStart = p;
        unreadLength = len;
      } else {
        argv[i] = i < REMEMBERED.length ? this.repeated.arg(buf, i, p, len) : byteString(buf, p, len);
      }
      if (i === 0) unread = this.unreadIndexFor(argv[0], n);
      // Like Redis, the two bytes after the data are skipped unchecked.
      p += len + 2;
    }
    this.pos = p;
    if (unread > 0) {
      this.unreadArgv = argv;
      this.unreadIndex = unread;
      const span = this.span;
      span.buf = buf;
      span.start = unreadStart;
      span.length = unreadLength;
    }
    return argv;
  }

  /** The argument of a request named `name` with `argc` arguments to leave unread, or -1 (see unreadArg). */
  private unreadIndexFor(name: string, argc: number): number {
    const sink = this.sink;
    if (name !== this.bytesName) {
      this.bytesName = name;
      this.bytesIndex = sink.bytesArgument === undefined ? -1 : sink.bytesArgument(name);
    }
    const index = this.bytesIndex;
    return index > 0 && index < argc && sink.mayLeaveUnread!() ? index : -1;
  }

  /**
   * The bytes of `argv[i]` when the sink took that argument as bytes
   * (RequestSink.bytesArgument) and the parser left it unread: `argv` holds
   * an empty string in its place, and no string of it was made. Only a
   * request framed whole from one read is left so (the common case), and
   * only while the sink's `command` runs: the span lends the read buffer.
   * Null otherwise.
   */
  unreadArg(argv: readonly string[], i: number): ByteSpan | null {
    return argv === this.unreadArgv && i === this.unreadIndex ? this.span : null;
  }

  /** Makes the unread argument of `argv`, if it has one, a string like the others: for what reads argv besides the handler (the slow log). */
  readUnread(argv: string[]): void {
    if (argv !== this.unreadArgv) return;
    const span = this.span;
    argv[this.unreadIndex] = byteString(span.buf, span.start, span.length);
    this.forgetUnread();
  }

  private forgetUnread(): void {
    this.unreadArgv = null;
    this.span.buf = EMPTY;
  }

  private parseMultibulk(): string[] | null {
    const buf = this.buf;
    const quick = scanDecimalHeader(buf, this.pos, STAR);
    if (quick >= 0 && quick <= MAX_MULTIBULK && (this.authenticated || quick <= UNAUTH_MAX_MULTIBULK)) {
      this.pos = scannedHeaderEnd;
      if (quick === 0) return [];
      this.startMultibulk(quick);
      return this.parseBulks();
    }
    const cr = buf.indexOf(CR, this.pos);
    if (cr === -1 || hasNul(buf, this.pos, cr)) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) this.fail('Protocol error: too big mbulk count string');
      return null;
    }
    if (cr + 1 >= buf.length) return null;
    const n = parseStrictInt(buf, this.pos + 1, cr);
    if (n === null || n > 2147483647) {
      this.fail('Protocol error: invalid multibulk length');
      return null;
    }
    if (!this.authenticated && n > UNAUTH_MAX_MULTIBULK) {
      this.fail('Protocol error: unauthenticated multibulk length');
      return null;
    }
    if (n > MAX_MULTIBULK) {
      this.fail('Protocol error: invalid multibulk length');
      return null;
    }
    this.pos = cr + 2;
    if (n <= 0) return [];
    this.startMultibulk(n);
    return this.parseBulks();
  }

  private startMultibulk(n: number): void {
    this.multibulkLeft = n;
    this.argv = [];
    this.argvCharge = 0;
    this.bulkLen = -1;
    this.bigArgs = null;
  }

  private parseBulks(): string[] | null {
    const buf = this.buf;
    const limit = this.limits.queryBufferLimit;
    while (this.multibulkLeft > 0) {
      if (this.bulkLen === -1) {
        if (this.pos >= buf.length) return null;
        const quick = scanDecimalHeader(buf, this.pos, DOLLAR);
        if (quick >= 0 && quick <= this.limits.maxBulkLen && quick <= MAX_ARG_LENGTH && (this.authenticated || quick <= UNAUTH_MAX_BULK)) {
          this.pos = scannedHeaderEnd;
          this.bulkLen = quick;
        } else {
          this.parseBulkHeaderSlowly(buf);
          if (this.bulkLen === -1) return null;
        }
      }
      const need = this.bulkLen + 2;
      if (buf.length - this.pos < need) {
        if (this.bulkLen >= BIG_ARG_THRESHOLD) this.startBigArg();
        return null;
      }
      const index = this.argv.length;
      this.pushArg(index < REMEMBERED.length ? this.repeated.arg(buf, index, this.pos, this.bulkLen) : byteString(buf, this.pos, this.bulkLen));
      // Like Redis, the two bytes after the data are skipped unchecked.
      this.pos += need;
      // Per argument, not per chunk: however much input one call brings, argv stays within the limit.
      if (this.argvCharge > limit) {
        this.overflow();
        return null;
      }
    }
    return this.takeArgv();
  }

  /**
   * The general bulk header path: waits for the whole line, or fails with
   * Redis's error. Leaves bulkLen at -1 unless a header was read.
   */
  private parseBulkHeaderSlowly(buf: Buffer): void {
    const cr = buf.indexOf(CR, this.pos);
    if (cr === -1 || hasNul(buf, this.pos, cr)) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) this.fail('Protocol error: too big bulk count string');
      return;
    }
    // Redis judges the header only once its whole line (CR and one more byte) is in.
    if (cr + 1 >= buf.length) return;
    if (buf[this.pos] !== 36 /* '$' */) {
      this.fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
      return;
    }
    const len = parseStrictInt(buf, this.pos + 1, cr);
    if (len === null || len < 0 || len > this.limits.maxBulkLen) {
      this.fail('Protocol error: invalid bulk length');
      return;
    }
    if (!this.authenticated && len > UNAUTH_MAX_BULK) {
      this.fail('Protocol error: unauthenticated bulk length');
      return;
    }
    // Checked after Redis's own tests, so that each keeps its error; only the length V8 cannot hold is Sluice's.
    if (len > MAX_ARG_LENGTH) {
      this.fail('Protocol error: invalid bulk length');
      return;
    }
    this.pos = cr + 2;
    this.bulkLen = len;
  }

  /**
   * Adds a big bulk to argv as an element that becomes its string when
   * first read. Node makes a string that long as a copy outside V8's heap,
   * which a mark-compact then frees (clear.external_string_table, a pause
   * that grows with the bytes): SET, which takes the
   * bytes (argBytes), then never has it made. Reading the element, or
   * assigning it, leaves an ordinary data property. The buffers are found
   * from the argv itself (BIG_ARGS), by accessors shared by every request
   * (bigArgAccessor).
   */
  private pushBigArg(big: Buffer, length: number): void {
    const argv = this.argv as ArgvWithBigArgs;
    const index = argv.length;
    if (this.bigArgs === null) argv[BIG_ARGS] = this.bigArgs = [];
    this.bigArgs[index] = { bytes: big, length };
    this.pushArg(UNREAD);
    this.argvCharge += length;
    Object.defineProperty(argv, index, bigArgAccessor(index));
  }

  private pushArg(arg: string): void {
    this.argv.push(arg);
    this.argvCharge += arg.length + ARG_OVERHEAD;
    this.bulkLen = -1;
    this.multibulkLeft--;
  }

  private takeArgv(): string[] {
    const argv = this.argv;
    this.argv = [];
    this.argvCharge = 0;
    if (this.bigArgs !== null) {
      this.requestArgv = argv;
      this.bigArgs = null;
    }
    return argv;
  }

  /**
   * The bytes of `argv[i]` when it is a big bulk (32 KiB or more, spanning
   * reads) of the request this parser handed out last, which it copied into
   * a buffer of its own: a command that keeps the value as bytes (SET of a
   * value that will be changed in place) can take that buffer, and the
   * string is then never made (see pushBigArg). Null for any other
   * argument, or an argv that is not that request's (a command queued by
   * MULTI, a blocked command run again). The argument is the buffer's first
   * `length` bytes; past them (its CRLF, then bigArgRoom's room) the bytes
   * are free to overwrite. The buffer is the caller's to keep; the parser
   * never writes to it again. A caller that changes those first bytes must
   * first read argv[i] if anything may still read it (what propagates the
   * command): the string is made from the buffer when first read.
   */
  argBytes(argv: readonly string[], i: number): BigArg | null {
    if (argv !== this.requestArgv) return null;
    return (argv as ArgvWithBigArgs)[BIG_ARGS]![i] ?? null;
  }

  /**
   * The bytes of `argv[i]` while it is a big bulk of the request handed out
   * last whose string has not been made: for what only shows the argument
   * (the slow log's first bytes and length), which would otherwise make a
   * string of the whole bulk. Null once the element was read or assigned,
   * and for any other argument.
   */
  unreadBigArg(argv: readonly string[], i: number): BigArg | null {
    if (argv !== this.requestArgv) return null;
    const big = (argv as ArgvWithBigArgs)[BIG_ARGS]![i];
    if (big === undefined) return null;
    return Object.getOwnPropertyDescriptor(argv, i)?.get !== undefined ? big : null;
  }

  /**
   * Takes back the argv of a request whose command has run, when nothing
   * holds it any more: the array was a JSArray and its backing store, most
   * of what a short command leaves for the young generation's collector.
   */
  recycle(argv: string[]): void {
    // An argv with a big bulk has its element made on first read, which leaves V8 a slow array: not worth reusing.
    if (argv !== this.requestArgv) this.spare = argv;
  }

  /** Lets go of the last request's big buffers (its command has run), so an idle connection holds none. */
  forgetRequestBytes(): void {
    this.requestArgv = null;
  }

  /** Moves a large partial bulk into its own buffer so later chunks are copied (amortised) once. */
  private startBigArg(): void {
    const need = this.bulkLen + 2;
    const have = this.buf.length - this.pos;
    const big = Buffer.allocUnsafe(Math.min(bigArgCap(need), Math.max(BIG_ARG_INITIAL_SIZE, have * 2)));
    this.buf.copy(big, 0, this.pos);
    this.bigArg = big;
    this.bigArgFilled = have;
    this.bigArgNeed = need;
    this.pos = this.buf.length;
  }

  /** Copies into the pending big argument; returns what is left of the chunk. */
  private fillBigArg(chunk: Buffer): Buffer {
    let big = this.bigArg!;
    const need = this.bigArgNeed;
    const take = Math.min(need - this.bigArgFilled, chunk.length);
    if (this.bigArgFilled + take > big.length) {
      const grown = Buffer.allocUnsafe(nextBigArgSize(big.length, this.bigArgFilled + take, bigArgCap(need)));
      big.copy(grown, 0, 0, this.bigArgFilled);
      big = this.bigArg = grown;
    }
    chunk.copy(big, this.bigArgFilled, 0, take);
    this.bigArgFilled += take;
    if (this.bigArgFilled < need) return EMPTY;
    this.bigArg = null;
    this.bigArgFilled = 0;
    this.pushBigArg(big, need - 2);
    if (this.multibulkLeft === 0) {
      const argv = this.takeArgv();
      if (!this.sink.command(argv)) this.stopped = true;
    }
    return chunk.subarray(take);
  }
}

/** How large a big bulk's buffer may grow: the bulk and its CRLF (`need` bytes), and the room past them. */
function bigArgCap(need: number): number {
  return need + bigArgRoom(need - 2);
}

/** Whether `buf[a, a + an)` and `buf[b, b + bn)` hold the same bytes. */
function sameBytes(buf: Buffer, a: number, an: number, b: number, bn: number): boolean {
  if (an !== bn) return false;
  for (let i = an - 1; i >= 0; i--) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/** Where the line read by the last successful scanDecimalHeader ends (past its CRLF). */
let scannedHeaderEnd = 0;

const STAR = 42;
const DOLLAR = 36;

/**
 * The common case of a `*N` or `$N` header in one pass: the `type` byte
 * asked for, 1 to 15 plain digits without a leading zero, CR, and at least
 * one byte more in the buffer. Returns N (and sets scannedHeaderEnd), or -1
 * for anything else, which the general path then waits for or rejects with
 * Redis's error (a `*` where a bulk's `$` belongs is a protocol error).
 */
function scanDecimalHeader(buf: Buffer, start: number, type: typeof STAR | typeof DOLLAR): number {
  if (start >= buf.length || buf[start] !== type) return -1;
  const end = Math.min(buf.length, start + 17);
  let i = start + 1;
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c === CR) break;
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  const digits = i - start - 1;
  if (i >= end || digits === 0 || i + 1 >= buf.length) return -1;
  if (digits > 1 && buf[start + 1] === 48) return -1;
  scannedHeaderEnd = i + 2;
  return n;
}

/** Bytes of a line that findLF scans itself before it leaves the rest to Buffer#indexOf. */
const SHORT_LINE = 128;

/**
 * The position of the first LF at or after `from`, or -1. Buffer#indexOf
 * is a call into C++ that costs more than scanning a short line in
 * JavaScript (an inline PING, a health check), so a line's first bytes are
 * scanned here and only a longer line goes to it.
 */
function findLF(buf: Buffer, from: number): number {
  const stop = Math.min(buf.length, from + SHORT_LINE);
  for (let i = from; i < stop; i++) if (buf[i] === LF) return i;
  return stop === buf.length ? -1 : buf.indexOf(LF, stop);
}

/**
 * Redis finds line ends with strchr, which stops at a NUL byte: a header or
 * inline line with a NUL before its terminator never completes, and the
 * client is eventually refused for a too long line. We behave the same.
 */
function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

const LLONG_MAX = 9223372036854775807n;

/**
 * Redis's string2ll for a header: optional '-', then "0" alone or a digit
 * 1-9 followed by digits, at most 20 characters, within a signed 64-bit
 * range. Values beyond 2^53 come back inexact but on the right side of
 * every limit compared against them.
 */
function parseStrictInt(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  if (end - start === 1 && buf[start] === 48 /* '0' */) return 0;
  let i = start;
  const neg = buf[i] === 45; /* '-' */
  if (neg) i++;
  if (i === end || buf[i] < 49 || buf[i] > 57) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) {
    const exact = BigInt(buf.latin1Slice(neg ? start + 1 : start, end));
    if (exact > (neg ? LLONG_MAX + 1n : LLONG_MAX)) return null;
  }
  return neg ? -n : n;
}
