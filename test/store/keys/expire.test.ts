import { beforeEach, describe, expect, test } from 'vitest';
import { Keyspace } from '../../../src/keyspace/keyspace.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;
beforeEach(() => {
  sluice.server.activeExpire = false;
});

const int = (n: number) => ({ t: 'int', v: String(n) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until the wall clock passes a deadline in ms. */
async function passDeadline(when: number): Promise<void> {
  for (let i = 0; i < 100 && Date.now() <= when; i++) await sleep(5);
}

describe('deadlines near 2^63 ms', () => {
  test('are kept as the largest double below 2^63: replies stay within int64, and SAVE writes them', async () => {
    const latest = '9223372036854774784';
    await sluice.conn.call('SET', 'a', 'v', 'PXAT', '9223372036854775807');
    await sluice.conn.call('SET', 'b', 'v');
    await sluice.conn.call('PEXPIREAT', 'b', '9223372036854775807');
    const dump = (await sluice.conn.call('DUMP', 'a')) as { v: string };
    await sluice.conn.call('RESTORE', 'c', '9223372036854775807', Buffer.from(dump.v, 'latin1'), 'ABSTTL');
    for (const key of ['a', 'b', 'c']) {
      expect(await sluice.conn.call('PEXPIRETIME', key)).toEqual({ t: 'int', v: latest });
      expect(await sluice.conn.call('EXPIRETIME', key)).toEqual({ t: 'int', v: '9223372036854775' });
    }
    // Redis answers 9223372036854775807 and its seconds; the PTTL of either server counts down from there.
    expect(((await sluice.conn.call('PTTL', 'a')) as { v: string }).v).toMatch(/^922337\d{13}$/);
    expect(await sluice.conn.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
  });
});

describe('what EXPIRE and friends propagate', () => {
  test('relative and second-based expiries become PEXPIREAT with the absolute deadline', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    effects.length = 0;
    const before = Date.now();
    await sluice.conn.call('EXPIRE', 'k', '100');
    await sluice.conn.call('PEXPIRE', 'k', '200000', 'GT');
    await sluice.conn.call('EXPIREAT', 'k', '4000000000');
    await sluice.conn.call('pexpireat', 'k', '4000000000001');
    const after = Date.now();
    expect(effects.map((e) => e.argv[0])).toEqual(['PEXPIREAT', 'PEXPIREAT', 'PEXPIREAT', 'pexpireat']);
    const first = Number(effects[0].argv[2]);
    expect(first).toBeGreaterThanOrEqual(before + 100000);
    expect(first).toBeLessThanOrEqual(after + 100000);
    expect(effects[1].argv.slice(3)).toEqual(['GT']);
    expect(effects[2].argv).toEqual(['PEXPIREAT', 'k', '4000000000000']);
    expect(effects[3].argv).toEqual(['pexpireat', 'k', '4000000000001']);
    const deadline = (await sluice.conn.call('PEXPIRETIME', 'k')) as { v: string };
    expect(deadline.v).toBe('4000000000001');
  });

  test('a deadline already past deletes the key: DEL is propagated and del raised', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    effects.length = 0;
    events.length = 0;
    expect(await sluice.conn.call('EXPIRE', 'k', '-10')).toEqual(int(1));
    expect(effects).toEqual([{ db: 0, argv: ['DEL', 'k'] }]);
    expect(events).toEqual([[0, 'g', 'del', 'k']]);
  });

  test('EXPIRE and PERSIST raise expire and persist; refused ones raise and propagate nothing', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    events.length = 0;
    effects.length = 0;
    await sluice.conn.call('EXPIRE', 'nosuch', '10');
    await sluice.conn.call('EXPIRE', 'k', '10', 'XX');
    await sluice.conn.call('PERSIST', 'k');
    expect(events).toEqual([]);
    expect(effects).toEqual([]);
    await sluice.conn.call('EXPIRE', 'k', '10');
    await sluice.conn.call('PERSIST', 'k');
    expect(events).toEqual([[0, 'g', 'expire', 'k'], [0, 'g', 'persist', 'k']]);
    expect(effects.map((e) => e.argv[0])).toEqual(['PEXPIREAT', 'PERSIST']);
  });

  test('EXPIRE on a watched key breaks the transaction', async () => {
    const b = await RespClient.connect(sluice.port);
    try {
      await sluice.conn.call('SET', 'k', 'v');
      await sluice.conn.call('WATCH', 'k');
      await b.call('EXPIRE', 'k', '100');
      await sluice.conn.call('MULTI');
      expect(await sluice.conn.call('EXEC')).toEqual({ t: 'array', v: null });
    } finally {
      b.close();
    }
  });
});

