import { describe, expect, test } from 'vitest';
import { MAX_RANDOM_REPLY } from '../../../src/store/hash/hash-random-commands.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;

const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const err = (v: string): Resp => ({ t: 'error', v });

function items(r: Resp): Resp[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  return r.v;
}

function texts(r: Resp): string[] {
  return items(r).map((x) => {
    if (x.t !== 'bulk' || x.v === null) throw new Error(`not a bulk: ${JSON.stringify(x)}`);
    return x.v;
  });
}

async function encoding(key: string): Promise<string | null> {
  const r = await sluice.conn.call('OBJECT', 'ENCODING', key);
  return r.t === 'bulk' ? r.v : null;
}

/** Runs commands, then returns the events and effects they caused. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await sluice.conn.call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv) };
}

async function dirty(): Promise<number> {
  const info = await sluice.conn.call('INFO', 'persistence');
  return Number(/rdb_changes_since_last_save:(\d+)/.exec((info as { v: string }).v)![1]);
}

/** A hashtable of `n` fields f0… with values v0…, filled in batches. */
async function bigHash(key: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) args.push(`f${j}`, `v${j}`);
    await sluice.conn.call('HSET', key, ...args);
  }
}

describe('keyspace events, as Redis raises them for each hash command', () => {
  test('HSET, HMSET and HSETNX raise hset; HSETNX only when it sets', async () => {
    const r = await observe(['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'a', '2', 'b', '3'], ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'c', 'x']);
    expect(r.events).toEqual(['0 h hset h', '0 h hset h', '0 h hset h']);
  });

  test('HDEL raises hdel, then del when the hash emptied; nothing when nothing was removed', async () => {
    await sluice.conn.call('HSET', 'h', 'a', '1', 'b', '2');
    const r = await observe(['HDEL', 'h', 'nosuch'], ['HDEL', 'h', 'a'], ['HDEL', 'h', 'b', 'c']);
    expect(r.events).toEqual(['0 h hdel h', '0 h hdel h', '0 g del h']);
  });

  test('HINCRBY and HINCRBYFLOAT raise their own events', async () => {
    const r = await observe(['HINCRBY', 'h', 'n', '1'], ['HINCRBYFLOAT', 'h', 'f', '1.5']);
    expect(r.events).toEqual(['0 h hincrby h', '0 h hincrbyfloat h']);
  });

  test('commands that fail or change nothing raise nothing, propagate nothing and leave the hash as it was', async () => {
    await sluice.conn.call('HSET', 'h', 's', 'abc', 'n', '9223372036854775807');
    await sluice.conn.call('SET', 'str', 'v');
    const r = await observe(
      ['HSET', 'h', 'a'],
      ['HSET', 'str', 'f', 'v'],
      ['HINCRBY', 'h', 's', '1'],
      ['HINCRBY', 'h', 'n', '1'],
      ['HINCRBY', 'h', 'x', 'abc'],
      ['HINCRBYFLOAT', 'h', 's', '1'],
      ['HINCRBYFLOAT', 'h', 'x', 'inf'],
      ['HDEL', 'nokey', 'a'],
      ['HDEL', 'h', 'nosuch'],
      ['HSETNX', 'h', 's', 'x'],
      ['HRANDFIELD', 'h', '-9223372036854775808'],
    );
    expect(r.events).toEqual([]);
    expect(r.effects).toEqual([]);
    expect(texts(await sluice.conn.call('HGETALL', 'h'))).toEqual(['s', 'abc', 'n', '9223372036854775807']);
    expect(await sluice.conn.call('EXISTS', 'x')).toEqual(int(0));
  });
});

describe('propagated effects and change counts', () => {
  test('HINCRBYFLOAT propagates as HSET of its result; other writes as sent', async () => {
    const r = await observe(
      ['HSET', 'h', 'a', '1'],
      ['HINCRBYFLOAT', 'h', 'f', '10.5'],
      ['HINCRBYFLOAT', 'h', 'f', '0.1'],
      ['HINCRBY', 'h', 'a', '2'],
      ['HDEL', 'h', 'a', 'nosuch'],
    );
    expect(r.effects).toEqual([
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'h', 'f', '10.5'],
      ['HSET', 'h', 'f', '10.6'],
      ['HINCRBY', 'h', 'a', '2'],
      ['HDEL', 'h', 'a', 'nosuch'],
    ]);
  });

  test('changes are counted as Redis counts them: every pair of HSET, every field HDEL removed', async () => {
    const before = await dirty();
    await sluice.conn.call('HSET', 'h', 'a', '1', 'b', '2', 'a', '3');
    await sluice.conn.call('HMSET', 'h', 'c', '1', 'a', '2');
    await sluice.conn.call('HSETNX', 'h', 'a', 'x');
    await sluice.conn.call('HSETNX', 'h', 'd', 'x');
    await sluice.conn.call('HDEL', 'h', 'a', 'b', 'nosuch');
    await sluice.conn.call('HINCRBY', 'h', 'n', '1');
    await sluice.conn.call('HINCRBYFLOAT', 'h', 'n', '1');
    expect((await dirty()) - before).toBe(3 + 2 + 0 + 1 + 2 + 1 + 1);
  });

  test('a hash write breaks WATCH on its key; one that changes nothing does not', async () => {
    await sluice.conn.call('HSET', 'h', 'a', '1');
    const other = await sluice.connect();
    for (const [write, breaks] of [[['HDEL', 'h', 'nosuch'], false], [['HSETNX', 'h', 'a', 'x'], false], [['HSET', 'h', 'a', '1'], true]] as const) {
      await sluice.conn.call('WATCH', 'h');
      await other.call(...write);
      await sluice.conn.call('MULTI');
      await sluice.conn.call('PING');
      const exec = await sluice.conn.call('EXEC');
      expect(exec.t === 'array' && exec.v === null, write.join(' ')).toBe(breaks);
    }
  });
});

describe('Redis 7.2 answers that differ from the 7.0 oracle', () => {
  test('HSET with more pairs than hash-max-listpack-entries makes a hashtable even when the fields repeat (7.0 kept a listpack)', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');
    try {
      await sluice.conn.call('HSET', 'dup', 'x', '1', 'x', '2', 'x', '3', 'x', '4', 'x', '5');
      expect(await encoding('dup')).toBe('hashtable');
      expect(await sluice.conn.call('HLEN', 'dup')).toEqual(int(1));
      await sluice.conn.call('HSET', 'four', 'x', '1', 'x', '2', 'x', '3', 'x', '4');
      expect(await encoding('four')).toBe('listpack');
    } finally {
      await sluice.conn.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
    }
  });
});

