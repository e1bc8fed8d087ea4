import type { Protocol, Reply } from '../protocol/reply.js';
import { LuaTable, type LuaValue } from './lua/index.js';

/**
 * How deep a returned value may nest before Redis's conversion runs out of
 * Lua stack (four slots a level within LUAI_MAXCSTACK) and writes an error
 * in place of the rest; a table that contains itself ends there too.
 */
const MAX_DEPTH = 1999;

/**
 * Writes a script's result as the caller's reply, by Redis's conversion
 * table: numbers as integers (truncated; NaN and out-of-range values as
 * C's conversion leaves them, the minimum int64), strings as bulks, tables
 * by their first field among err, ok, double, big_number, verbatim_string,
 * map and set, otherwise as an array up to the first nil. `scriptProto` is
 * the protocol the script chose (redis.setresp): under RESP2 true is the
 * integer 1 and false a null, under RESP3 they are booleans.
 */
export function writeLuaValue(reply: Reply, v: LuaValue, scriptProto: Protocol, depth = 0): void {
  if (depth > MAX_DEPTH) {
    reply.error('ERR reached lua stack limit');
    return;
  }
  switch (typeof v) {
    case 'string':
      reply.bulk(v);
      return;
    case 'number':
      reply.integer(toInt64(v));
      return;
    case 'boolean':
      if (scriptProto === 3) reply.boolean(v);
      else if (v) reply.integer(1);
      else reply.nullBulk();
      return;
    default:
      if (v instanceof LuaTable) writeTable(reply, v, scriptProto, depth);
      else reply.nullBulk();
  }
}

function toInt64(n: number): number | bigint {
  if (Number.isSafeInteger(n)) return n;
  if (!(n >= -9223372036854775808 && n < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(Math.trunc(n));
}

function writeTable(reply: Reply, t: LuaTable, proto: Protocol, depth: number): void {
  const err = t.getStr('err');
  if (typeof err === 'string') {
    reply.error(err);
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
    for (const [k, val] of entries) {
      writeLuaValue(reply, k, proto, depth + 1);
      writeLuaValue(reply, val, proto, depth + 1);
    }
    return;
  }
  const set = t.getStr('set');
  if (set instanceof LuaTable) {
    const members: LuaValue[] = [];
    for (let e = set.next(undefined); e !== null; e = set.next(e[0])) members.push(e[0]);
    reply.set(members.length);
    for (const m of members) writeLuaValue(reply, m, proto, depth + 1);
    return;
  }
  let n = 0;
  while (t.getInt(n + 1) !== undefined) n++;
  reply.array(n);
  for (let i = 1; i <= n; i++) writeLuaValue(reply, t.getInt(i), proto, depth + 1);
}
