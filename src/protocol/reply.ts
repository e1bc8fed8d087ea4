import type { ByteSpan } from './byte-span.js';
import { formatDouble } from './double.js';

export type Protocol = 2 | 3;

/**
 * Where command handlers write their replies. The socket client encodes RESP
 * into a buffer (RespWriter); scripting will capture values instead. Strings
 * are byte strings: one latin1 char per byte.
 */
export interface Reply {
  readonly proto: Protocol;
  /** Errors written so far; the dispatcher reads it for error statistics. */
  errors: number;
  lastError: string;
  /**
   * The last error's statistics were counted where it arose (a command a
   * script called, whose error the script passes on: Redis's
   * ERR_REPLY_FLAG_NO_STATS_UPDATE); the call still counts as failed.
   */
  lastErrorCounted: boolean;
  ok(): void;
  simple(s: string): void;
  /**
   * An error reply. Line breaks in the message become spaces, as Redis's
   * addReplyErrorFormat makes them; with `keepLineFeeds` a lone LF stays,
   * as Redis sends a script's error (only CR is replaced, so the reply
   * still ends at its CRLF).
   */
  error(message: string, keepLineFeeds?: boolean): void;
  integer(n: number | bigint): void;
  bulk(s: string): void;
  /**
   * The bulk string `<a>-<b>` of two non-negative safe integers (a stream
   * ID), which the output writes digit by digit: the string would be built
   * as two parts and flattened again to be written.
   */
  bulkDashed(a: number, b: number): void;
  bulkBuffer(b: Buffer): void;
  /** RESP2 `$-1`, RESP3 `_`. */
  nullBulk(): void;
  /** RESP2 `*-1`, RESP3 `_`. */
  nullArray(): void;
  array(n: number): void;
  /** A map of n pairs: RESP2 sends a flat array of 2n. */
  map(n: number): void;
  set(n: number): void;
  push(n: number): void;
  /**
   * A double; `text` is how to write it where Redis formats it its own way
   * (GEOPOS's coordinates as %.17Lf): a sink that keeps values keeps `d`.
   */
  double(d: number, text?: string): void;
  boolean(b: boolean): void;
  verbatim(s: string, format?: string): void;
  bigNumber(digits: string): void;
  /** A RESP3 attribute of n pairs, which annotates the reply after it (only written in RESP3). */
  attribute(n: number): void;
  /** Bytes already encoded for this connection's protocol. */
  raw(b: Buffer): void;
}

const CRLF = '\r\n';
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');

const MIN_CAPACITY = 1024;
const MAX_HINT = 64 * 1024;
/** A client keeps its reply buffer between turns up to this size (Redis's per-client reply buffer is 16 KiB). */
const MAX_REUSED = 16 * 1024;
/** Larger reply buffers, up to this size, go back to the shared pool once written, for whichever writer grows one next. */
const MAX_POOLED = 128 * 1024;
/** The most the pool holds, in all: a turn's worth for a hundred busy clients at 128 KiB. */
const POOL_BYTES = 16 * 1024 * 1024;

/**
 * Reply buffers between MAX_REUSED and MAX_POOLED bytes that a socket has
 * finished writing. A client that receives tens of KiB a turn (a subscriber
 * to many distinct patterns, a pipeline of large values) would otherwise
 * take a fresh buffer every turn, each an ArrayBuffer of its own: V8 counts
 * them as external memory and answers their churn with scavenge after
 * scavenge and, once its old-generation limit sits close to the heap's
 * size, a mark-compact every 100 ms or so (the benchmark's pattern case:
 * 1.7-2.0 million deliveries a second with the churn, 3.0-4.4 million
 * with the pool).
 * Idle clients keep nothing larger than MAX_REUSED; the pool is what stays.
 */
const pool: Buffer[] = [];
let pooledBytes = 0;

