import type { Protocol, Reply } from '../protocol/reply.js';
import { LuaTable, type LuaValue } from './lua/index.js';

/** Lua's LUAI_MAXCSTACK: the C stack slots Redis's conversion may use before it gives up. */
const MAX_SLOTS = 8000;
/** Slots in use when the conversion starts (the error handler and the result). */
const BASE_SLOTS = 2;

/** A value still to write, and the Lua stack slots Redis's recursive conversion would have in use for it. */
interface Pending {
  v: LuaValue;
  slots: number;
}

/**
 * Writes a script's result as the caller's reply, by Redis's conversion
 * table: numbers as integers (truncated; NaN and out-of-range values as
 * C's conversion leaves them, the minimum int64), strings as bulks, tables
 * by their first field among err, ok, double, big_number, verbatim_string,
 * map and set, otherwise as an array up to the first nil. `scriptProto` is
 * the protocol the script chose (redis.setresp): under RESP2 true is the
 * integer 1 and false a null, under RESP3 they are booleans.
 *
 * Redis converts recursively and, where its Lua stack would run out (a
 * value nested about 8,000 deep, or a table that contains itself), writes
 * `reached lua stack limit` in place of the rest. This walks the value with
 * a stack of its own (JavaScript's would run out far sooner) and counts the
 * slots Redis's recursion would use, so the error comes where Redis's does.
 */
export function writeLuaValue(reply: Reply, v: LuaValue, scriptProto: Protocol): void {
  const todo: Pending[] = [{ v, slots: BASE_SLOTS }];
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    if (item.slots + 4 > MAX_SLOTS) {
      reply.error('ERR reached lua stack limit');
      continue;
    }
    const x = item.v;
    switch (typeof x) {
      case 'string':
        reply.bulk(x);
        break;
      case 'number':
        reply.integer(toInt64(x));
        break;
      case 'boolean':
        if (scriptProto === 3) reply.boolean(x);
        else if (x) reply.integer(1);
        else reply.nullBulk();
        break;
      default:
        if (x instanceof LuaTable) writeTable(reply, x, item.slots, todo);
        else reply.nullBulk();
    }
  }
}

function toInt64(n: number): number | bigint {
  if (Number.isSafeInteger(n)) return n;
  if (!(n >= -9223372036854775808 && n < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(Math.trunc(n));
}

/** Writes a table's own reply; the values inside go on `todo`, last first, to be written after it in order. */
function writeTable(reply: Reply, t: LuaTable, slots: number, todo: Pending[]): void {
  const err = t.getStr('err');
  if (typeof err === 'string') {
    reply.error(err);
    // A command's error from redis.pcall, returned as it came: counted when the command failed.
    reply.lastErrorCounted = t.getStr('ignore_error_stats_update') === true;
    return;
  }
  const ok = t.getStr('ok');
  if (typeof ok === 'string') {
    reply.simple(ok.replace(/[\r\n]/g, ' '));
    return;
  }
  const double = t.getStr('double');
  if (typeof double === 'number') {
    reply.double(double);
    return;
  }
  const big = t.getStr('big_number');
  if (typeof big === 'string') {
    reply.bigNumber(big.replace(/[\r\n]/g, ' '));
    return;
  }
  const verbatim = t.getStr('verbatim_string');
  if (verbatim instanceof LuaTable) {
    const format = verbatim.getStr('format');
    const text = verbatim.getStr('string');
    if (typeof format === 'string' && typeof text === 'string') {
      // Redis takes the first three bytes of the format, whatever its length.
      reply.verbatim(text, format.padEnd(3, '\0').slice(0, 3));
      return;
    }
  }
  const map = t.getStr('map');
  if (map instanceof LuaTable) {
    const entries: [LuaValue, LuaValue][] = [];
    for (let e = map.next(undefined); e !== null; e = map.next(e[0])) entries.push(e);
    reply.map(entries.length);
    // Redis walks a map with lua_next: the map, the key, the value and a copy of the key are on its stack for the key.
    for (let i = entries.length - 1; i >= 0; i--) {
      todo.push({ v: entries[i][1], slots: slots + 3 }, { v: entries[i][0], slots: slots + 4 });
    }
    return;
  }
  const set = t.getStr('set');
  if (set instanceof LuaTable) {
    const members: LuaValue[] = [];
    for (let e = set.next(undefined); e !== null; e = set.next(e[0])) members.push(e[0]);
    reply.set(members.length);
    for (let i = members.length - 1; i >= 0; i--) todo.push({ v: members[i], slots: slots + 3 });
    return;
  }
  let n = 0;
  while (t.getInt(n + 1) !== undefined) n++;
  reply.array(n);
  for (let i = n; i >= 1; i--) todo.push({ v: t.getInt(i), slots: slots + 1 });
}
