import { constants } from 'node:buffer';
import fs from 'node:fs';

const CHUNK = 1024 * 1024;
const TRUNCATED = -2;
/** More arguments than any request can carry (the query buffer limit counts each one), so a damaged count is caught. */
const MAX_ARGC = 1 << 27;
const EOF: ReadStep = { kind: 'eof' };

/** One step of reading an AOF file. Offsets are byte offsets in the file. */
export type ReadStep =
  | { kind: 'command'; argv: string[]; start: number; end: number }
  /** The file ended cleanly, at a command boundary. */
  | { kind: 'eof' }
  /** The file ended inside the command that starts at `at` (a crash mid-write). */
  | { kind: 'truncated'; at: number }
  /** Bytes that are not an AOF command, at `at`. */
  | { kind: 'bad'; at: number; reason: string };

/**
 * Reads the commands of one AOF file in order, as Redis's loader does: RESP
 * multibulk commands, `#` annotation lines (timestamps) skipped between
 * them. The file is read in 1 MiB chunks, so a file of any size loads in
 * bounded memory beyond its largest argument.
 */
export class AofReader {
  private buf = Buffer.allocUnsafe(CHUNK);
  /** File offset of buf[0]. */
  private base = 0;
  private pos = 0;
  private end = 0;
  private exhausted = false;
  /** The text of the last line number() could not read. */
  private badLine = '';

  /** `start`: the file offset to read from (the commands after an RDB preamble). */
  constructor(
    private readonly fd: number,
    start = 0,
  ) {
    this.base = start;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  next(): ReadStep {
    while (true) {
      const start = this.offset;
      if (!this.ensure(1)) return EOF;
      const first = this.buf[this.pos];
      if (first === 0x23) {
        // '#': an annotation; a partial one at the very end is as good as a whole one.
        this.readLine();
        continue;
      }
      if (first !== 0x2a) return { kind: 'bad', at: start, reason: `expected '*' at the start of a command, found ${describe(first)}` };
      const argc = this.number();
      if (argc === TRUNCATED) return { kind: 'truncated', at: start };
      if (argc < 1) return { kind: 'bad', at: start, reason: `invalid argument count '${argc === 0 ? '*0' : this.badLine}'` };
      // A damaged count must not become an allocation: no request could have had more arguments than V8 can hold.
      if (argc > MAX_ARGC) return { kind: 'bad', at: start, reason: `argument count ${argc} is larger than any command can have` };
      const argv: string[] = new Array(argc);
      for (let j = 0; j < argc; j++) {
        const argAt = this.offset;
        if (!this.ensure(1)) return { kind: 'truncated', at: start };
        if (this.buf[this.pos] !== 0x24) {
          return { kind: 'bad', at: argAt, reason: `expected '$' before argument ${j + 1} of ${argc}, found ${describe(this.buf[this.pos])}` };
        }
        const len = this.number();
        if (len === TRUNCATED) return { kind: 'truncated', at: start };
        if (len < 0) return { kind: 'bad', at: argAt, reason: `invalid argument length '${this.badLine}'` };
        if (len > constants.MAX_STRING_LENGTH) return { kind: 'bad', at: argAt, reason: `argument length ${len} is longer than any value can be` };
        if (!this.ensure(len + 2)) return { kind: 'truncated', at: start };
        const p = this.pos;
        if (this.buf[p + len] !== 13 || this.buf[p + len + 1] !== 10) {
          return { kind: 'bad', at: this.base + p + len, reason: 'expected CRLF after an argument' };
        }
        argv[j] = this.buf.latin1Slice(p, p + len);
        this.pos = p + len + 2;
      }
      return { kind: 'command', argv, start, end: this.offset };
    }
  }

  /**
   * The non-negative number of a `*<n>` or `$<n>` line (the type byte at
   * pos), read straight from the bytes; the line is consumed. TRUNCATED
   * when the file ends inside the line, -1 (with badLine set) when it is
   * not a number.
   */
  private number(): number {
    while (true) {
      const buf = this.buf;
      const end = this.end;
      let i = this.pos + 1;
      let n = 0;
      let digits = 0;
      while (i < end) {
        const b = buf[i];
        if (b < 0x30 || b > 0x39) break;
        n = n * 10 + (b - 0x30);
        digits++;
        i++;
      }
      if (i + 1 < end) {
        if (digits === 0 || digits > 15 || buf[i] !== 13 || buf[i + 1] !== 10) {
          const line = this.readLine();
          this.badLine = printable(line === null ? '' : line.text);
          return -1;
        }
        this.pos = i + 2;
        return n;
      }
      if (this.exhausted) return TRUNCATED;
      this.fill(i + 2 - this.pos);
    }
  }

  /** A line up to and including '\n' (like fgets), its text without the line ending; null at EOF. */
  private readLine(): { text: string; complete: boolean } | null {
    let nl = this.buf.indexOf(10, this.pos);
    while ((nl === -1 || nl >= this.end) && !this.exhausted) {
      const scanned = this.end - this.pos;
      this.fill(scanned + 1);
      nl = this.buf.indexOf(10, this.pos + scanned);
    }
    if (nl !== -1 && nl < this.end) {
      const stop = nl > this.pos && this.buf[nl - 1] === 13 ? nl - 1 : nl;
      const text = this.buf.latin1Slice(this.pos, stop);
      this.pos = nl + 1;
      return { text, complete: true };
    }
    if (this.pos >= this.end) return null;
    const text = this.buf.latin1Slice(this.pos, this.end);
    this.pos = this.end;
    return { text, complete: false };
  }

  /** Makes n bytes available from pos; false when the file ends first. */
  private ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    if (!this.exhausted) this.fill(n);
    return this.end - this.pos >= n;
  }

  /** Reads until at least n bytes are buffered from pos, or the file ends. */
  private fill(n: number): void {
    const have = this.end - this.pos;
    const size = Math.max(CHUNK, n + CHUNK);
    if (size > this.buf.length || this.pos > 0) {
      const next = size > this.buf.length ? Buffer.allocUnsafe(size) : this.buf;
      this.buf.copy(next, 0, this.pos, this.end);
      this.buf = next;
      this.base += this.pos;
      this.pos = 0;
      this.end = have;
    }
    while (this.end - this.pos < n && !this.exhausted) {
      const got = fs.readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (got === 0) this.exhausted = true;
      this.end += got;
    }
  }
}

function describe(byte: number | undefined): string {
  if (byte === undefined) return 'the end of the file';
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

function printable(s: string): string {
  const cut = s.length > 32 ? `${s.slice(0, 32)}…` : s;
  return cut.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