/** The smallest pooled buffer of at least `min` bytes, or null: a larger one is left for a larger need. */
function fromPool(min: number): Buffer | null {
  let best = -1;
  for (let i = pool.length - 1; i >= 0; i--) {
    const n = pool[i].length;
    if (n < min || (best >= 0 && n >= pool[best].length)) continue;
    best = i;
    if (n === min) break;
  }
  return best < 0 ? null : takeFromPool(best);
}

function takeFromPool(i: number): Buffer {
  const b = pool[i];
  pool[i] = pool[pool.length - 1];
  pool.pop();
  pooledBytes -= b.length;
  return b;
}

/**
 * Keeps a written buffer for reuse, if it is a whole allocation of a pooled
 * size. A full pool lets go of smaller buffers to make room for it: a
 * buffer grows by doubling through the smaller sizes each turn, and those
 * had filled the pool (99 of 32 KiB and 100 of 64 KiB beside 53 of 128 KiB
 * with 100 subscribers to distinct patterns), so that the turn's 128 KiB
 * buffers missed it, about a thousand a second, each a fresh ArrayBuffer.
 */
function toPool(b: Buffer): void {
  if (b.length > MAX_POOLED) return;
  if (b.byteOffset !== 0 || b.buffer.byteLength !== b.length) return;
  while (pooledBytes + b.length > POOL_BYTES) {
    let smallest = -1;
    for (let i = 0; i < pool.length; i++) {
      if (pool[i].length < b.length && (smallest < 0 || pool[i].length < pool[smallest].length)) smallest = i;
    }
    if (smallest < 0) return;
    takeFromPool(smallest);
  }
  pool.push(b);
  pooledBytes += b.length;
}

/** Bytes the pool holds now (for tests). */
export function pooledReplyBytes(): number {
  return pooledBytes;
}
/**
 * The largest buffer a RespWriter grows by doubling. Past it, what is
 * written is sealed as a piece of output and writing goes on in a new
 * buffer, and a single write larger than this (a big bulk) gets a buffer
 * of exactly its size. One reply may be larger than any Buffer can be
 * (buffer.constants.MAX_LENGTH, 4 GiB): an MGET of nine 500 MB values.
 */
export const MAX_BUFFER = 16 * 1024 * 1024;

/** Called through the prototype, as byteString calls latin1Slice (see there). */
const latin1Write = Buffer.prototype.latin1Write;

/** Writes `<type><n>\r\n` for a non-negative safe integer n at `at`; returns the new end. */
export function writeHeader(buf: Buffer, at: number, type: number, n: number): number {
  buf[at++] = type;
  if (n < 10) {
    buf[at++] = 48 + n;
  } else if (n < 100) {
    buf[at++] = 48 + ((n / 10) | 0);
    buf[at++] = 48 + (n % 10);
  } else if (n < 0x40000000) {
    let digits = 3;
    for (let p = 1000; p <= n; p *= 10) digits++;
    for (let i = digits - 1, v = n; i >= 0; i--, v = (v / 10) | 0) buf[at + i] = 48 + (v % 10);
    at += digits;
  } else {
    at += latin1Write.call(buf, String(n), at);
  }
  buf[at++] = 13;
  buf[at++] = 10;
  return at;
}

/** How many decimal digits a non-negative safe integer has. */
export function digitCount(n: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  return digits;
}

/**
 * Writes the `digits` digits of a non-negative safe integer at `at`;
 * returns the new end. Past 2^31 it goes in two parts, each made an int32
 * first: on a double, V8's remainder is fmod, several times slower.
 */
function writeDigits(buf: Buffer, at: number, n: number, digits: number): number {
  let i = at + digits - 1;
  let v: number;
  if (n >= 0x80000000) {
    const high = Math.floor(n / 1e8);
    let low = (n - high * 1e8) | 0;
    for (const end = i - 8; i > end; i--) {
      buf[i] = 48 + (low % 10);
      low = (low / 10) | 0;
    }
    v = high | 0;
  } else {
    v = n | 0;
  }
  for (; i >= at; i--) {
    buf[i] = 48 + (v % 10);
    v = (v / 10) | 0;
  }
  return at + digits;
}

