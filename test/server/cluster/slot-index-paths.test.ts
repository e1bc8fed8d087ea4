import { beforeAll, describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';
import { seededInts } from '../../helpers/seeded.js';
import { expectSlotIndexExact } from '../../helpers/slot-index-check.js';

/**
 * The slot index of database 0 kept exact by every way a key enters or
 * leaves the keyspace through a running server: commands that write,
 * delete, rename, restore, empty a collection or expire keys, the active
 * expiry, FLUSHDB and FLUSHALL, an RDB and an AOF loaded back, eviction.
 * No routing view: only the index is on, so every key is served here.
 */
const sluice = useSluice({ conn: 'shared', start: { config: { appendonly: 'yes', 'enable-debug-command': 'yes' } } });

beforeAll(() => {
  sluice.server.keyspace.enableSlotIndex();
});

const OK = { t: 'simple', v: 'OK' };

describe('the slot index through a server', () => {
  test('random writes, deletions, renames, restores, expiries and flushes', async () => {
    const c = sluice.conn;
    const rand = seededInts(7);
    const key = () => `{t${rand(6)}}${rand(60)}`;
    const dumps = new Map<string, Resp>();
    for (let step = 0; step < 1500; step++) {
      const k = key();
      const op = rand(25);
      switch (op) {
        case 0: case 1: case 2: await c.call('SET', k, 'v'); break;
        case 3: await c.call('DEL', k, key()); break;
        case 4: await c.call('UNLINK', k); break;
        case 5: await c.call('RENAME', k, key()); break;
        case 6: await c.call('RENAMENX', k, key()); break;
        case 7: await c.call('COPY', k, key(), 'REPLACE'); break;
        case 8: await c.call('PEXPIRE', k, String(1 + rand(5))); break;
        case 9: await c.call('SET', k, 'v', 'PX', String(1 + rand(5))); break;
        case 10: await c.call('GETDEL', k); break;
        case 11: await c.call('RPUSH', k, 'a'); break;
        case 12: await c.call('LPOP', k); break;
        case 13: await c.call('SADD', k, 'm'); break;
        case 14: await c.call('SPOP', k); break;
        case 15: await c.call('HSET', k, 'f', 'v'); break;
        case 16: await c.call('HDEL', k, 'f'); break;
        case 17: {
          const dump = await c.call('DUMP', k);
          if (dump.t === 'bulk' && dump.v !== null) dumps.set(k, dump);
          break;
        }
        case 18: {
          const [from, dump] = [...dumps][rand(Math.max(1, dumps.size))] ?? [];
          if (dump !== undefined && dump.t === 'bulk') await c.call('RESTORE', from!, '0', Buffer.from(dump.v!, 'latin1'), 'REPLACE');
          break;
        }
        case 19: await c.call('GET', k); break;
        case 20: await c.call('SELECT', '1'); await c.call('SET', k, 'other database'); await c.call('SELECT', '0'); break;
        case 21: await c.call('SMOVE', k, key(), 'm'); break;
        case 22: if (rand(40) === 0) await c.call(rand(2) === 0 ? 'FLUSHDB' : 'FLUSHALL'); break;
        // Refused once a routing view is set; here it trades database 0's contents, which the index follows.
        case 23: if (rand(20) === 0) await c.call('SWAPDB', '0', '1'); break;
        default: await new Promise((r) => setTimeout(r, 2)); break;
      }
      if (step % 250 === 0) expectSlotIndexExact(sluice.server.keyspace);
    }
    expectSlotIndexExact(sluice.server.keyspace);
  });

  test('keys that expire: lazily on access and by the active cycle', async () => {
    const c = sluice.conn;
    for (let i = 0; i < 50; i++) await c.call('SET', `{e}${i}`, 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    await c.call('GET', '{e}0');
    expectSlotIndexExact(sluice.server.keyspace);
    await expect.poll(() => sluice.server.keyspace.db(0).dict.keys().next().done === true || sluice.server.keyspace.expiringKeys === 0).toBe(true);
    expectSlotIndexExact(sluice.server.keyspace);
  });

  test('an RDB and an AOF loaded back (DEBUG RELOAD, DEBUG LOADAOF)', async () => {
    const c = sluice.conn;
    for (let i = 0; i < 200; i++) await c.call('SET', `{r${i % 7}}${i}`, 'v');
    await c.call('RPUSH', '{r1}list', 'a', 'b');
    expect(await c.call('DEBUG', 'RELOAD')).toEqual(OK);
    expect(sluice.server.keyspace.db(0).size).toBeGreaterThan(200);
    expectSlotIndexExact(sluice.server.keyspace);
    expect(await c.call('DEBUG', 'LOADAOF')).toEqual(OK);
    expectSlotIndexExact(sluice.server.keyspace);
  });

  test('keys evicted under maxmemory', async () => {
    const c = sluice.conn;
    await c.call('FLUSHALL');
    // A limit turns the accounting on; keys stored after it are measured.
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random', 'maxmemory', '1gb');
    try {
      for (let i = 0; i < 300; i++) await c.call('SET', `{m${i % 5}}${i}`, 'x'.repeat(1000));
      await c.call('CONFIG', 'SET', 'maxmemory', String(sluice.server.memory.counted() - 100_000));
      await c.call('SET', '{m0}more', 'v');
      await expect.poll(() => sluice.server.keyspace.db(0).size).toBeLessThan(250);
      expectSlotIndexExact(sluice.server.keyspace);
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction');
    }
  });
});
