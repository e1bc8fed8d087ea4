import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { HELLO } from './payloads.js';

/** RESTORE's effects beyond its reply: events, propagation, WATCH, as Redis 7.2's restoreCommand. */

const sluice = useSluice({ conn: 'fresh', observe: true });
const ok = { t: 'simple', v: 'OK' };

describe('RESTORE', () => {
  test("raises 'restore' and propagates as sent when the TTL is 0 or absolute", async () => {
    expect(await sluice.conn.call('RESTORE', 'k', '0', HELLO)).toEqual(ok);
    expect(await sluice.conn.call('RESTORE', 'a', '99999999999999', HELLO, 'ABSTTL')).toEqual(ok);
    expect(sluice.events.filter((e) => e[2] !== 'new')).toEqual([[0, 'g', 'restore', 'k'], [0, 'g', 'restore', 'a']]);
    expect(sluice.effects.map((e) => e.argv)).toEqual([
      ['RESTORE', 'k', '0', HELLO],
      ['RESTORE', 'a', '99999999999999', HELLO, 'ABSTTL'],
    ]);
  });

  test('propagates a relative TTL as the absolute deadline with ABSTTL', async () => {
    const before = Date.now();
    expect(await sluice.conn.call('RESTORE', 'k', '5000', HELLO, 'REPLACE')).toEqual(ok);
    const after = Date.now();
    const [argv] = sluice.effects.map((e) => e.argv);
    expect(argv.length).toBe(6);
    expect([argv[0], argv[1], argv[3], argv[4], argv[5]]).toEqual(['RESTORE', 'k', HELLO, 'REPLACE', 'ABSTTL']);
    expect(Number(argv[2])).toBeGreaterThanOrEqual(before + 5000);
    expect(Number(argv[2])).toBeLessThanOrEqual(after + 5000);
    const pexpiretime = await sluice.conn.call('PEXPIRETIME', 'k');
    expect(pexpiretime).toEqual({ t: 'int', v: argv[2] });
  });

  test('with a deadline in the past deletes the key it replaces: a del event, propagated as DEL', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    sluice.events.length = 0;
    sluice.effects.length = 0;
    expect(await sluice.conn.call('RESTORE', 'k', '1', HELLO, 'ABSTTL', 'REPLACE')).toEqual(ok);
    expect(sluice.events).toEqual([[0, 'g', 'del', 'k']]);
    expect(sluice.effects.map((e) => e.argv)).toEqual([['DEL', 'k']]);
    expect(await sluice.conn.call('EXISTS', 'k')).toEqual({ t: 'int', v: '0' });
  });

  test('under lazyfree-lazy-server-del that deletion propagates as UNLINK', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'yes');
    try {
      await sluice.conn.call('SET', 'k', 'v');
      sluice.effects.length = 0;
      expect(await sluice.conn.call('RESTORE', 'k', '1', HELLO, 'ABSTTL', 'REPLACE')).toEqual(ok);
      expect(sluice.effects.map((e) => e.argv)).toEqual([['UNLINK', 'k']]);
    } finally {
      await sluice.conn.call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'no');
    }
  });

  test('with a deadline in the past and nothing to replace changes and propagates nothing', async () => {
    expect(await sluice.conn.call('RESTORE', 'k', '1', HELLO, 'ABSTTL')).toEqual(ok);
    expect(sluice.events).toEqual([]);
    expect(sluice.effects).toEqual([]);
  });

  test('breaks WATCH on its key', async () => {
    const other = await sluice.connect();
    await sluice.conn.call('WATCH', 'k');
    await other.call('RESTORE', 'k', '0', HELLO);
    await sluice.conn.call('MULTI');
    await sluice.conn.call('GET', 'k');
    expect(await sluice.conn.call('EXEC')).toEqual({ t: 'array', v: null });
  });

  test('serves a client blocked on the key it creates', async () => {
    const blocked = await sluice.connect();
    const waiting = blocked.call('BLPOP', 'list', '0');
    const other = await sluice.connect();
    while (!((await other.call('INFO', 'clients')) as { v: string }).v.includes('blocked_clients:1')) await new Promise((r) => setTimeout(r, 5));
    await other.call('RPUSH', 'src', 'a', 'b');
    const dump = await other.call('DUMP', 'src');
    if (dump.t !== 'bulk' || dump.v === null) throw new Error('no payload');
    expect(await other.call('RESTORE', 'list', '0', dump.v)).toEqual(ok);
    expect(await waiting).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'list' }, { t: 'bulk', v: 'a' }] });
    expect(await other.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'b' }] });
  });

  test('that fails leaves the key as it was', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    const damaged = HELLO.slice(0, 3) + 'X' + HELLO.slice(4);
    expect(await sluice.conn.call('RESTORE', 'k', '0', damaged, 'REPLACE')).toEqual({ t: 'error', v: 'ERR DUMP payload version or checksum are wrong' });
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
    expect(sluice.effects.filter((e) => e.argv[0] === 'RESTORE')).toEqual([]);
  });

  test('IDLETIME sets the LRU clock and FREQ the LFU counter, each under its own kind of policy', async () => {
    const conn = sluice.conn;
    expect(await conn.call('RESTORE', 'k', '0', HELLO, 'IDLETIME', '1000')).toEqual(ok);
    expect(await conn.call('OBJECT', 'IDLETIME', 'k')).toEqual({ t: 'int', v: '1000' });
    try {
      await conn.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      expect(await conn.call('RESTORE', 'i', '0', HELLO, 'IDLETIME', '1000')).toEqual(ok);
      expect(await conn.call('OBJECT', 'IDLETIME', 'i')).toEqual({ t: 'int', v: '1000' });
      await conn.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
      expect(await conn.call('RESTORE', 'f', '0', HELLO, 'FREQ', '100')).toEqual(ok);
      expect(await conn.call('OBJECT', 'FREQ', 'f')).toEqual({ t: 'int', v: '100' });
    } finally {
      await conn.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describe('DUMP', () => {
  test('counts a keyspace miss and raises keymiss for a missing key, as a read does', async () => {
    expect(await sluice.conn.call('DUMP', 'none')).toEqual({ t: 'bulk', v: null });
    expect(sluice.events).toEqual([[0, 'm', 'keymiss', 'none']]);
  });
});