/** Below this length a byte loop beats the native write's fixed cost. */
const SHORT_BULK = 32;

/**
 * Copies all of `src` into `dst` at `at`; returns the new end. Replies and
 * message headers are mostly a few bytes, where a byte loop beats
 * Buffer#copy's argument checks and native call.
 */
export function copyBytes(src: Buffer, dst: Buffer, at: number): number {
  const n = src.length;
  if (n < SHORT_BULK) {
    for (let i = 0; i < n; i++) dst[at + i] = src[i];
    return at + n;
  }
  return at + src.copy(dst, at);
}

/**
 * Below this length a byte loop copies a range faster than Buffer#copy,
 * which makes a view of the range first (Node 20, measured: 41 against 51 ns
 * at 64 bytes, 85 against 52 at 128).
 */
const SHORT_RANGE = 96;

/** Writes a span's bytes as a bulk string at `at` (the caller makes room: bulkSize); returns the new end. */
export function writeSpanBulk(buf: Buffer, at: number, span: ByteSpan): number {
  const n = span.length;
  at = writeHeader(buf, at, 36 /* $ */, n);
  if (n < SHORT_RANGE) {
    const src = span.buf;
    const from = span.start;
    for (let i = 0; i < n; i++) buf[at + i] = src[from + i];
    at += n;
  } else {
    at += span.buf.copy(buf, at, span.start, span.start + n);
  }
  buf[at++] = 13;
  buf[at++] = 10;
  return at;
}

/** Bytes `writeBulk` takes for a byte string, or `writeSpanBulk` for a span: `$<len>\r\n<bytes>\r\n`. */
export function bulkSize(s: string | ByteSpan): number {
  const n = s.length;
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  return digits + n + 5;
}

/** Writes a byte string as a bulk string at `at` (the caller makes room: bulkSize); returns the new end. */
export function writeBulk(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  at = writeHeader(buf, at, 36 /* $ */, n);
  if (n < SHORT_BULK) {
    for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    at += n;
  } else {
    at += latin1Write.call(buf, s, at);
  }
  buf[at++] = 13;
  buf[at++] = 10;
  return at;
}

/**
 * Output that will wait in a socket's queue: copied into one buffer, so that
 * the queue does not keep shared message buffers alive, unless it is larger
 * than MAX_BUFFER. Then the pieces stay as they are: most are the writer's
 * own sealed buffers, and a copy would double the memory (and could be
 * longer than a Buffer can be).
 */
export function forBacklog(out: Buffer[]): Buffer[] {
  let total = 0;
  for (const piece of out) total += piece.length;
  return total <= MAX_BUFFER ? [Buffer.concat(out, total)] : out;
}

/**
 * Encodes RESP2 or RESP3 into one growable buffer that the connection
 * flushes. Bytes other connections share (a published message, encoded
 * once for all its subscribers) are queued by reference instead, ahead of
 * what is written after them: consecutive frames from one shared buffer
 * make a single slice, so a subscriber's burst is one write and no copy.
 * A large output is sealed into pieces of at most MAX_BUFFER bytes, or of
 * one write's size when that is larger.
 */
export class RespWriter implements Reply {
  proto: Protocol = 2;
  errors = 0;
  lastError = '';
  lastErrorCounted = false;
  private buf: Buffer | null = null;
  /** Bytes written to the current private buffer, where `reserve`'s callers write next; it restarts when the buffer is sealed. */
  length = 0;
  /** Output that goes before the private buffer, in order; null when there is none. */
  private queued: Buffer[] | null = null;
  private queuedBytes = 0;
  /** The shared region still being extended (source, start, end), not yet in `queued`. */
  private sharedSrc: Buffer | null = null;
  private sharedStart = 0;
  private sharedEnd = 0;
  /** Whether the shared region has been extended: this writer is receiving a contiguous stream. */
  private sharedGrew = false;
  /** Size of the last private output taken (at most MAX_HINT): where the next buffer starts. */
  private lastTaken = 0;
  /** The buffer behind the last output taken, which `reclaim` may take back. */
  private spare: Buffer | null = null;
  /** What `take` returned when it set `spare`: the view of it that `reclaim` will be given back. */
  private spareTaken: Buffer | null = null;
  /** The last view `take` made, and of which buffer. */
  private lastView: Buffer | null = null;
  private lastViewOf: Buffer | null = null;

