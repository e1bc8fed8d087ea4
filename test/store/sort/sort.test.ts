import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

/** What the 7.0 oracle cannot show of SORT (7.0 reports every list as quicklist), and what it would show only by chance. */
const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;
const call = (...args: string[]) => sluice.conn.call(...args);
const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const bulks = (...v: string[]): Resp => ({ t: 'array', v: v.map((s) => ({ t: 'bulk', v: s }) as Resp) });

function strings(r: Resp): string[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  return r.v.map((x) => (x.t === 'bulk' && x.v !== null ? x.v : `?${JSON.stringify(x)}`));
}

async function info(section: string, field: string): Promise<number> {
  const text = (await call('INFO', section)) as { v: string };
  return Number(new RegExp(`${field}:(\\d+)`).exec(text.v)![1]);
}

async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await call(...cmd);
  return { events: events.map((e) => e.join(' ')).filter((e) => !e.includes(' keymiss ')), effects: effects.map((e) => e.argv) };
}

describe('SORT … STORE', () => {
  test('stores a list in the encoding Redis 7.2 gives it: listpack while small, quicklist past 8 KiB', async () => {
    await call('RPUSH', 'small', 'b', 'a');
    expect(await call('SORT', 'small', 'ALPHA', 'STORE', 'd1')).toEqual(int(2));
    expect(await call('OBJECT', 'ENCODING', 'd1')).toEqual({ t: 'bulk', v: 'listpack' });
    const big = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(60)}`);
    await call('SADD', 'big', ...big);
    expect(await call('SORT', 'big', 'ALPHA', 'STORE', 'd2')).toEqual(int(200));
    expect(await call('OBJECT', 'ENCODING', 'd2')).toEqual({ t: 'bulk', v: 'quicklist' });
    expect(strings(await call('LRANGE', 'd2', '0', '-1'))).toEqual([...big].sort());
  });

  test('raises sortstore on the destination, or del when an empty result deletes it, and nothing when there was nothing', async () => {
    await call('RPUSH', 'l', '2', '1');
    await call('SET', 'd', 'x');
    const r = await observe(
      ['SORT', 'l', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd'], ['SORT', 'l'],
    );
    expect(r.events).toEqual(['0 l sortstore d', '0 g del d']);
    expect(r.effects).toEqual([['SORT', 'l', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd']]);
  });

  test('counts one change per stored element (GET values included), one for a deletion', async () => {
    await call('RPUSH', 'l', '3', '1', '2');
    const before = await info('persistence', 'rdb_changes_since_last_save');
    await call('SORT', 'l', 'GET', '#', 'GET', 'nosuch_*', 'STORE', 'd');
    expect(await info('persistence', 'rdb_changes_since_last_save')).toBe(before + 6);
    await call('SORT', 'l', 'LIMIT', '0', '0', 'STORE', 'd');
    expect(await info('persistence', 'rdb_changes_since_last_save')).toBe(before + 7);
    await call('SORT', 'l');
    expect(await info('persistence', 'rdb_changes_since_last_save')).toBe(before + 7);
  });

  test('a set it would leave unsorted is sorted ALPHA when stored, so the propagated SORT stores the same list on replay', async () => {
    await call('SADD', 's', 'b', 'c', 'a', '10', '9');
    const r = await observe(['SORT', 's', 'BY', 'nosort', 'DESC', 'STORE', 'd']);
    expect(r.effects).toEqual([['SORT', 's', 'BY', 'nosort', 'DESC', 'STORE', 'd']]);
    expect(await call('LRANGE', 'd', '0', '-1')).toEqual(bulks('c', 'b', 'a', '9', '10'));
  });

  test('tied ALPHA weights of a listpack set keep its order, as in Redis 7.2; a hashtable\'s come in the members\' byte order, whatever its layout', async () => {
    await call('SADD', 'x', 'm3', 'm1', 'm2');
    await call('SORT', 'x', 'BY', 'nosuch_*', 'ALPHA', 'STORE', 'dx');
    expect(await call('LRANGE', 'dx', '0', '-1')).toEqual(bulks('m3', 'm1', 'm2'));
    expect(await call('SORT', 'x', 'BY', 'nosuch_*', 'ALPHA', 'DESC')).toEqual(bulks('m3', 'm1', 'm2'));
    await call('CONFIG', 'SET', 'set-max-listpack-entries', '0');
    try {
      await call('SADD', 'y', 'm2', 'm3', 'm1');
      await call('SADD', 'z', 'm3', 'm1', 'm2');
      expect(await call('OBJECT', 'ENCODING', 'y')).toEqual({ t: 'bulk', v: 'hashtable' });
      await call('SORT', 'y', 'BY', 'nosuch_*', 'ALPHA', 'STORE', 'dy');
      await call('SORT', 'z', 'BY', 'nosuch_*', 'ALPHA', 'STORE', 'dz');
      expect(await call('LRANGE', 'dy', '0', '-1')).toEqual(bulks('m1', 'm2', 'm3'));
      expect(await call('LRANGE', 'dz', '0', '-1')).toEqual(bulks('m1', 'm2', 'm3'));
    } finally {
      await call('CONFIG', 'SET', 'set-max-listpack-entries', '128');
    }
  });

  test('breaks a WATCH on the destination', async () => {
    await call('RPUSH', 'l', '1');
    const other = await sluice.connect();
    await call('WATCH', 'd');
    await other.call('SORT', 'l', 'STORE', 'd');
    await call('MULTI');
    await call('PING');
    expect(await call('EXEC')).toEqual({ t: 'array', v: null });
  });

  test('serves a client blocked on the destination', async () => {
    await call('RPUSH', 'l', 'b', 'a');
    const blocked = await RespClient.connect(sluice.port);
    const popped = blocked.call('BLPOP', 'd', '0');
    await call('PING');
    await call('SORT', 'l', 'ALPHA', 'STORE', 'd');
    expect(await popped).toEqual(bulks('d', 'a'));
    expect(await call('LRANGE', 'd', '0', '-1')).toEqual(bulks('b'));
    blocked.close();
  });
});

describe('SORT reads', () => {
  test('a set left unsorted comes in the set\'s own order (an intset\'s is ascending), DESC ignored, LIMIT cutting that order', async () => {
    await call('SADD', 'i', '5', '-3', '10', '1');
    expect(await call('SORT', 'i', 'BY', 'nosort')).toEqual(bulks('-3', '1', '5', '10'));
    expect(await call('SORT', 'i', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(bulks('1', '5'));
    expect(await call('SMEMBERS', 'i')).toEqual(bulks('-3', '1', '5', '10'));
  });

  test('turns a listpack sorted set into a skiplist, as Redis\'s zsetConvert does, SORT_RO included', async () => {
    await call('ZADD', 'z', '1', 'a', '2', 'b');
    expect(await call('OBJECT', 'ENCODING', 'z')).toEqual({ t: 'bulk', v: 'listpack' });
    expect(await call('SORT_RO', 'z', 'BY', 'nosort', 'DESC')).toEqual(bulks('b', 'a'));
    expect(await call('OBJECT', 'ENCODING', 'z')).toEqual({ t: 'bulk', v: 'skiplist' });
    expect(await call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toEqual(bulks('a', '1', 'b', '2'));
  });

  test('counts a keyspace hit or miss for the sorted key and for every BY and GET lookup', async () => {
    await call('RPUSH', 'l', '1', '2', '3');
    await call('MSET', 'w_1', '3', 'w_2', '2');
    await call('HSET', 'h_1', 'f', 'v');
    await call('CONFIG', 'RESETSTAT');
    await call('SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->f');
    expect([await info('stats', 'keyspace_hits'), await info('stats', 'keyspace_misses')]).toEqual([1 + 2 + 1, 1 + 2]);
  });

  test('reads a hash field through ->, and a field that has expired (7.4 field TTLs) as missing', async () => {
    await call('RPUSH', 'l', 'a', 'b');
    await call('HSET', 'h_a', 'f', '2');
    await call('HSET', 'h_b', 'f', '1');
    expect(await call('SORT', 'l', 'BY', 'h_*->f', 'GET', 'h_*->f')).toEqual(bulks('1', '2'));
    await call('HPEXPIRE', 'h_b', '1', 'FIELDS', '1', 'f');
    // Until the clock has passed the field's deadline (bounded), as field-expiry.test.ts waits.
    const deadline = Date.now() + 2;
    for (let i = 0; i < 100 && Date.now() <= deadline; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(await call('SORT', 'l', 'BY', 'h_*->f', 'GET', 'h_*->f')).toEqual({
      t: 'array', v: [{ t: 'bulk', v: null }, { t: 'bulk', v: '2' }],
    });
  });
});