describe('HSCAN over a hashtable', () => {
  test('walks every field once in COUNT-sized steps, values beside their fields, ending at cursor 0', async () => {
    await bigHash('h', 3000);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = items(await sluice.conn.call('HSCAN', 'h', cursor, 'COUNT', '100'));
      cursor = (next as { v: string }).v;
      const flat = texts(batch);
      expect(flat.length).toBeLessThanOrEqual(200);
      for (let i = 0; i < flat.length; i += 2) {
        expect(seen.has(flat[i])).toBe(false);
        seen.set(flat[i], flat[i + 1]);
      }
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThanOrEqual(30);
    expect(seen.size).toBe(3000);
    for (const [f, v] of seen) expect(v).toBe(`v${f.slice(1)}`);
  });

  test('MATCH filters fields, not values; fields present throughout are returned while others come and go', async () => {
    await bigHash('h', 2000);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = items(await sluice.conn.call('HSCAN', 'h', cursor, 'MATCH', 'f1*', 'COUNT', '50'));
      cursor = (next as { v: string }).v;
      const flat = texts(batch);
      for (let i = 0; i < flat.length; i += 2) seen.add(flat[i]);
      round++;
      await sluice.conn.call('HSET', 'h', `new${round}`, 'x', `f1new${round}`, 'y');
      await sluice.conn.call('HDEL', 'h', `new${round - 1}`, `f1new${round - 1}`);
    } while (cursor !== '0');
    const expected = Array.from({ length: 2000 }, (_, i) => `f${i}`).filter((f) => f.startsWith('f1'));
    for (const f of expected) expect(seen.has(f)).toBe(true);
    for (const f of seen) expect(f.startsWith('f1')).toBe(true);
  });

  test('a field removed and added again is returned once by a call', async () => {
    await bigHash('h', 600);
    await sluice.conn.call('HDEL', 'h', 'f0');
    await sluice.conn.call('HSET', 'h', 'f0', 'back');
    const [, batch] = items(await sluice.conn.call('HSCAN', 'h', '0', 'COUNT', '1000'));
    const fields = texts(batch).filter((_, i) => i % 2 === 0);
    expect(fields.length).toBe(600);
    expect(new Set(fields).size).toBe(600);
  });

  test('a cursor past every position (the hash shrank since it was handed out) walks what remains from the end, as SSCAN does', async () => {
    await bigHash('h', 600);
    const [next, batch] = items(await sluice.conn.call('HSCAN', 'h', '18446744073709551615', 'COUNT', '100'));
    expect(next).toEqual(bulk('500'));
    expect(texts(batch).length).toBe(200);
  });
});