  /** `maxBuffer` is MAX_BUFFER but in tests. */
  constructor(private readonly maxBuffer = MAX_BUFFER) {}

  /** Every byte waiting to be written: queued, shared and private. */
  get pending(): number {
    return this.queuedBytes + (this.sharedEnd - this.sharedStart) + this.length;
  }

  /**
   * Where the output ends now, for `rewind`. Setting `length` back would
   * not do: a large reply may have sealed the buffer it pointed into.
   */
  mark(): number {
    return this.pending;
  }

  /** Drops what was written since `mark()` returned `to` (CLIENT REPLY OFF and SKIP). */
  rewind(to: number): void {
    let drop = this.pending - to;
    if (drop <= 0) return;
    if (drop <= this.length) {
      this.length -= drop;
      return;
    }
    drop -= this.length;
    this.length = 0;
    this.closeShared();
    const queued = this.queued!;
    while (drop > 0) {
      const last = queued.pop()!;
      if (last.length > drop) queued.push(last.subarray(0, last.length - drop));
      const dropped = Math.min(last.length, drop);
      this.queuedBytes -= dropped;
      drop -= dropped;
    }
    if (queued.length === 0) this.queued = null;
  }

  /**
   * Takes what was written, in order: a buffer of private bytes, or an
   * array of pieces when shared bytes are involved (a socket that cannot
   * write them at once should copy them rather than hold on to the shared
   * buffers). The writer starts afresh next time.
   */
  take(): Buffer | Buffer[] | null {
    if (this.queued === null && this.sharedSrc === null) {
      if (this.length === 0) return null;
      this.lastTaken = Math.min(this.length, MAX_HINT);
      const buf = this.buf!;
      // The same view as last time when it fits (a client sending the same request gets replies of one length):
      // a new view is a typed array to create. The buffer came back through `reclaim`, so that view is not in use.
      const view = this.lastView;
      const out = view !== null && this.lastViewOf === buf && view.length === this.length ? view : buf.subarray(0, this.length);
      const reused = buf.length <= MAX_REUSED;
      this.lastView = reused ? out : null;
      this.lastViewOf = reused ? buf : null;
      this.spare = reused || buf.length <= MAX_POOLED ? buf : null;
      this.spareTaken = out;
      this.buf = null;
      this.length = 0;
      return out;
    }
    this.closeShared();
    this.sealPrivate();
    this.spare = null;
    const out = this.queued!;
    this.queued = null;
    this.queuedBytes = 0;
    this.buf = null;
    return out;
  }

  /**
   * Appends src[start, end), bytes that must never change: by reference
   * when they start this writer's output or continue the region referenced
   * last (or follow a region that was growing, across the source's block
   * boundary), else, interleaved with other output, by copy, which for a
   * small frame costs less than another piece to write.
   */
  shared(src: Buffer, start: number, end: number): void {
    if (this.length === 0) {
      if (this.sharedSrc === src && this.sharedEnd === start) {
        this.sharedEnd = end;
        this.sharedGrew = true;
        return;
      }
      if ((this.sharedSrc === null && this.queued === null) || this.sharedGrew) {
        this.closeShared();
        this.sharedSrc = src;
        this.sharedStart = start;
        this.sharedEnd = end;
        this.sharedGrew = false;
        return;
      }
    }
    const buf = this.room(end - start);
    this.length += src.copy(buf, this.length, start, end);
  }

