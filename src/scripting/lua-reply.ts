import { formatDouble } from '../protocol/double.js';
import type { Protocol, Reply } from '../protocol/reply.js';
import { LuaTable, type LuaValue } from './lua/index.js';

/** An aggregate being filled: its table, the next array index or pending map key, and how many values are to come. */
interface Open {
  /** 'skip': an attribute's pairs, which scripts do not see (as in Redis). */
  kind: 'array' | 'map' | 'set' | 'skip';
  table: LuaTable;
  /** The value handed up when the aggregate is complete (a map and a set are wrapped in {map=…}/{set=…}). */
  outer: LuaTable;
  remaining: number;
  index: number;
  key: LuaValue;
  haveKey: boolean;
}

/**
 * The reply sink of the script's client: what a command writes becomes the
 * Lua value `redis.call` returns, by Redis's conversion table for the
 * protocol the script chose with redis.setresp. Under RESP2 the types RESP2
 * lacks arrive already downgraded, as a RESP2 client would read them
 * (doubles and big numbers as bulk strings, booleans as integers, maps as
 * flat arrays); under RESP3 nulls are nil, booleans are booleans, and
 * doubles, big numbers, verbatim strings, maps and sets are tables with one
 * field naming their type.
 */
export class LuaReply implements Reply {
  proto: Protocol = 2;
  errors = 0;
  lastError = '';
  lastErrorCounted = false;
  /** The reply taken last was an error (what redis.call raises). */
  failed = false;
  private readonly stack: Open[] = [];
  private readonly empty = new LuaTable(0, 0);
  private result: LuaValue = undefined;
  /** The value written is an error reply (not an error inside an aggregate). */
  private top = false;

  /** The value written since the last take. */
  take(): LuaValue {
    const v = this.result;
    this.failed = this.top;
    this.top = false;
    this.result = undefined;
    // Setting an array's length is a runtime call (about 70 ns), even to the length it has.
    if (this.stack.length !== 0) this.stack.length = 0;
    return v;
  }

  private put(v: LuaValue): void {
    const top = this.stack.length === 0 ? undefined : this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.result = v;
      return;
    }
    if (top.kind === 'array') {
      top.table.rawSet(++top.index, v);
    } else if (top.kind === 'skip') {
      // Dropped.
    } else if (top.kind === 'set') {
      if (v !== undefined) top.table.rawSet(v, true);
    } else if (!top.haveKey) {
      top.key = v;
      top.haveKey = true;
    } else {
      if (top.key !== undefined) top.table.rawSet(top.key, v);
      top.haveKey = false;
    }
    if (--top.remaining === 0) {
      this.stack.pop();
      if (top.kind !== 'skip') this.put(top.outer);
    }
  }

  private open(kind: Open['kind'], n: number, wrapper: string | null): void {
    // A map's or set's table grows key by key from empty, as Redis's parser fills it: its layout, which pairs()
    // and a script's reply follow, depends on that history. An array's keys are 1..n, in order whatever its size.
    const table = new LuaTable(kind === 'array' ? n : 0, 0);
    let outer = table;
    if (wrapper !== null) {
      outer = new LuaTable(0, 1);
      outer.rawSet(wrapper, table);
    }
    if (n === 0) {
      this.put(outer);
      return;
    }
    this.stack.push({ kind, table, outer, remaining: kind === 'map' ? n * 2 : n, index: 0, key: undefined, haveKey: false });
  }

  private field(name: string, v: LuaValue): LuaTable {
    const t = new LuaTable(0, 1);
    t.rawSet(name, v);
    return t;
  }

  ok(): void {
    this.simple('OK');
  }
  simple(s: string): void {
    this.put(this.field('ok', s));
  }
  error(message: string): void {
    this.errors++;
    this.lastError = message;
    const t = errorTable(message);
    // The command's own call counted this error already; the script's reply must not count it again.
    t.rawSet('ignore_error_stats_update', true);
    if (this.stack.length === 0) this.top = true;
    this.put(t);
  }
  integer(n: number | bigint): void {
    this.put(Number(n));
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
    this.put(this.proto === 2 ? false : undefined);
  }
  nullArray(): void {
    this.put(this.proto === 2 ? false : undefined);
  }
  array(n: number): void {
    this.open('array', n, null);
  }
  map(n: number): void {
    if (this.proto === 2) this.open('array', n * 2, null);
    else this.open('map', n, 'map');
  }
  set(n: number): void {
    if (this.proto === 2) this.open('array', n, null);
    else this.open('set', n, 'set');
  }
  push(n: number): void {
    this.open('array', n, null);
  }
  attribute(n: number): void {
    if (n !== 0) this.stack.push({ kind: 'skip', table: this.empty, outer: this.empty, remaining: 2 * n, index: 0, key: undefined, haveKey: false });
  }
  double(d: number, text?: string): void {
    this.put(this.proto === 2 ? (text ?? formatDouble(d)) : this.field('double', d));
  }
  boolean(b: boolean): void {
    this.put(this.proto === 2 ? (b ? 1 : 0) : b);
  }
  verbatim(s: string, format = 'txt'): void {
    if (this.proto === 2) {
      this.put(s);
      return;
    }
    const inner = new LuaTable(0, 2);
    inner.rawSet('string', s);
    inner.rawSet('format', format);
    this.put(this.field('verbatim_string', inner));
  }
  bigNumber(digits: string): void {
    this.put(this.proto === 2 ? digits : this.field('big_number', digits));
  }
  /** No command a script may call writes pre-encoded bytes to its own client; kept as a bulk of those bytes. */
  raw(b: Buffer): void {
    this.put(b.toString('latin1'));
  }
}

/**
 * Redis's error table ({err = "CODE message"}, luaPushErrorBuff) from an
 * error reply's text: the code is what comes before the first space, ERR
 * when there is no space, and newlines around the message are trimmed.
 */
export function errorTable(message: string): LuaTable {
  const sp = message.indexOf(' ');
  const code = sp < 0 ? 'ERR' : message.slice(0, sp);
  const text = (sp < 0 ? message : message.slice(sp + 1)).replace(/^[\r\n]+|[\r\n]+$/g, '');
  const t = new LuaTable(0, 2);
  t.rawSet('err', code + ' ' + text);
  return t;
}
