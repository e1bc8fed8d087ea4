import type { Client } from './client.js';
import { redactArgv } from './redact.js';

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds. */
  time: number;
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

/** Redis keeps at most 32 arguments of 128 bytes each in an entry. */
const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

/**
 * The slow log: commands that took at least slowlog-log-slower-than µs.
 * Entries are appended oldest first and dropped from the front in batches,
 * so logging one is O(1) amortised however long slowlog-max-len is.
 */
export class Slowlog {
  private entries: SlowlogEntry[] = [];
  /** Index of the oldest live entry in `entries`. */
  private head = 0;
  private nextId = 0;
  /** slowlog-log-slower-than (µs; negative disables) and slowlog-max-len, kept current by the server. */
  threshold = 10000;
  maxLen = 128;

  get length(): number {
    return this.entries.length - this.head;
  }

  consider(c: Client, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold) return;
    const max = this.maxLen;
    if (max === 0) return;
    c.readUnread(argv);
    const shown = redactArgv(argv);
    this.entries.push({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      usec,
      argv: trimArgv(shown, shown === argv ? c : null),
      addr: c.addr,
      name: c.name,
    });
    // Like Redis, a lowered slowlog-max-len takes effect at the next entry.
    while (this.length > max) this.head++;
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Up to `count` entries, newest first. */
  newest(count: number): SlowlogEntry[] {
    const out: SlowlogEntry[] = [];
    for (let i = this.entries.length - 1; i >= this.head && out.length < count; i--) out.push(this.entries[i]);
    return out;
  }

  reset(): void {
    this.entries = [];
    this.head = 0;
  }
}

/**
 * The arguments as the entry keeps them. A big bulk whose string was never
 * made (SET keeps its bytes) is shown from `c`'s parser, so that a slow SET
 * of megabytes does not make the string only to keep its first bytes.
 */
function trimArgv(argv: string[], c: Client | null): string[] {
  const n = Math.min(argv.length, MAX_ARGC);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (n < argv.length && i === n - 1) {
      out.push(`... (${argv.length - n + 1} more arguments)`);
      break;
    }
    const big = c === null ? null : c.unreadBigArg(argv, i);
    if (big !== null) {
      out.push(`${big.bytes.latin1Slice(0, MAX_ARG_LEN)}... (${big.length - MAX_ARG_LEN} more bytes)`);
      continue;
    }
    const a = argv[i];
    out.push(a.length > MAX_ARG_LEN ? `${prefix(a)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
  }
  return out;
}

/** The first MAX_ARG_LEN bytes as a string of their own: a V8 slice would keep the whole argument alive. */
function prefix(a: string): string {
  return Buffer.from(a.slice(0, MAX_ARG_LEN), 'latin1').latin1Slice(0, MAX_ARG_LEN);
}