  /**
   * Room for `n` more bytes at `length` in the private buffer, for callers
   * that encode in place; they advance `length` by what they wrote.
   */
  reserve(n: number): Buffer {
    return this.room(n);
  }

  /**
   * The socket has written `out` (what `take` returned) through to the
   * kernel, so nothing refers to its bytes: when it is the latest output
   * taken and nothing was written since, the next replies reuse its buffer
   * instead of allocating one per event-loop turn.
   */
  reclaim(out: Buffer): void {
    const spare = this.spare;
    this.spare = null;
    // Compared by identity: reading a typed array's .buffer costs a call into the runtime.
    if (spare !== null && out === this.spareTaken) {
      if (spare.length > MAX_REUSED) toPool(spare);
      else if (this.buf === null) this.buf = spare;
    }
    this.spareTaken = null;
  }

  private enqueue(b: Buffer): void {
    (this.queued ??= []).push(b);
    this.queuedBytes += b.length;
  }

  private closeShared(): void {
    if (this.sharedSrc === null) return;
    this.enqueue(this.sharedSrc.subarray(this.sharedStart, this.sharedEnd));
    this.sharedSrc = null;
    this.sharedStart = this.sharedEnd = 0;
    this.sharedGrew = false;
  }

  /** Moves the private bytes into the queue; later writes continue in the rest of the buffer. */
  private sealPrivate(): void {
    if (this.length === 0) return;
    const buf = this.buf!;
    this.enqueue(buf.subarray(0, this.length));
    this.buf = buf.length - this.length >= MIN_CAPACITY ? buf.subarray(this.length) : null;
    this.length = 0;
  }

  private room(n: number): Buffer {
    const buf = this.buf;
    if (buf !== null && buf.length - this.length >= n) return buf;
    return this.grow(n);
  }

