import { Redis } from 'ioredis';
import { BasicClientSideCache, createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { redisServerPath } from '../../helpers/servers.js';

/** Resolves once `emitter` emits `event` (as many times as asked), with the arguments of each. */
function events(emitter: { on(e: string, f: (...a: unknown[]) => void): unknown }, event: string, count = 1): Promise<unknown[][]> {
  return new Promise((resolve) => {
    const seen: unknown[][] = [];
    emitter.on(event, (...args) => {
      seen.push(args);
      if (seen.length === count) resolve(seen);
    });
  });
}

/**
 * node-redis's clientSideCache and ioredis with CLIENT TRACKING by hand,
 * unchanged, against Sluice and against redis-server: what each library
 * observes must be the same.
 */
describe.skipIf(redisServerPath === null)('client libraries with client-side caching', () => {
  const servers = useSluiceAndRedis();

  /** node-redis: a cached GET is served locally until another client changes the key, then read again. */
  async function nodeRedisCache(port: number): Promise<unknown[]> {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const client = createClient({ url: `redis://127.0.0.1:${port}`, RESP: 3, clientSideCache: cache, socket: { reconnectStrategy: false } });
    const writer = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    await Promise.all([client.connect(), writer.connect()]);
    try {
      await writer.set('csc:k', 'v1');
      const seen: unknown[] = [await client.get('csc:k'), await client.get('csc:k')];
      seen.push({ hits: cache.stats().hitCount, misses: cache.stats().missCount, size: cache.size() });
      const invalidated = events(cache, 'invalidate');
      await writer.set('csc:k', 'v2');
      seen.push((await invalidated)[0][0]);
      seen.push(await client.get('csc:k'), { hits: cache.stats().hitCount, misses: cache.stats().missCount });
      const flushed = events(cache, 'invalidate');
      await writer.flushAll();
      seen.push((await flushed)[0][0], cache.size());
      return seen;
    } finally {
      await Promise.all([client.close(), writer.close()]);
    }
  }

  test('node-redis clientSideCache serves repeated reads locally and drops entries on invalidation', async () => {
    const sluice = await nodeRedisCache(servers.sluice.port);
    expect(sluice).toEqual([
      'v1', 'v1', { hits: 1, misses: 1, size: 1 }, expect.anything(), 'v2', { hits: 1, misses: 2 }, null, 0,
    ]);
    expect(sluice).toEqual(await nodeRedisCache(servers.redis.port));
  });

  /** ioredis, RESP2: a subscriber on __redis__:invalidate receives what a tracking connection redirects. */
  async function ioredisRedirect(port: number): Promise<unknown[]> {
    const opts = { host: '127.0.0.1', port, protocol: 2 as const, retryStrategy: () => null };
    const sub = new Redis(opts);
    const reader = new Redis(opts);
    try {
      const subId = await sub.client('ID');
      await sub.subscribe('__redis__:invalidate');
      await reader.client('TRACKING', 'ON', 'REDIRECT', String(subId));
      await reader.mget('io:a', 'io:b');
      const messages = events(sub, 'message', 2);
      await reader.set('io:a', '1');
      await reader.incr('io:b');
      const seen = (await messages).map(([channel, message]) => [channel, message]);
      seen.push([await reader.call('CLIENT', 'TRACKINGINFO')]);
      return seen;
    } finally {
      sub.disconnect();
      reader.disconnect();
    }
  }

  test('ioredis with CLIENT TRACKING REDIRECT gets invalidations as __redis__:invalidate messages', async () => {
    const sluice = await ioredisRedirect(servers.sluice.port);
    expect(sluice.slice(0, 2)).toEqual([['__redis__:invalidate', 'io:a'], ['__redis__:invalidate', 'io:b']]);
    const redis = await ioredisRedirect(servers.redis.port);
    // The redirect id differs between the servers; the rest must not.
    const noRedirect = (s: unknown[]) => JSON.stringify(s).replace(/"redirect",\d+/, '"redirect",N');
    expect(noRedirect(sluice)).toBe(noRedirect(redis));
  });

  /** ioredis, BCAST: every change under a prefix, without reading the keys first. */
  async function ioredisBroadcast(port: number): Promise<unknown[]> {
    const opts = { host: '127.0.0.1', port, protocol: 2 as const, retryStrategy: () => null };
    const sub = new Redis(opts);
    const writer = new Redis(opts);
    try {
      const subId = await sub.client('ID');
      await sub.subscribe('__redis__:invalidate');
      await writer.client('TRACKING', 'ON', 'REDIRECT', String(subId), 'BCAST', 'PREFIX', 'user:');
      const messages = events(sub, 'message', 2);
      await writer.set('user:1', 'x');
      await writer.set('other', 'x');
      await writer.incr('user:2');
      return (await messages).map(([channel, message]) => [channel, message]);
    } finally {
      sub.disconnect();
      writer.disconnect();
    }
  }

  test('ioredis with BCAST PREFIX hears of every change under the prefix', async () => {
    const sluice = await ioredisBroadcast(servers.sluice.port);
    expect(sluice).toEqual([['__redis__:invalidate', 'user:1'], ['__redis__:invalidate', 'user:2']]);
    expect(sluice).toEqual(await ioredisBroadcast(servers.redis.port));
  });
});