describe('HRANDFIELD over a hashtable', () => {
  test('a positive count gives that many distinct fields, by either strategy, with their own values', async () => {
    await bigHash('h', 1000);
    for (const count of [10, 400, 999]) {
      const flat = texts(await sluice.conn.call('HRANDFIELD', 'h', String(count), 'WITHVALUES'));
      expect(flat.length).toBe(2 * count);
      const fields = new Set<string>();
      for (let i = 0; i < flat.length; i += 2) {
        fields.add(flat[i]);
        expect(flat[i + 1]).toBe(`v${flat[i].slice(1)}`);
      }
      expect(fields.size).toBe(count);
    }
  });

  test('a negative count repeats fields; RESP3 gives field/value pairs as two-element arrays', async () => {
    await bigHash('h', 600);
    expect(texts(await sluice.conn.call('HRANDFIELD', 'h', '-2000')).length).toBe(2000);
    const c3 = await RespClient.connect(sluice.port);
    await c3.call('HELLO', '3');
    const pairs = items(await c3.call('HRANDFIELD', 'h', '-5', 'WITHVALUES'));
    expect(pairs.length).toBe(5);
    for (const p of pairs) {
      const [f, v] = texts(p);
      expect(v).toBe(`v${f.slice(1)}`);
    }
    c3.close();
  });

  test(`a negative count whose reply could pass ${MAX_RANDOM_REPLY} bytes is refused before anything is written`, async () => {
    await sluice.conn.call('HSET', 'h', 'big', 'x'.repeat(1 << 20), 'small', 'y');
    expect(await sluice.conn.call('HRANDFIELD', 'h', '-2000', 'WITHVALUES')).toEqual(
      err(`ERR HRANDFIELD reply would exceed ${MAX_RANDOM_REPLY} bytes: use a smaller count`),
    );
    expect(await sluice.conn.call('HRANDFIELD', 'h', '-9223372036854775807')).toEqual(
      err(`ERR HRANDFIELD reply would exceed ${MAX_RANDOM_REPLY} bytes: use a smaller count`),
    );
    expect(texts(await sluice.conn.call('HRANDFIELD', 'h', '-2000')).length).toBe(2000);
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });
});

describe('COPY of a hash', () => {
  test('copies either encoding into an independent hash', async () => {
    await sluice.conn.call('HSET', 'small', 'a', '1');
    await bigHash('big', 700);
    await sluice.conn.call('COPY', 'small', 'small2');
    await sluice.conn.call('COPY', 'big', 'big2');
    expect([await encoding('small2'), await encoding('big2')]).toEqual(['listpack', 'hashtable']);
    await sluice.conn.call('HSET', 'small2', 'a', 'changed');
    await sluice.conn.call('HDEL', 'big', 'f1');
    await sluice.conn.call('HSET', 'big2', 'f2', 'changed');
    expect(await sluice.conn.call('HGET', 'small', 'a')).toEqual(bulk('1'));
    expect(await sluice.conn.call('HGET', 'big2', 'f1')).toEqual(bulk('v1'));
    expect(await sluice.conn.call('HGET', 'big', 'f2')).toEqual(bulk('v2'));
    expect([await sluice.conn.call('HLEN', 'big'), await sluice.conn.call('HLEN', 'big2')]).toEqual([int(699), int(700)]);
  });
});
