import { beforeEach, describe, expect, test } from 'vitest';
import type { Effect } from '../../src/core/propagation.js';
import { useSluice, useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { c, differential, fails } from '../helpers/differential.js';

const sluice = useSluice({ conn: 'fresh' });
let b: RespClient;
beforeEach(async () => {
  b = await sluice.connect();
});

const NULL_EXEC = { t: 'array', v: null };

describe('WATCH', () => {
  test('a write to a watched key by another client makes EXEC return nil and run nothing', async () => {
    await sluice.conn.call('WATCH', 'k');
    await b.call('SET', 'k', 'other');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SET', 'k', 'mine');
    expect(await sluice.conn.call('EXEC')).toEqual(NULL_EXEC);
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: 'other' });
  });

  test('an unchanged watched key lets EXEC run', async () => {
    await sluice.conn.call('WATCH', 'k');
    await b.call('SET', 'unrelated', '1');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SET', 'k', 'mine');
    expect(await sluice.conn.call('EXEC')).toEqual({ t: 'array', v: [{ t: 'simple', v: 'OK' }] });
  });

  test('FLUSHDB breaks a watch on an existing key', async () => {
    await sluice.conn.call('SET', 'k', '1');
    await sluice.conn.call('WATCH', 'k');
    await b.call('FLUSHDB');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('PING');
    expect(await sluice.conn.call('EXEC')).toEqual(NULL_EXEC);
  });

  test('FLUSHALL breaks a watch on an existing key in another database', async () => {
    await sluice.conn.call('SELECT', '3');
    await sluice.conn.call('SET', 'k', '1');
    await sluice.conn.call('WATCH', 'k');
    await b.call('FLUSHALL');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('PING');
    expect(await sluice.conn.call('EXEC')).toEqual(NULL_EXEC);
  });

  test('SWAPDB breaks a watch on a key that exists in either database', async () => {
    await b.call('SELECT', '1');
    await b.call('SET', 'k', 'in-db1');
    await sluice.conn.call('WATCH', 'k');
    await b.call('SWAPDB', '0', '1');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('PING');
    expect(await sluice.conn.call('EXEC')).toEqual(NULL_EXEC);
  });

  test('a watched key that expires before EXEC aborts the transaction', async () => {
    await sluice.conn.call('SET', 'k', '1', 'PX', '30');
    await sluice.conn.call('WATCH', 'k');
    await new Promise((r) => setTimeout(r, 60));
    await sluice.conn.call('MULTI');
    await sluice.conn.call('PING');
    expect(await sluice.conn.call('EXEC')).toEqual(NULL_EXEC);
  });

  test('UNWATCH forgets the keys so a later write does not abort', async () => {
    await sluice.conn.call('WATCH', 'k');
    await sluice.conn.call('UNWATCH');
    await b.call('SET', 'k', 'x');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('PING');
    expect(await sluice.conn.call('EXEC')).toEqual({ t: 'array', v: [{ t: 'simple', v: 'PONG' }] });
  });

  test('a client that disconnects leaves no watch registrations behind', async () => {
    await b.call('WATCH', 'k1', 'k2');
    expect(sluice.server.keyspace.db(0).watched?.size).toBe(2);
    b.close();
    await b.closed;
    await sluice.conn.call('PING');
    expect(sluice.server.keyspace.db(0).watched).toBeNull();
  });
});