  private grow(n: number): Buffer {
    const buf = this.buf;
    // A fresh buffer starts as large as the last output was (within reason), so a busy client does not regrow it every turn.
    let cap = buf === null ? Math.max(MIN_CAPACITY, this.lastTaken) : buf.length * 2;
    while (cap - this.length < n) cap *= 2;
    let next: Buffer;
    if (cap <= this.maxBuffer) {
      // A power of two, so that one turn's buffer fits the next turn's need, whoever wrote it.
      const pooled = cap > MAX_REUSED && cap <= MAX_POOLED ? 2 ** Math.ceil(Math.log2(cap)) : 0;
      if (pooled !== 0 && pooled <= this.maxBuffer) {
        cap = pooled;
        next = fromPool(cap) ?? Buffer.allocUnsafe(cap);
      } else {
        next = Buffer.allocUnsafe(cap);
      }
      if (buf !== null) {
        if (this.length > 0) buf.copy(next, 0, 0, this.length);
        // Outgrown, and nothing else refers to it: a sealed buffer's remainder is a view, which the pool refuses.
        if (buf.length > MAX_REUSED) toPool(buf);
      }
    } else {
      // What is written becomes a piece as it is, and this write starts a buffer of its own size: no buffer outgrows maxBuffer but to hold one write.
      this.closeShared();
      this.sealPrivate();
      next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, n));
    }
    this.buf = next;
    return next;
  }

  private str(s: string): void {
    const buf = this.room(s.length);
    this.length += latin1Write.call(buf, s, this.length);
  }

  raw(b: Buffer): void {
    const buf = this.room(b.length);
    this.length = copyBytes(b, buf, this.length);
  }

  ok(): void {
    // Byte by byte: a copy of a constant five-byte buffer takes a loop and a call the handler may not inline.
    const buf = this.room(5);
    const at = this.length;
    buf[at] = 43; /* + */
    buf[at + 1] = 79; /* O */
    buf[at + 2] = 75; /* K */
    buf[at + 3] = 13;
    buf[at + 4] = 10;
    this.length = at + 5;
  }

  simple(s: string): void {
    const n = s.length;
    if (n >= SHORT_BULK) {
      this.str('+' + s + CRLF);
      return;
    }
    // A short one (PONG, QUEUED) byte by byte: the string joined and written by latin1Write was 7% of PING -P 16's profile.
    const buf = this.room(n + 3);
    let at = this.length;
    buf[at++] = 43; /* + */
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    buf[at++] = 13;
    buf[at++] = 10;
    this.length = at;
  }

  error(message: string, keepLineFeeds = false): void {
    this.errors++;
    const breaks = keepLineFeeds ? /\r/g : /[\r\n]/g;
    const clean = message.includes('\n') || message.includes('\r') ? message.replace(breaks, ' ') : message;
    this.lastError = clean;
    this.str('-' + clean + CRLF);
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && Number.isSafeInteger(n)) {
      if (n < 10) {
        // A digit (the 0 or 1 of most writes) without writeHeader's call; room for just its four bytes, so that one after a bulk which filled its buffer still shares it.
        const buf = this.room(4);
        const at = this.length;
        buf[at] = 58; /* : */
        buf[at + 1] = 48 + n;
        buf[at + 2] = 13;
        buf[at + 3] = 10;
        this.length = at + 4;
      } else {
        this.length = writeHeader(this.room(24), this.length, 58 /* : */, n);
      }
    } else {
      this.str(':' + n + CRLF);
    }
  }

  bulk(s: string): void {
    this.length = writeBulk(this.room(s.length + 24), this.length, s);
  }

  bulkDashed(a: number, b: number): void {
    const da = digitCount(a);
    const db = digitCount(b);
    const buf = this.room(da + db + 24);
    let at = writeHeader(buf, this.length, 36 /* $ */, da + db + 1);
    at = writeDigits(buf, at, a, da);
    buf[at++] = 45;
    at = writeDigits(buf, at, b, db);
    buf[at++] = 13;
    buf[at++] = 10;
    this.length = at;
  }

  bulkBuffer(b: Buffer): void {
    const buf = this.room(b.length + 24);
    let at = this.length;
    at += latin1Write.call(buf, '$' + b.length + CRLF, at);
    at += b.copy(buf, at);
    buf[at++] = 13;
    buf[at++] = 10;
    this.length = at;
  }

  nullBulk(): void {
    this.raw(this.proto === 3 ? NULL3 : NULL_BULK);
  }

  nullArray(): void {
    this.raw(this.proto === 3 ? NULL3 : NULL_ARRAY);
  }

  array(n: number): void {
    this.length = writeHeader(this.room(24), this.length, 42 /* * */, n);
  }

  map(n: number): void {
    this.str(this.proto === 3 ? '%' + n + CRLF : '*' + 2 * n + CRLF);
  }

  set(n: number): void {
    this.str((this.proto === 3 ? '~' : '*') + n + CRLF);
  }

  push(n: number): void {
    this.str((this.proto === 3 ? '>' : '*') + n + CRLF);
  }

  double(d: number, shown?: string): void {
    const text = shown ?? formatDouble(d);
    if (this.proto === 3) this.str(',' + text + CRLF);
    else this.bulk(text);
  }

  boolean(b: boolean): void {
    if (this.proto === 3) this.str(b ? '#t\r\n' : '#f\r\n');
    else this.integer(b ? 1 : 0);
  }

  verbatim(s: string, format = 'txt'): void {
    if (this.proto === 3) {
      // s is not concatenated: at V8's longest string that would throw with the header already written.
      const head = '=' + (s.length + 4) + CRLF + format + ':';
      const buf = this.room(head.length + s.length + 2);
      let at = this.length;
      at += latin1Write.call(buf, head, at);
      at += latin1Write.call(buf, s, at);
      buf[at++] = 13;
      buf[at++] = 10;
      this.length = at;
    } else {
      this.bulk(s);
    }
  }

  bigNumber(digits: string): void {
    if (this.proto === 3) this.str('(' + digits + CRLF);
    else this.bulk(digits);
  }

  attribute(n: number): void {
    this.str('|' + n + CRLF);
  }
}