describe('lazy expiry', () => {
  test('a read after the deadline sees nothing, raises expired and propagates DEL', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('PEXPIRE', 'k', '20');
    const deadline = Number(((await sluice.conn.call('PEXPIRETIME', 'k')) as { v: string }).v);
    await passDeadline(deadline);
    events.length = 0;
    effects.length = 0;
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: null });
    expect(events).toEqual([[0, 'x', 'expired', 'k'], [0, 'm', 'keymiss', 'k']]);
    expect(effects).toEqual([{ db: 0, argv: ['DEL', 'k'] }]);
    expect(sluice.server.keyspace.db(0).size).toBe(0);
    expect(await sluice.conn.call('TTL', 'k')).toEqual(int(-2));
  });

  test('SCAN and RANDOMKEY propagate the DELs of the keys they expire one by one, unwrapped (Redis 7.2); inside EXEC they stay wrapped', async () => {
    const expireTwo = async () => {
      await sluice.conn.call('SET', 'foo1', 'v', 'PX', '20');
      await sluice.conn.call('SET', 'foo2', 'v', 'PX', '20');
      const deadline = Number(((await sluice.conn.call('PEXPIRETIME', 'foo2')) as { v: string }).v);
      await passDeadline(deadline);
      effects.length = 0;
    };
    await expireTwo();
    await sluice.conn.call('SCAN', '0');
    expect(effects.map((e) => e.argv).sort()).toEqual([['DEL', 'foo1'], ['DEL', 'foo2']]);
    await expireTwo();
    await sluice.conn.call('RANDOMKEY');
    expect(effects.map((e) => e.argv).sort()).toEqual([['DEL', 'foo1'], ['DEL', 'foo2']]);
    await expireTwo();
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SCAN', '0');
    await sluice.conn.call('EXEC');
    expect(effects.map((e) => e.argv[0])).toEqual(['MULTI', 'DEL', 'DEL', 'EXEC']);
  });

  test('the key stays readable until its deadline', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('EXPIRE', 'k', '100');
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
    expect(await sluice.conn.call('TTL', 'k')).toEqual(int(100));
  });
});

describe('active expiry', () => {
  test('the server cron deletes keys nobody reads', async () => {
    sluice.server.activeExpire = true;
    for (let i = 0; i < 50; i++) await sluice.conn.call('SET', `k${i}`, 'v', 'PX', '10');
    await sluice.conn.call('SET', 'stays', 'v');
    let size = -1;
    for (let i = 0; i < 200 && size !== 1; i++) {
      await sleep(20);
      size = Number(((await sluice.conn.call('DBSIZE')) as { v: string }).v);
    }
    expect(size).toBe(1);
    expect(events.filter((e) => e[2] === 'expired')).toHaveLength(50);
    expect(effects.filter((e) => e.argv[0] === 'DEL')).toHaveLength(50);
  });

  test('a cycle reaches expired keys queued behind many live ones, in every database', () => {
    const ks = new Keyspace(4);
    const expired: string[] = [];
    ks.listener = { expired: (db, key) => expired.push(`${db.index}:${key}`), notify() {}, propagate() {}, flushedAll() {} };
    const later = Date.now() + 3_600_000;
    for (const index of [0, 3]) {
      const db = ks.db(index);
      for (let i = 0; i < 2000; i++) {
        db.set(`live${i}`, 'v');
        db.setDeadline(`live${i}`, later);
      }
      for (let i = 0; i < 10; i++) {
        db.set(`dead${i}`, 'v');
        db.setDeadline(`dead${i}`, Date.now() - 1);
      }
    }
    // Each call samples only 20 keys per database while few are expired; the walk must resume, not restart.
    for (let i = 0; i < 500 && expired.length < 20; i++) ks.activeExpireCycle(1);
    expect(expired.sort()).toEqual([0, 3].flatMap((d) => Array.from({ length: 10 }, (_, i) => `${d}:dead${i}`)).sort());
    expect(ks.db(0).size).toBe(2000);
    expect(ks.stats.activeExpired).toBe(20);
  });

  test('a cycle keeps going on a database while most of its sample is expired', () => {
    const ks = new Keyspace(1);
    const db = ks.db(0);
    for (let i = 0; i < 1000; i++) {
      db.set(`k${i}`, 'v');
      db.setDeadline(`k${i}`, Date.now() - 1);
    }
    expect(ks.activeExpireCycle(1000)).toBe(1000);
    expect(db.size).toBe(0);
    expect(ks.expireBacklog).toBe(false);
  });
});
