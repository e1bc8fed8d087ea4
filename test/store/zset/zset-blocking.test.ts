import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Effect } from '../../../src/core/propagation.js';
import { useSluice } from '../../helpers/fixture.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP with several real clients: who is served,
 * in what order, after transactions and pipelines, with fractional
 * timeouts. Scenarios run against Sluice and a real redis-server and must
 * tell the same story; propagation is checked in process.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scenario {
  client(db?: number): Promise<Redis>;
  admin: Redis;
  /** Waits (bounded) until INFO reports `n` blocked clients; returns the count seen. */
  blocked(n: number): Promise<number>;
}

async function withServer<T>(port: number, fn: (s: Scenario) => Promise<T>): Promise<T> {
  const opened: Redis[] = [];
  const open = async (db = 0) => {
    const r = new Redis(port, '127.0.0.1', { db, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    opened.push(r);
    await r.ping();
    return r;
  };
  const admin = await open();
  await admin.flushall();
  const blocked = async (n: number) => {
    let seen = -1;
    for (let i = 0; i < 400; i++) {
      seen = Number(/blocked_clients:(\d+)/.exec(await admin.info('clients'))![1]);
      if (seen === n) break;
      await sleep(5);
    }
    return seen;
  };
  try {
    return await fn({ client: open, admin, blocked });
  } finally {
    for (const r of opened) r.disconnect();
  }
}

const sluice = useSluice();
let redis: RealRedis;

beforeAll(async () => {
  if (redisServerPath !== null) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function both(name: string, fn: (s: Scenario) => Promise<unknown>): void {
  test(name, async () => {
    const mine = await withServer(sluice.port, fn);
    const theirs = await withServer(redis.port, fn);
    expect(mine).toEqual(theirs);
  });
}

describe.skipIf(redisServerPath === null)('blocking sorted set pops (differential scenarios vs redis-server)', () => {
  both('clients blocked on one key are served first come, first served, each the lowest member left', async ({ client, admin, blocked }) => {
    const waiters: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      waiters.push((await client()).bzpopmin('q', 0));
      await blocked(i + 1);
    }
    const added = await admin.zadd('q', 3, 'c', 1, 'a', 2, 'b', 4, 'd');
    return { added, served: await Promise.all(waiters), left: await admin.zrange('q', 0, '-1', 'WITHSCORES') };
  });

  both('BZPOPMAX takes the highest, BZMPOP up to its count, from the ends they name', async ({ client, admin, blocked }) => {
    const max = (await client()).bzpopmax('a', 0);
    const multi = (await client()).call('BZMPOP', '0', '2', 'nokey', 'b', 'MAX', 'COUNT', '3');
    const min = (await client()).call('BZMPOP', '0', '1', 'c', 'MIN');
    await blocked(3);
    await admin.zadd('a', 1, 'x', 2, 'y');
    await admin.zadd('b', 1, 'p', 2, 'q', 3, 'r', 4, 's');
    await admin.zadd('c', 5, 'only');
    return {
      max: await max, multi: await multi, min: await min,
      a: await admin.zrange('a', 0, '-1'), b: await admin.zrange('b', 0, '-1'), c: await admin.exists('c'),
    };
  });

  both('a client blocked on several keys is served once, by the first key that gets members', async ({ client, admin, blocked }) => {
    const a = (await client()).bzpopmin('k1', 'k2', 0);
    await blocked(1);
    const b = (await client()).bzpopmin('k2', 0);
    await blocked(2);
    await admin.zadd('k2', 1, 'x');
    const first = await a;
    await admin.zadd('k2', 2, 'y');
    const second = await b;
    return { first, second, still: await blocked(0) };
  });

  both('a ZADD inside MULTI wakes the waiter only after EXEC, which sees the whole transaction', async ({ client, admin, blocked }) => {
    const a = (await client()).bzpopmin('q', 0);
    await blocked(1);
    const exec = await admin.multi().zadd('q', 5, 'five').zadd('q', 1, 'one').zcard('q').exec();
    return { exec, served: await a, left: await admin.zrange('q', 0, '-1') };
  });

  both("a waiter is served before the adding client's next pipelined command", async ({ client, admin, blocked }) => {
    const a = (await client()).bzpopmax('q', 0);
    await blocked(1);
    const replies = await admin.pipeline().zadd('q', 1, 'a', 2, 'b').zcard('q').exec();
    return { replies, served: await a };
  });

  both('ZUNIONSTORE and ZRANGESTORE into the awaited key serve its waiters', async ({ client, admin, blocked }) => {
    await admin.zadd('src', 1, 'a', 2, 'b', 3, 'c');
    const a = (await client()).bzpopmin('u', 0);
    const b = (await client()).bzpopmax('r', 0);
    await blocked(2);
    await admin.zunionstore('u', 1, 'src');
    await admin.zrangestore('r', 'src', 0, 1);
    return { a: await a, b: await b, u: await admin.zrange('u', 0, '-1'), r: await admin.zrange('r', 0, '-1') };
  });

  both('fractional timeouts end the wait with a null', async ({ client }) => {
    const c = await client();
    return {
      min: await c.bzpopmin('nokey', 0.005),
      max: await c.bzpopmax('nokey', '0.01'),
      mpop: await c.call('BZMPOP', '0.02', '1', 'nokey', 'MIN'),
      after: await c.ping(),
    };
  });

  both('a key set to another type leaves its waiters blocked; the next sorted set serves them', async ({ client, admin, blocked }) => {
    const a = (await client()).bzpopmin('q', 0);
    await blocked(1);
    await admin.rpush('q', 'a list');
    const afterList = await blocked(1);
    await admin.del('q');
    await admin.zadd('q', 1, 'm');
    return { afterList, served: await a };
  });

  both('commands pipelined behind a blocking pop run once it is served', async ({ client, admin, blocked }) => {
    const c = await client();
    const replies = c.pipeline().bzpopmin('q', 0).ping().zcard('q').exec();
    await blocked(1);
    await admin.zadd('q', 1, 'a', 2, 'b');
    return replies;
  });
});

describe('blocking sorted set pops (in process)', () => {
  async function clientOf(): Promise<Redis> {
    const r = new Redis(sluice.port, '127.0.0.1', { retryStrategy: () => null });
    r.on('error', () => {});
    await r.ping();
    return r;
  }

  async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !cond(); i++) await sleep(5);
  }

  test('a served pop propagates as ZPOPMIN / ZPOPMAX key, BZMPOP with the count it popped', async () => {
    const effects: Effect[] = [];
    const unsubscribe = sluice.server.propagation.subscribe((batch) => effects.push(...batch));
    const admin = await clientOf();
    const clients: Redis[] = [];
    try {
      await admin.flushall();
      const waits: Promise<unknown>[] = [];
      const waitFor = async (issue: (r: Redis) => Promise<unknown>) => {
        const r = await clientOf();
        clients.push(r);
        waits.push(issue(r));
        const n = waits.length;
        await until(() => sluice.server.blocking.size === n);
      };
      await waitFor((r) => r.bzpopmin('a', 0));
      await waitFor((r) => r.bzpopmax('b', 0));
      await waitFor((r) => r.call('BZMPOP', '0', '1', 'c', 'MAX', 'COUNT', '5'));
      effects.length = 0;
      await admin.zadd('a', 1, 'x');
      await admin.zadd('b', 1, 'x', 2, 'y');
      await admin.zadd('c', 1, 'x', 2, 'y', 3, 'z');
      await Promise.all(waits);
      expect(effects.map((e) => e.argv)).toEqual([
        ['zadd', 'a', '1', 'x'], ['ZPOPMIN', 'a'],
        ['zadd', 'b', '1', 'x', '2', 'y'], ['ZPOPMAX', 'b'],
        ['zadd', 'c', '1', 'x', '2', 'y', '3', 'z'], ['ZPOPMAX', 'c', '3'],
      ]);
      effects.length = 0;
      await admin.zadd('d', 1, 'x', 2, 'y');
      await admin.bzpopmin('d', 0);
      await admin.call('BZMPOP', '0', '1', 'd', 'MIN', 'COUNT', '9');
      expect(effects.map((e) => e.argv)).toEqual([['zadd', 'd', '1', 'x', '2', 'y'], ['ZPOPMIN', 'd'], ['ZPOPMIN', 'd', '1']]);
    } finally {
      unsubscribe();
      for (const r of [admin, ...clients]) r.disconnect();
    }
  });
});
