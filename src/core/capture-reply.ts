import type { Protocol, Reply } from '../protocol/reply.js';

/**
 * A reply as a value rather than bytes: what the console's commands answer
 * and what a test inspects. Bulk strings are byte strings;
 * RESP2 maps come as flat arrays, as a RESP2 client would see them.
 */
export type Captured =
  | string
  | number
  | bigint
  | boolean
  | null
  | CapturedSimple
  | CapturedError
  | CapturedDouble
  | CapturedBig
  | CapturedVerbatim
  | Captured[]
  | CapturedMap
  | CapturedSet
  | CapturedPush;

export interface CapturedSimple {
  type: 'simple';
  value: string;
}
export interface CapturedError {
  type: 'error';
  message: string;
}
export interface CapturedDouble {
  type: 'double';
  value: number;
}
export interface CapturedBig {
  type: 'big';
  digits: string;
}
export interface CapturedVerbatim {
  type: 'verbatim';
  format: string;
  value: string;
}
export interface CapturedMap {
  type: 'map';
  entries: [Captured, Captured][];
}
export interface CapturedSet {
  type: 'set';
  items: Captured[];
}
export interface CapturedPush {
  type: 'push';
  items: Captured[];
}

/** An aggregate being filled: where its elements go and how many are still to come. */
interface Open {
  add(v: Captured): void;
  remaining: number;
  value: Captured;
  /** An attribute's pairs: no value of their own (what reads the replies does not see attributes). */
  dropped?: boolean;
}

/**
 * A reply sink that keeps replies as values. Aggregates are announced with
 * their length, as on the wire, and filled by the replies that follow. A
 * handler writes one reply per command; `take()` hands over what was
 * written, in order, and starts afresh.
 */
export class CaptureReply implements Reply {
  errors = 0;
  lastError = '';
  lastErrorCounted = false;
  private done: Captured[] = [];
  private readonly stack: Open[] = [];

  constructor(public proto: Protocol = 2) {}

  /** The replies written since the last take, each complete. */
  take(): Captured[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  private put(v: Captured): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.done.push(v);
      return;
    }
    top.add(v);
    if (--top.remaining === 0) {
      this.stack.pop();
      if (top.dropped !== true) this.put(top.value);
    }
  }

  private open(n: number, value: Captured, add: (v: Captured) => void): void {
    if (n === 0) {
      this.put(value);
      return;
    }
    this.stack.push({ add, remaining: n, value });
  }

  private list(n: number, wrap: (items: Captured[]) => Captured): void {
    const items: Captured[] = [];
    this.open(n, wrap(items), (v) => items.push(v));
  }

  ok(): void {
    this.simple('OK');
  }
  simple(s: string): void {
    this.put({ type: 'simple', value: s });
  }
  error(message: string): void {
    this.errors++;
    this.lastError = message;
    this.put({ type: 'error', message });
  }
  integer(n: number | bigint): void {
    this.put(n);
  }
  bulk(s: string): void {
    this.put(s);
  }
  bulkDashed(a: number, b: number): void {
    this.put(`${a}-${b}`);
  }
  bulkBuffer(b: Buffer): void {
    this.put(b.toString('latin1'));
  }
  nullBulk(): void {
    this.put(null);
  }
  nullArray(): void {
    this.put(null);
  }
  array(n: number): void {
    this.list(n, (items) => items);
  }
  map(n: number): void {
    if (this.proto === 2) {
      this.array(n * 2);
      return;
    }
    const entries: [Captured, Captured][] = [];
    let key: Captured = null;
    let odd = false;
    this.open(n * 2, { type: 'map', entries }, (v) => {
      if (odd) entries.push([key, v]);
      else key = v;
      odd = !odd;
    });
  }
  set(n: number): void {
    if (this.proto === 2) this.array(n);
    else this.list(n, (items) => ({ type: 'set', items }));
  }
  push(n: number): void {
    if (this.proto === 2) this.array(n);
    else this.list(n, (items) => ({ type: 'push', items }));
  }
  double(d: number): void {
    this.put({ type: 'double', value: d });
  }
  boolean(b: boolean): void {
    this.put(b);
  }
  verbatim(s: string, format = 'txt'): void {
    this.put(this.proto === 2 ? s : { type: 'verbatim', format, value: s });
  }
  bigNumber(digits: string): void {
    this.put(this.proto === 2 ? digits : { type: 'big', digits });
  }
  attribute(n: number): void {
    if (n !== 0) this.stack.push({ add: () => {}, remaining: 2 * n, value: null, dropped: true });
  }
  /** Pre-encoded bytes have no value form: they are kept as a bulk of their bytes. */
  raw(b: Buffer): void {
    this.put(b.toString('latin1'));
  }
}
