import { beforeEach, describe, expect, test } from 'vitest';
import { waitFor } from '../../helpers/aof.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

/**
 * Redis 7.4's hash field expiration, which 7.2 and the 7.0 oracle do not
 * have: each expectation here is 7.4.1's behaviour, read from its
 * t_hash.c and tests/unit/type/hash-field-expire.tcl.
 */
const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;
beforeEach(() => {
  sluice.server.activeExpire = false;
});

const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const ints = (...n: number[]): Resp => ({ t: 'array', v: n.map(int) });
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const err = (v: string): Resp => ({ t: 'error', v });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const call = (...argv: string[]) => sluice.conn.call(...argv);

function texts(r: Resp): string[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  return r.v.map((x) => (x as { v: string }).v);
}

function num(r: Resp): number {
  if (r.t !== 'int') throw new Error(`not an integer: ${JSON.stringify(r)}`);
  return Number(r.v);
}

/** Gives `fields` of `key` a deadline 1 ms ahead, then waits (bounded) until the clock has passed it. */
async function expireSoon(key: string, ...fields: string[]): Promise<void> {
  await call('HPEXPIRE', key, '1', 'FIELDS', String(fields.length), ...fields);
  const deadline = Date.now() + 2;
  for (let i = 0; i < 100 && Date.now() <= deadline; i++) await sleep(2);
}