describe.skipIf(redisServerPath === null)('WATCH of keys past their deadline (differential scenarios vs redis-server)', () => {
  // Redis's watchedKey.expired: a key present but past its deadline counts as missing, at WATCH, EXEC, SWAPDB and FLUSH.
  const s = useSluiceAndRedis({ sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  type Scenario = (a: RespClient, b: RespClient) => Promise<Resp[]>;

  /** Runs the scenario on both servers, active expiry off so that stale keys stay until something touches them. */
  async function same(scenario: Scenario): Promise<void> {
    const run = async (port: number) => {
      const [a, b] = await Promise.all([RespClient.connect(port), RespClient.connect(port)]);
      try {
        await a.call('FLUSHALL');
        await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
        return await scenario(a, b);
      } finally {
        await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
        a.close();
        b.close();
      }
    };
    const mine = await run(s.sluice.port);
    expect(mine).toEqual(await run(s.redis.port));
  }

  /** MULTI, PING, EXEC: the EXEC reply says whether the watch held. */
  const tryExec = async (a: RespClient) => {
    await a.call('MULTI');
    await a.call('PING');
    return a.call('EXEC');
  };
  /** Sets `key` in the connection's database to expire almost at once, and lets it pass its deadline. */
  const stale = async (a: RespClient, key: string) => {
    await a.call('SET', key, 'gone', 'PX', '1');
    await sleep(5);
  };

  test('WATCH leaves a stale key in place, and its deletion is no change', async () => {
    await same(async (a, b) => {
      await stale(a, 'x');
      const watched = await a.call('WATCH', 'x');
      const size = await a.call('DBSIZE');
      await b.call('GET', 'x');
      return [watched, size, await tryExec(a)];
    });
  });

  test('a stale watched key written again breaks the watch', async () => {
    await same(async (a, b) => {
      await stale(a, 'x');
      await a.call('WATCH', 'x');
      await b.call('SET', 'x', 'new');
      return [await tryExec(a)];
    });
  });

  test('FLUSHDB of a stale watched key is no change', async () => {
    await same(async (a, b) => {
      await stale(a, 'x');
      await a.call('WATCH', 'x');
      await b.call('FLUSHDB');
      return [await tryExec(a)];
    });
  });

  test('SWAPDB that puts a stale key where the watched one was missing, or stale, is no change', async () => {
    await same(async (a) => {
      await stale(a, 'x');
      await a.call('SELECT', '1');
      await a.call('WATCH', 'x');
      await a.call('SWAPDB', '0', '1');
      const first = await tryExec(a);
      await a.call('FLUSHALL');
      await stale(a, 'y');
      await a.call('SELECT', '0');
      await stale(a, 'y');
      await a.call('SELECT', '1');
      await a.call('WATCH', 'y');
      await a.call('SWAPDB', '0', '1');
      return [first, await tryExec(a)];
    });
  });

  test('SWAPDB that puts a live key where the watched one was stale breaks the watch; so does the swapped-in stale key coming back to life', async () => {
    await same(async (a, b) => {
      await stale(a, 'x');
      await a.call('SELECT', '1');
      await a.call('SET', 'x', 'live');
      await a.call('SELECT', '0');
      await a.call('WATCH', 'x');
      await a.call('SWAPDB', '0', '1');
      const first = await tryExec(a);
      await a.call('FLUSHALL');
      await stale(a, 'y');
      await a.call('SELECT', '1');
      await a.call('WATCH', 'y');
      await a.call('SWAPDB', '0', '1');
      await b.call('SELECT', '1');
      await b.call('SET', 'y', 'again');
      return [first, await tryExec(a)];
    });
  });
});

describe.skipIf(redisServerPath === null)('EXEC on a replica whose link is down (differential vs redis-server)', () => {
  const s = useSluiceAndRedis({});

  test('with replica-serve-stale-data no, EXEC is refused unless every queued command may run stale', async () => {
    const run = async (port: number) => {
      const [a, b] = await Promise.all([RespClient.connect(port), RespClient.connect(port)]);
      const out: Resp[] = [];
      try {
        await a.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
        await a.call('SET', 'xx', '1');
        for (const queued of [['GET', 'xx'], ['PING'], ['CONFIG', 'GET', 'replica-serve-stale-data']]) {
          await a.call('MULTI');
          await a.call(...queued);
          // The server becomes a replica of a master it cannot reach after the commands were queued.
          await b.call('REPLICAOF', 'no-such-host.invalid', '6379');
          out.push(await a.call('EXEC'));
          await b.call('REPLICAOF', 'NO', 'ONE');
        }
        return out;
      } finally {
        await a.call('CONFIG', 'SET', 'replica-serve-stale-data', 'yes');
        a.close();
        b.close();
      }
    };
    const mine = await run(s.sluice.port);
    expect(mine).toEqual(await run(s.redis.port));
    expect(mine[0]).toEqual({ t: 'error', v: "EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." });
  });
});

describe('MULTI/EXEC', () => {
  test('a queueing error makes EXEC fail with EXECABORT and run nothing', async () => {
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SET', 'k', '1');
    expect((await sluice.conn.call('GET')).t).toBe('error');
    expect(await sluice.conn.call('EXEC')).toEqual({ t: 'error', v: 'EXECABORT Transaction discarded because of previous errors.' });
    expect(await sluice.conn.call('EXISTS', 'k')).toEqual({ t: 'int', v: '0' });
  });

  test('a runtime error inside EXEC does not stop the other commands', async () => {
    await sluice.conn.call('SET', 's', 'text');
    await sluice.conn.call('MULTI');
    await sluice.conn.call('INCR', 's');
    await sluice.conn.call('SET', 'k', 'v');
    const r = await sluice.conn.call('EXEC');
    expect(r).toEqual({
      t: 'array',
      v: [{ t: 'error', v: 'ERR value is not an integer or out of range' }, { t: 'simple', v: 'OK' }],
    });
  });

  test('commands of other clients do not interleave with a transaction', async () => {
    await sluice.conn.call('MULTI');
    for (let i = 0; i < 50; i++) await sluice.conn.call('INCR', 'n');
    const exec = sluice.conn.call('EXEC');
    const other = b.call('GET', 'n');
    const r = await exec;
    expect(r.t === 'array' && r.v?.length).toBe(50);
    const seen = await other;
    expect(['50', null]).toContain((seen as { v: string | null }).v);
  });

  test('the effects of a transaction propagate as one MULTI … EXEC batch', async () => {
    const batches: Effect[][] = [];
    const off = sluice.server.propagation.subscribe((e) => batches.push([...e]));
    try {
      await sluice.conn.call('MULTI');
      await sluice.conn.call('SET', 'x', '1');
      await sluice.conn.call('INCR', 'x');
      await sluice.conn.call('GET', 'x');
      await sluice.conn.call('EXEC');
    } finally {
      off();
    }
    expect(batches.map((b) => b.map((e) => e.argv))).toEqual([[['MULTI'], ['SET', 'x', '1'], ['INCR', 'x'], ['EXEC']]]);
  });

  test('a transaction with a single write propagates that write alone, as Redis 7 does', async () => {
    const batches: Effect[][] = [];
    const off = sluice.server.propagation.subscribe((e) => batches.push([...e]));
    try {
      await sluice.conn.call('MULTI');
      await sluice.conn.call('SET', 'x', '1');
      await sluice.conn.call('GET', 'x');
      await sluice.conn.call('EXEC');
    } finally {
      off();
    }
    expect(batches.map((b) => b.map((e) => e.argv))).toEqual([[['SET', 'x', '1']]]);
  });
});

differential('transactions', {
  'queued replies and EXEC results': [
    c('MULTI'), c('SET', 'a', '1'), c('INCR', 'a'), c('GET', 'a'), c('EXEC'),
  ],
  'runtime errors inside EXEC': [
    c('SET', 's', 'text'), c('MULTI'), c('INCR', 's'), c('SET', 'k', 'v'), c('EXEC'),
  ],
  'queueing errors abort': [
    c('MULTI'), fails('SET', 'k'), c('SET', 'k', 'v'), fails('EXEC'), c('EXISTS', 'k'),
  ],
  'WATCH then EXEC without interference': [
    c('WATCH', 'a', 'b'), c('MULTI'), c('SET', 'a', '1'), c('EXEC'), c('GET', 'a'),
  ],
  'EXEC with nothing queued': [c('MULTI'), c('EXEC')],
});

describe('commands queued by MULTI count toward client-query-buffer-limit', () => {
  const value = 'v'.repeat(10_000);

  test('a transaction that stays within the limit queues and runs', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
    try {
      expect(await b.call('MULTI')).toEqual({ t: 'simple', v: 'OK' });
      for (let i = 0; i < 50; i++) expect(await b.call('SET', `k${i}`, value)).toEqual({ t: 'simple', v: 'QUEUED' });
      const done = await b.call('EXEC');
      expect(done.t === 'array' && done.v?.length).toBe(50);
    } finally {
      await sluice.conn.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    }
  });

  test('a queue that passes the limit closes that client, as a query buffer overflow, and nothing runs', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
    try {
      const before = sluice.server.stats.clientQueryBufferLimitDisconnections;
      expect(await b.call('MULTI')).toEqual({ t: 'simple', v: 'OK' });
      let queued = 0;
      await expect(
        (async () => {
          for (let i = 0; i < 200; i++) {
            await b.call('SET', `k${i}`, value);
            queued++;
          }
        })(),
      ).rejects.toThrow('connection closed');
      // About 1 MB of 10 KB values were queued before the limit closed the connection.
      expect(queued).toBeGreaterThan(90);
      expect(queued).toBeLessThan(110);
      expect(sluice.server.stats.clientQueryBufferLimitDisconnections).toBe(before + 1);
      expect(await sluice.conn.call('EXISTS', 'k0')).toEqual({ t: 'int', v: '0' });
      // Redis's wording: the client's CLIENT LIST line (MULTI's queue is what went over), then the start of what it sent.
      expect(sluice.logs.messages('warning')).toContainEqual(
        expect.stringMatching(/^Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .* \(qbuf initial bytes: ".*"\)$/),
      );
    } finally {
      await sluice.conn.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    }
  });
});