/** Runs commands, then returns the events and effects they caused. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv) };
}

const FUTURE_MS = '4000000000000';

describe('HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT', () => {
  test('answer -2 per field for a missing key or field, 1 where the deadline is set', async () => {
    expect(await call('HEXPIRE', 'nokey', '1000', 'FIELDS', '1', 'a')).toEqual(ints(-2));
    expect(await call('HPEXPIREAT', 'nokey', '1000', 'FIELDS', '2', 'a', 'b')).toEqual(ints(-2, -2));
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
    expect(await call('HEXPIRE', 'h', '1000', 'FIELDS', '3', 'f1', 'nosuch', 'f2')).toEqual(ints(1, -2, 1));
    expect(await call('EXISTS', 'nokey')).toEqual(int(0));
  });

  test('NX, XX, GT and LT decide per field; a field without a deadline counts as later than any for LT', async () => {
    await call('HSET', 'h', 'f1', 'v', 'f2', 'v', 'f3', 'v');
    expect(await call('HPEXPIRE', 'h', '100000', 'NX', 'FIELDS', '1', 'f1')).toEqual(ints(1));
    expect(await call('HPEXPIRE', 'h', '100000', 'nx', 'FIELDS', '2', 'f1', 'f2')).toEqual(ints(0, 1));
    expect(await call('HPEXPIRE', 'h', '100000', 'XX', 'FIELDS', '2', 'f1', 'f3')).toEqual(ints(1, 0));
    expect(await call('HPEXPIRE', 'h', '200000', 'GT', 'FIELDS', '3', 'f1', 'f2', 'f3')).toEqual(ints(1, 1, 0));
    expect(await call('HPEXPIRE', 'h', '150000', 'GT', 'FIELDS', '1', 'f1')).toEqual(ints(0));
    expect(await call('HPEXPIRE', 'h', '150000', 'LT', 'FIELDS', '3', 'f1', 'f2', 'f3')).toEqual(ints(1, 1, 1));
    expect(await call('HPEXPIRE', 'h', '160000', 'LT', 'FIELDS', '1', 'f1')).toEqual(ints(0));
  });

  test('a deadline already past deletes the fields (2), the hash with its last one; conditions still apply first', async () => {
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f4', 'v4');
    await call('HEXPIRE', 'h', '1000', 'NX', 'FIELDS', '1', 'f4');
    const r = await observe(['HPEXPIREAT', 'h', '1000', 'NX', 'FIELDS', '4', 'f1', 'f2', 'f3', 'f4']);
    expect(await call('HPEXPIREAT', 'h', '1000', 'NX', 'FIELDS', '1', 'f1')).toEqual(ints(-2));
    expect(texts(await call('HKEYS', 'h'))).toEqual(['f4']);
    expect(r.events).toEqual(['0 h hdel h']);
    expect(r.effects).toEqual([['MULTI'], ['HDEL', 'h', 'f1'], ['HDEL', 'h', 'f2'], ['EXEC']]);
    const last = await observe(['HEXPIREAT', 'h', '1', 'FIELDS', '2', 'f4', 'f4']);
    expect(last.events).toEqual(['0 h hdel h', '0 g del h']);
    expect(last.effects).toEqual([['HDEL', 'h', 'f4']]);
    expect(await call('EXISTS', 'h')).toEqual(int(0));
  });

  test('propagate as HPEXPIREAT with the absolute deadline, the condition, and only the fields that got it', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await call('HPEXPIRE', 'h', '500000', 'FIELDS', '1', 'b');
    const before = Date.now();
    const r = await observe(
      ['hexpire', 'h', '100', 'NX', 'fields', '3', 'a', 'b', 'nosuch'],
      ['HPEXPIREAT', 'h', FUTURE_MS, 'FIELDS', '1', 'c'],
      ['hpexpireat', 'h', FUTURE_MS, 'XX', 'FIELDS', '1', 'c'],
      ['HEXPIREAT', 'h', '4000000000', 'FIELDS', '1', 'c'],
      ['HPEXPIRE', 'h', '100', 'NX', 'FIELDS', '1', 'a'],
    );
    const after = Date.now();
    expect(r.events).toEqual(['0 h hexpire h', '0 h hexpire h', '0 h hexpire h', '0 h hexpire h']);
    const [first, ...rest] = r.effects;
    expect([first[0], first[1], ...first.slice(3)]).toEqual(['HPEXPIREAT', 'h', 'NX', 'fields', '1', 'a']);
    expect(Number(first[2])).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(first[2])).toBeLessThanOrEqual(after + 100_000);
    expect(rest).toEqual([
      ['HPEXPIREAT', 'h', FUTURE_MS, 'FIELDS', '1', 'c'],
      ['hpexpireat', 'h', FUTURE_MS, 'XX', 'FIELDS', '1', 'c'],
      ['HPEXPIREAT', 'h', '4000000000000', 'FIELDS', '1', 'c'],
    ]);
  });

  test('check the key type first, then the time, the condition, FIELDS and numfields, with 7.4 errors', async () => {
    await call('SET', 's', 'v');
    await call('HSET', 'h', 'f', 'v');
    const wrongType = err('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await call('HEXPIRE', 's', 'abc', 'FIELDS', '1', 'f')).toEqual(wrongType);
    expect(await call('HEXPIRE', 'h', 'abc', 'FIELDS', '1', 'f')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await call('HEXPIRE', 'h', '-1', 'FIELDS', '1', 'f')).toEqual(err('ERR invalid expire time, must be >= 0'));
    expect(await call('HPEXPIRE', 'h', '-9223372036854775808', 'FIELDS', '1', 'f')).toEqual(err('ERR invalid expire time, must be >= 0'));
    expect(await call('HEXPIRE', 'h', String(Math.floor(2 ** 48 / 1000)), 'FIELDS', '1', 'f')).toEqual(err("ERR invalid expire time in 'hexpire' command"));
    expect(await call('HEXPIREAT', 'h', '70368744178', 'FIELDS', '1', 'f')).toEqual(err("ERR invalid expire time in 'hexpireat' command"));
    expect(await call('HPEXPIREAT', 'h', String(2 ** 46), 'FIELDS', '1', 'f')).toEqual(err("ERR invalid expire time in 'hpexpireat' command"));
    expect(await call('HPEXPIREAT', 'h', String(2 ** 46 - 1), 'FIELDS', '1', 'f')).toEqual(ints(1));
    expect(await call('HPEXPIRE', 'h', String(2 ** 46 - Date.now() + 1000), 'FIELDS', '1', 'f')).toEqual(err("ERR invalid expire time in 'hpexpire' command"));
    expect(await call('HPEXPIRE', 'h', '1000', 'BOGUS', 'FIELDS', '1', 'f')).toEqual(err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    expect(await call('HPEXPIRE', 'h', '1000', 'NX', 'XX', 'FIELDS', '1')).toEqual(err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    for (const n of ['0', '-1', 'x', '1.5']) {
      expect(await call('HPEXPIRE', 'h', '1000', 'NX', 'FIELDS', n, 'f')).toEqual(err('ERR Parameter `numFields` should be greater than 0'));
    }
    expect(await call('HPEXPIRE', 'h', '1000', 'NX', 'FIELDS', '2', 'f')).toEqual(err('ERR The `numfields` parameter must match the number of arguments'));
    expect(await call('HPEXPIRE', 'h', '1000', 'FIELDS', '1', 'f', 'g')).toEqual(err('ERR The `numfields` parameter must match the number of arguments'));
    expect(await call('HPEXPIRE', 'h', '1000', 'FIELDS', '1')).toEqual(err("ERR wrong number of arguments for 'hpexpire' command"));
    expect(await call('HPEXPIREAT', 'nokey', 'abc', 'FIELDS', '1', 'f')).toEqual(err('ERR value is not an integer or out of range'));
  });
});

describe('HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME and HPERSIST', () => {
  test('the TTL queries answer -2, -1, or the time (seconds rounded up)', async () => {
    expect(await call('HTTL', 'nokey', 'FIELDS', '2', 'a', 'b')).toEqual(ints(-2, -2));
    await call('HSET', 'h', 'a', '1', 'b', '2');
    expect(await call('HPTTL', 'h', 'FIELDS', '2', 'a', 'nosuch')).toEqual(ints(-1, -2));
    await call('HPEXPIREAT', 'h', FUTURE_MS, 'FIELDS', '1', 'a');
    expect(await call('HPEXPIRETIME', 'h', 'FIELDS', '2', 'a', 'b')).toEqual(ints(4000000000000, -1));
    expect(await call('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toEqual(ints(4000000000));
    await call('HPEXPIREAT', 'h', '4000000000001', 'FIELDS', '1', 'a');
    expect(await call('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toEqual(ints(4000000001));
    await call('HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'b');
    const ms = num((await call('HPTTL', 'h', 'FIELDS', '1', 'b') as { v: Resp[] }).v[0]);
    expect(ms).toBeGreaterThan(90_000);
    expect(ms).toBeLessThanOrEqual(100_000);
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'b')).toEqual(ints(100));
  });

  test('the TTL queries validate as 7.4 does', async () => {
    await call('SET', 's', 'v');
    await call('HSET', 'h', 'a', '1');
    expect(await call('HTTL', 's', 'x', '1', 'a')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(await call('HTTL', 'h', 'FIELD', '1', 'a')).toEqual(err('ERR Mandatory argument FIELDS is missing or not at the right position'));
    expect(await call('HPTTL', 'h', 'FIELDS', '0', 'a')).toEqual(err('ERR Number of fields must be a positive integer'));
    expect(await call('HPTTL', 'h', 'FIELDS', '3', 'a', 'b')).toEqual(err('ERR The `numfields` parameter must match the number of arguments'));
    expect(await call('HPEXPIRETIME', 'h', 'FIELDS')).toEqual(err("ERR wrong number of arguments for 'hpexpiretime' command"));
  });

  test('HPERSIST drops deadlines (1), answers -1 without one and -2 without the field; a plain packed hash stays a listpack', async () => {
    expect(await call('HPERSIST', 'nokey', 'FIELDS', '1', 'a')).toEqual(ints(-2));
    await call('HSET', 'plain', 'a', '1');
    expect(await call('HPERSIST', 'plain', 'FIELDS', '2', 'a', 'b')).toEqual(ints(-1, -2));
    expect(await call('OBJECT', 'ENCODING', 'plain')).toEqual(bulk('listpack'));
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
    await call('HEXPIRE', 'h', '1000', 'NX', 'FIELDS', '1', 'f1');
    const r = await observe(
      ['HPERSIST', 'h', 'FIELDS', '2', 'f1', 'not-exists-field'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'f2'],
    );
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'f1', 'f2')).toEqual(ints(-1, -1));
    expect(r.events).toEqual(['0 h hpersist h']);
    expect(r.effects).toEqual([['HPERSIST', 'h', 'FIELDS', '2', 'f1', 'not-exists-field']]);
    expect(await call('HPERSIST', 'h', 'FIELDS', '2', 'f1', 'f2', 'f3')).toEqual(err('ERR The `numfields` parameter must match the number of arguments'));
  });
});

describe('encodings with field deadlines', () => {
  test('a field-expiry command on a packed hash makes it listpackex, whose fields with a deadline come first, earliest first', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    await call('HPEXPIRE', 'h', '1000', 'XX', 'FIELDS', '1', 'a');
    expect(await call('OBJECT', 'ENCODING', 'h')).toEqual(bulk('listpackex'));
    await call('HPEXPIRE', 'h', '300000', 'FIELDS', '1', 'c');
    await call('HPEXPIRE', 'h', '200000', 'FIELDS', '1', 'd');
    expect(texts(await call('HKEYS', 'h'))).toEqual(['d', 'c', 'a', 'b']);
    await call('HSET', 'h', 'd', 'new', 'e', '5');
    expect(texts(await call('HKEYS', 'h'))).toEqual(['c', 'a', 'b', 'd', 'e']);
    await call('HINCRBY', 'h', 'c', '1');
    expect(texts(await call('HGETALL', 'h'))).toEqual(['c', '4', 'a', '1', 'b', '2', 'd', 'new', 'e', '5']);
    await call('HSET', 'h', 'long', 'x'.repeat(100));
    expect(await call('OBJECT', 'ENCODING', 'h')).toEqual(bulk('hashtable'));
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'c', 'd')).toEqual(ints(300, -1));
  });
});

describe('lazy expiry: a field past its deadline', () => {
  test('reads as absent and goes on access, propagated as HDEL with hexpired; the last one takes the key', async () => {
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3');
    await expireSoon('h', 'f1', 'f2', 'f3');
    expect(await call('EXISTS', 'h')).toEqual(int(1));
    expect(await call('HLEN', 'h')).toEqual(int(3));
    const r = await observe(['HEXISTS', 'h', 'f1'], ['HGET', 'h', 'f2']);
    expect(r.events).toEqual(['0 h hexpired h', '0 h hexpired h']);
    expect(r.effects).toEqual([['HDEL', 'h', 'f1'], ['HDEL', 'h', 'f2']]);
    expect(await call('HLEN', 'h')).toEqual(int(1));
    const last = await observe(['HSTRLEN', 'h', 'f3']);
    expect(last.events).toEqual(['0 h hexpired h', '0 g del h']);
    expect(await call('EXISTS', 'h')).toEqual(int(0));
  });

  test('HMGET raises one hexpired for all its fields, and del when the hash emptied', async () => {
    await call('HSET', 'h1', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3');
    await call('HSET', 'h2', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3');
    await call('HPEXPIRE', 'h1', '10000000', 'NX', 'FIELDS', '1', 'f1');
    await call('HPEXPIRE', 'h1', '1', 'FIELDS', '2', 'f2', 'f3');
    await expireSoon('h2', 'f1', 'f2', 'f3');
    events.length = 0;
    expect(await call('HMGET', 'h1', 'f1', 'f2', 'f3')).toEqual({ t: 'array', v: [bulk('v1'), bulk(null), bulk(null)] });
    expect(await call('HMGET', 'h2', 'f1', 'f2', 'f3')).toEqual({ t: 'array', v: [bulk(null), bulk(null), bulk(null)] });
    expect(events.map((e) => e.join(' '))).toEqual(['0 h hexpired h1', '0 h hexpired h2', '0 g del h2']);
  });

  test('HGETALL, HKEYS, HVALS and HSCAN leave it out without removing it; HDEL still counts it', async () => {
    for (const big of [false, true]) {
      await call('DEL', 'h');
      const args = ['f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4'];
      if (big) args.push('long', 'x'.repeat(100));
      await call('HSET', 'h', ...args);
      await expireSoon('h', 'f2', 'f4');
      effects.length = 0;
      const all = texts(await call('HGETALL', 'h'));
      expect(all.filter((_, i) => i % 2 === 0).sort()).toEqual(big ? ['f1', 'f3', 'long'] : ['f1', 'f3']);
      expect(texts(await call('HVALS', 'h')).length).toBe(big ? 3 : 2);
      const [, scanned] = (await call('HSCAN', 'h', '0', 'COUNT', '100') as { v: Resp[] }).v;
      expect(texts(scanned).filter((_, i) => i % 2 === 0).sort()).toEqual(big ? ['f1', 'f3', 'long'] : ['f1', 'f3']);
      expect(effects).toEqual([]);
      expect(await call('HLEN', 'h')).toEqual(int(big ? 5 : 4));
      expect(await call('HDEL', 'h', 'f2')).toEqual(int(1));
    }
  });

  test('HSET over it counts as an update and drops the deadline; HINCRBY keeps a live field\'s deadline and restarts an expired one at 0', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '1', 'c', '99', 'd', '5');
    await call('HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'c');
    await expireSoon('h', 'a', 'b');
    expect(await call('HSET', 'h', 'a', 'new')).toEqual(int(0));
    expect(await call('HGET', 'h', 'a')).toEqual(bulk('new'));
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'a')).toEqual(ints(-1));
    const r = await observe(['HINCRBY', 'h', 'b', '1'], ['HINCRBY', 'h', 'c', '1']);
    expect(await call('HMGET', 'h', 'b', 'c')).toEqual({ t: 'array', v: [bulk('1'), bulk('100')] });
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'b', 'c')).toEqual(ints(-1, 100));
    expect(r.effects).toEqual([['MULTI'], ['HDEL', 'h', 'b'], ['HINCRBY', 'h', 'b', '1'], ['EXEC'], ['HINCRBY', 'h', 'c', '1']]);
    expect(r.events).toEqual(['0 h hexpired h', '0 h hincrby h', '0 h hincrby h']);
  });

  test('HSETNX and HINCRBYFLOAT on the expired last field start a new hash', async () => {
    await call('HSET', 'h', 'f', '1.5');
    await expireSoon('h', 'f');
    expect(await call('HINCRBYFLOAT', 'h', 'f', '2')).toEqual(bulk('2'));
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'f')).toEqual(ints(-1));
    await expireSoon('h', 'f');
    const r = await observe(['HSETNX', 'h', 'f', 'x']);
    expect(r.events).toEqual(['0 h hexpired h', '0 g del h', '0 h hset h']);
    expect(await call('HGETALL', 'h')).toEqual({ t: 'array', v: [bulk('f'), bulk('x')] });
    expect(await call('OBJECT', 'ENCODING', 'h')).toEqual(bulk('listpack'));
  });

  test('HRANDFIELD expires every due field before drawing, and answers nothing when that empties the hash', async () => {
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5');
    await expireSoon('h', 'f1', 'f2');
    effects.length = 0;
    expect(texts(await call('HRANDFIELD', 'h', '5')).sort()).toEqual(['f3', 'f4', 'f5']);
    // Effects of one command, so wrapped in MULTI/EXEC as Redis wraps them; in listpackex order (f2 went before the equal f1).
    expect(effects.map((e) => e.argv)).toEqual([['MULTI'], ['HDEL', 'h', 'f2'], ['HDEL', 'h', 'f1'], ['EXEC']]);
    expect(await call('HLEN', 'h')).toEqual(int(3));
    await expireSoon('h', 'f3', 'f4', 'f5');
    expect(await call('HRANDFIELD', 'h', '5')).toEqual({ t: 'array', v: [] });
    expect(await call('EXISTS', 'h')).toEqual(int(0));
    await call('HSET', 'g', 'only', 'v');
    await expireSoon('g', 'only');
    expect(await call('HRANDFIELD', 'g')).toEqual(bulk(null));
  });

  test('breaks WATCH on the key', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2');
    await expireSoon('h', 'a');
    await call('WATCH', 'h');
    const other = await RespClient.connect(sluice.port);
    await other.call('HGET', 'h', 'a');
    other.close();
    await call('MULTI');
    await call('PING');
    expect(await call('EXEC')).toEqual({ t: 'array', v: null });
  });
});

describe('active expiry of fields', () => {
  test('removes due fields without access, propagates HDELs, raises hexpired, and deletes a hash left empty', async () => {
    await call('HSET', 'mix', 'f1', 'v', 'keep', 'v');
    await call('HSET', 'gone', 'f1', 'v', 'f2', 'v');
    await call('HSET', 'big', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, 'v']).flat());
    await call('HPEXPIRE', 'mix', '1', 'FIELDS', '1', 'f1');
    await call('HPEXPIRE', 'big', '1', 'FIELDS', '3', 'f1', 'f2', 'f3');
    await expireSoon('gone', 'f1', 'f2');
    events.length = 0;
    effects.length = 0;
    sluice.server.activeExpire = true;
    await waitFor(async () => num(await call('EXISTS', 'gone')) === 0 && num(await call('HLEN', 'big')) === 597 && num(await call('HLEN', 'mix')) === 1);
    sluice.server.activeExpire = false;
    // The polling's EXISTS raises keymiss events of its own.
    const seen = events.filter((e) => e[1] !== 'm').map((e) => e.join(' '));
    expect(seen.filter((e) => e.endsWith(' gone'))).toEqual(['0 h hexpired gone', '0 g del gone']);
    expect(seen).toContain('0 h hexpired mix');
    expect(seen).toContain('0 h hexpired big');
    const hdels = effects.map((e) => e.argv.join(' ')).sort();
    expect(hdels).toEqual(['HDEL big f1', 'HDEL big f2', 'HDEL big f3', 'HDEL gone f1', 'HDEL gone f2', 'HDEL mix f1']);
  });

  test('follows the hash through RENAME, MOVE, COPY and SWAPDB', async () => {
    for (const k of ['r', 'm', 'c', 's']) await call('HSET', k, 'f', 'v', 'keep', 'v');
    for (const k of ['r', 'm', 'c', 's']) await call('HPEXPIRE', k, '150', 'FIELDS', '1', 'f');
    await call('RENAME', 'r', 'r2');
    await call('MOVE', 'm', '3');
    await call('COPY', 'c', 'c2');
    await call('SELECT', '5');
    await call('HSET', 's', 'other', 'v');
    await call('SELECT', '0');
    await call('MOVE', 's', '6');
    await call('SWAPDB', '6', '7');
    sluice.server.activeExpire = true;
    const left = async (db: string, key: string) => {
      await call('SELECT', db);
      const n = num(await call('HLEN', key));
      await call('SELECT', '0');
      return n;
    };
    // HLEN counts fields not yet expired away, so it falls only through active expiry.
    await waitFor(async () => (await left('0', 'r2')) === 1 && (await left('3', 'm')) === 1 && (await left('0', 'c')) === 1
      && (await left('0', 'c2')) === 1 && (await left('7', 's')) === 1, 5000, 'active expiry of the moved hashes');
    sluice.server.activeExpire = false;
  });
});
