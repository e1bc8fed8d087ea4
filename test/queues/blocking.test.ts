import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Effect } from '../../src/core/propagation.js';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, RespClient } from '../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

/**
 * Blocking list commands with several real clients: the order clients are
 * served in, wake-ups after transactions, timeouts, CLIENT UNBLOCK,
 * disconnects, FLUSHALL, SWAPDB, keys that change type. Scenarios run
 * against Sluice and a real redis-server and must tell the same story.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  port: number;
  /** A fresh ioredis connection (closed when the scenario ends). */
  client(db?: number): Promise<Redis>;
  admin: Redis;
  /** Waits (bounded) until INFO reports `n` blocked clients; returns the count seen. */
  blocked(n: number): Promise<number>;
}

async function blockedCount(admin: Redis): Promise<number> {
  const info = await admin.info('clients');
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

async function withServer<T>(port: number, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
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
  const ctx: Ctx = {
    port,
    client: open,
    admin,
    async blocked(n) {
      let seen = -1;
      for (let i = 0; i < 400; i++) {
        seen = await blockedCount(admin);
        if (seen === n) break;
        await sleep(5);
      }
      return seen;
    },
  };
  try {
    return await fn(ctx);
  } finally {
    for (const r of opened) r.disconnect();
  }
}

/** Runs one scenario on both servers and requires the same transcript. */
function both(name: string, fn: (ctx: Ctx) => Promise<unknown>): void {
  test(name, async () => {
    const mine = await withServer(sluice.port, fn);
    const theirs = await withServer(redis.port, fn);
    expect(mine).toEqual(theirs);
  });
}

// DEBUG SLEEP lets time pass inside a transaction.
const sluice = useSluice({ start: { config: { 'enable-debug-command': 'yes' } } });
let redis: RealRedis;

beforeAll(async () => {
  if (redisServerPath !== null) redis = await startRedis(['--enable-debug-command', 'yes']);
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(redisServerPath === null)('blocking list commands (differential scenarios vs redis-server)', () => {
  both('clients blocked on one key are served first come, first served', async ({ client, admin, blocked }) => {
    const waiters: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      waiters.push((await client()).blpop('q', 0));
      await blocked(i + 1);
    }
    const pushed = await admin.lpush('q', 'a', 'b', 'c', 'd');
    return { pushed, served: await Promise.all(waiters), left: await admin.lrange('q', 0, -1) };
  });

  both('ten consumers and one producer: each push goes to the longest waiter', async ({ client, admin, blocked }) => {
    const waiters: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      waiters.push((await client()).brpop('jobs', 0));
      await blocked(i + 1);
    }
    for (let i = 0; i < 10; i++) await admin.lpush('jobs', `job-${i}`);
    return Promise.all(waiters);
  });

  both('a client blocked on several keys is served once, by the first key that gets data', async ({ client, admin, blocked }) => {
    const a = (await client()).blpop('k1', 'k2', 0);
    await blocked(1);
    const b = (await client()).blpop('k2', 0);
    await blocked(2);
    await admin.rpush('k2', 'x');
    const first = await a;
    await admin.rpush('k2', 'y');
    const second = await b;
    await admin.rpush('k1', 'z');
    return { first, second, k1: await admin.llen('k1'), still: await blocked(0) };
  });

  both('a push inside MULTI wakes the waiter only after EXEC, which sees the whole transaction', async ({ client, admin, blocked }) => {
    const a = (await client()).blpop('q', 0);
    await blocked(1);
    const exec = await admin.multi().lpush('q', 'a').lpush('q', 'b').llen('q').exec();
    return { exec, served: await a, left: await admin.lrange('q', 0, -1) };
  });

  both('a key that expired while the transaction that filled it ran serves no waiter, which blocks on', async ({ client, admin, blocked }) => {
    const list = (await client()).blpop('q', 1);
    const zset = (await client()).bzpopmin('z', 1);
    await blocked(2);
    const exec = await admin.multi().rpush('q', 'a').pexpire('q', 100).zadd('z', 1, 'one').pexpire('z', 100).debug('SLEEP', '0.2').exec();
    return { exec, served: await Promise.all([list, zset]), left: await admin.exists('q', 'z') };
  });

  both("a waiter is served before the pushing client's next pipelined command", async ({ client, admin, blocked }) => {
    const a = (await client()).blpop('q', 0);
    await blocked(1);
    const replies = await admin.pipeline().rpush('q', 'v').llen('q').exec();
    return { replies, served: await a };
  });

  both('a key deleted or changed to another type within a transaction leaves its waiters blocked', async ({ client, admin, blocked }) => {
    const a = (await client()).blpop('q', 0);
    await blocked(1);
    const exec = await admin.multi().lpush('q', 'x').del('q').set('q', 'str').exec();
    const afterExec = await blocked(1);
    await admin.set('q', 'other');
    const afterSet = await blocked(1);
    await admin.del('q');
    await admin.rpush('q', 'y');
    return { exec, afterExec, afterSet, served: await a };
  });

  both('FLUSHALL leaves waiters blocked; the next push serves them', async ({ client, admin, blocked }) => {
    const a = (await client()).blpop('q', 0);
    await blocked(1);
    await admin.flushall();
    const afterFlush = await blocked(1);
    const exec = await admin.multi().lpush('q', 'a').flushall().exec();
    const afterExec = await blocked(1);
    await admin.lpush('q', 'b');
    return { afterFlush, exec, afterExec, served: await a };
  });

  both('SWAPDB serves clients blocked on keys that exist after the swap, in their own database', async ({ client, blocked }) => {
    const a = (await client(0)).blpop('q', 0);
    (await client(0)).blpop('z', 0).catch(() => {});
    await blocked(2);
    const one = await client(1);
    await one.rpush('q', 'x', 'y');
    await one.set('z', 'a string');
    await one.swapdb(0, 1);
    const zero = await client(0);
    return {
      served: await a,
      db0: await zero.lrange('q', 0, -1),
      db1: await one.exists('q'),
      stillBlocked: await blocked(1),
      z: await zero.type('z'),
    };
  });

  both('a client blocked in one database is not served by a push in another', async ({ client, blocked }) => {
    const a = (await client(5)).blpop('q', 0);
    await blocked(1);
    const zero = await client(0);
    await zero.rpush('q', 'other-db');
    const stillBlocked = await blocked(1);
    await (await client(5)).rpush('q', 'same-db');
    return { stillBlocked, served: await a, db0: await zero.llen('q') };
  });

  both('CLIENT UNBLOCK ends a wait as a timeout or with an UNBLOCKED error', async ({ client, admin, blocked }) => {
    const c1 = await client();
    const id1 = await c1.client('ID');
    const a = c1.blpop('q', 0);
    await blocked(1);
    const timeout = await admin.client('UNBLOCK', id1);
    const c2 = await client();
    const id2 = await c2.client('ID');
    const b = c2.blmove('s', 'd', 'LEFT', 'RIGHT', 0).catch((e: Error) => e.message);
    await blocked(1);
    const error = await admin.call('CLIENT', 'UNBLOCK', String(id2), 'ERROR');
    const c3 = await client();
    const id3 = await c3.client('ID');
    const w = c3.call('WAIT', '1', '0');
    await blocked(1);
    const wait = await admin.call('CLIENT', 'UNBLOCK', String(id3), 'timeout');
    return {
      timeout, a: await a, error, b: await b, wait, w: await w,
      notBlocked: await admin.client('UNBLOCK', id1),
      nobody: await admin.client('UNBLOCK', 999999),
      badReason: await admin.call('CLIENT', 'UNBLOCK', String(id1), 'later').catch((e: Error) => e.message),
      badId: await admin.call('CLIENT', 'UNBLOCK', 'abc').catch((e: Error) => e.message),
      tooMany: await admin.call('CLIENT', 'UNBLOCK', '1', 'ERROR', 'x').catch((e: Error) => e.message),
      afterwards: await c1.ping(),
    };
  });

  both('a waiter that disconnects or is killed is forgotten and consumes nothing', async ({ client, admin, blocked }) => {
    const gone = await client();
    gone.blpop('q', 0).catch(() => {});
    await blocked(1);
    const stays = await client();
    const served = stays.blpop('q', 0);
    await blocked(2);
    gone.disconnect();
    const afterDisconnect = await blocked(1);
    await admin.rpush('q', 'v1');
    const killed = await client();
    const killedId = await killed.client('ID');
    killed.blpop('r', 0).catch(() => {});
    await blocked(1);
    const kill = await admin.client('KILL', 'ID', String(killedId));
    const afterKill = await blocked(0);
    await admin.rpush('r', 'v2');
    return { afterDisconnect, served: await served, kill, afterKill, r: await admin.lrange('r', 0, -1) };
  });

  both('BLMOVE feeding a list another client waits on serves both in the same turn', async ({ client, admin, blocked }) => {
    const mover = (await client()).blmove('s1', 's2', 'RIGHT', 'LEFT', 0);
    await blocked(1);
    const popper = (await client()).blpop('s2', 0);
    await blocked(2);
    const pushed = await admin.lpush('s1', 'x');
    return {
      pushed, moved: await mover, popped: await popper,
      s1: await admin.exists('s1'), s2: await admin.exists('s2'),
    };
  });

  both('served BRPOP, BLMPOP and BRPOPLPUSH take from the ends they name', async ({ client, admin, blocked }) => {
    const r = (await client()).brpop('a', 0);
    const m = (await client()).call('BLMPOP', '0', '2', 'nokey', 'b', 'RIGHT', 'COUNT', '3');
    const p = (await client()).brpoplpush('c', 'dst', 0);
    await blocked(3);
    await admin.rpush('a', '1', '2', '3');
    await admin.rpush('b', '1', '2', '3', '4');
    await admin.rpush('c', '1', '2');
    return {
      r: await r, m: await m, p: await p,
      a: await admin.lrange('a', 0, -1), b: await admin.lrange('b', 0, -1),
      c: await admin.lrange('c', 0, -1), dst: await admin.lrange('dst', 0, -1),
    };
  });

  both('commands pipelined behind a blocking command run once it is served', async ({ client, admin, blocked }) => {
    const c = await client();
    const replies = c.pipeline().blpop('q', 0).ping().llen('q').exec();
    await blocked(1);
    await admin.rpush('q', 'a', 'b');
    return replies;
  });

  both('CLIENT REPLY OFF also silences the reply that ends a wait', async ({ port, admin, blocked }) => {
    const raw = await RespClient.connect(port);
    try {
      const send = (...cmds: string[][]) => raw.writeRaw(Buffer.concat(cmds.map((c) => encodeCommand(c))));
      send(['CLIENT', 'REPLY', 'OFF'], ['BLPOP', 'q', '0'], ['CLIENT', 'REPLY', 'ON'], ['PING']);
      await blocked(1);
      await admin.rpush('q', 'a', 'b');
      const replies = [await raw.read(), await raw.read()];
      send(['CLIENT', 'REPLY', 'OFF'], ['BLPOP', 'nokey', '0.01'], ['CLIENT', 'REPLY', 'ON'], ['LLEN', 'q']);
      replies.push(await raw.read(), await raw.read());
      return replies;
    } finally {
      raw.close();
    }
  });

  both('INFO counts blocked clients and those with a timeout; CLIENT LIST flags them b', async ({ client, admin, blocked }) => {
    (await client()).blpop('k1', 'k2', 0).catch(() => {});
    (await client()).blpop('k2', 100).catch(() => {});
    await blocked(2);
    const info = await admin.info('clients');
    const list = String(await admin.call('CLIENT', 'LIST'));
    return {
      blocked: /blocked_clients:(\d+)/.exec(info)![1],
      timed: /clients_in_timeout_table:(\d+)/.exec(info)![1],
      flags: list.split('\n').filter(Boolean).map((l) => /flags=(\S+)/.exec(l)![1]).sort(),
    };
  });
});

describe('waiters whose connections close', () => {
  // Redis frees a client as soon as its read finds the connection closed; Node reports the close a turn
  // or two later. A push read in between was served to the departed waiter and lost (86% of such
  // pushes in a race of ten waiters, 0 in Redis).
  test('consume nothing pushed right after they closed, though the server reads the closes and the push in one turn', async () => {
    const left = await withServer(sluice.port, async ({ port, admin, blocked }) => {
      const lengths: number[] = [];
      for (let round = 0; round < 5; round++) {
        const waiters = await Promise.all(Array.from({ length: 10 }, () => RespClient.connect(port)));
        for (const w of waiters) w.writeRaw(encodeCommand(['BRPOP', 'q', '0']));
        await blocked(10);
        for (const w of waiters) w.close();
        // Sent after the closes: each close is ahead of the push in what the server reads next.
        await Promise.all(Array.from({ length: 10 }, (_, i) => admin.lpush('q', `m${i}`)));
        await blocked(0);
        lengths.push(await admin.llen('q'));
        await admin.del('q');
      }
      return lengths;
    });
    expect(left).toEqual([10, 10, 10, 10, 10]);
  });
});

describe('blocking registry (in process)', () => {
  async function clientOf(db = 0): Promise<Redis> {
    const r = new Redis(sluice.port, '127.0.0.1', { db, retryStrategy: () => null });
    r.on('error', () => {});
    await r.ping();
    return r;
  }

  async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !cond(); i++) await sleep(5);
  }

  test('a served pop propagates its non-blocking twin, in the served client’s database', async () => {
    const effects: Effect[] = [];
    const unsubscribe = sluice.server.propagation.subscribe((batch) => effects.push(...batch));
    const admin = await clientOf(3);
    const clients: Redis[] = [];
    try {
      await admin.flushall();
      const waits: Promise<unknown>[] = [];
      const waitFor = async (issue: (r: Redis) => Promise<unknown>) => {
        const r = await clientOf(3);
        clients.push(r);
        waits.push(issue(r));
        const n = waits.length;
        await until(() => sluice.server.blocking.size === n);
      };
      await waitFor((r) => r.blpop('a', 0));
      await waitFor((r) => r.brpop('b', 0));
      await waitFor((r) => r.blmove('c', 'd', 'LEFT', 'RIGHT', 0));
      await waitFor((r) => r.brpoplpush('e', 'f', 0));
      await waitFor((r) => r.call('BLMPOP', '0', '1', 'g', 'RIGHT', 'COUNT', '5'));
      effects.length = 0;
      await admin.rpush('a', '1');
      await admin.rpush('b', '1', '2');
      await admin.rpush('c', '1');
      await admin.rpush('e', '1');
      await admin.rpush('g', '1', '2', '3');
      await Promise.all(waits);
      expect(effects).toEqual([
        { db: 3, argv: ['rpush', 'a', '1'] }, { db: 3, argv: ['LPOP', 'a'] },
        { db: 3, argv: ['rpush', 'b', '1', '2'] }, { db: 3, argv: ['RPOP', 'b'] },
        { db: 3, argv: ['rpush', 'c', '1'] }, { db: 3, argv: ['LMOVE', 'c', 'd', 'LEFT', 'RIGHT'] },
        { db: 3, argv: ['rpush', 'e', '1'] }, { db: 3, argv: ['RPOPLPUSH', 'e', 'f'] },
        { db: 3, argv: ['rpush', 'g', '1', '2', '3'] }, { db: 3, argv: ['RPOP', 'g', '3'] },
      ]);
    } finally {
      unsubscribe();
      for (const r of [admin, ...clients]) r.disconnect();
    }
  });

  test('a blocked command counts as one call, made when it is served or times out', async () => {
    const admin = await clientOf();
    const a = await clientOf();
    try {
      await admin.config('RESETSTAT');
      const served = a.blpop('q', 0);
      await until(() => sluice.server.blocking.size === 1);
      expect(await admin.info('commandstats')).not.toContain('cmdstat_blpop');
      await admin.rpush('q', 'v');
      await served;
      await a.brpop('nokey', 0.01);
      const stats = await admin.info('commandstats');
      expect(/cmdstat_blpop:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
      expect(/cmdstat_brpop:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
    } finally {
      a.disconnect();
      admin.disconnect();
    }
  });

  test('a timeout ends the wait no sooner than asked, and within a generous bound', async () => {
    const a = await clientOf();
    try {
      const start = performance.now();
      expect(await a.blpop('nokey', 0.25)).toBeNull();
      const elapsed = performance.now() - start;
      expect(elapsed).toBeGreaterThanOrEqual(245);
      expect(elapsed).toBeLessThan(2500);
      // A waiter with a later deadline outlives one with an earlier one, whatever order they blocked in.
      const b = await clientOf();
      const order: string[] = [];
      const late = a.blpop('x', 0.4).then(() => order.push('late'));
      const early = b.blpop('y', 0.1).then(() => order.push('early'));
      await Promise.all([late, early]);
      expect(order).toEqual(['early', 'late']);
      b.disconnect();
    } finally {
      a.disconnect();
    }
  });

  test('the registry frees what departed clients and emptied keys held', async () => {
    const admin = await clientOf();
    const clients = await Promise.all([clientOf(), clientOf(), clientOf()]);
    try {
      clients[0].blpop('k1', 'k2', 0).catch(() => {});
      clients[1].blpop('k2', 'k3', 50).catch(() => {});
      clients[2].call('WAIT', '1', '0').catch(() => {});
      await until(() => sluice.server.blocking.size === 3);
      const info = await admin.info('clients');
      expect(info).toContain('total_blocking_keys:3');
      expect(info).toContain('clients_in_timeout_table:1');
      expect(sluice.server.metrics.blockedClients()).toBe(3);
      for (const c of clients) c.disconnect();
      await until(() => sluice.server.blocking.size === 0);
      expect(sluice.server.blocking.size).toBe(0);
      expect(sluice.server.blocking.blockingKeys).toBe(0);
      expect(sluice.server.blocking.withTimeout).toBe(0);
      expect(await admin.info('clients')).toContain('total_blocking_keys:0');
    } finally {
      admin.disconnect();
    }
  });

  test('as in Redis 7.2, a served BLPOP runs again whole: its first key of another type fails it', async () => {
    // Redis 7.0 popped from the key that became ready; 7.2 re-executes the command (redis#11012).
    const admin = await clientOf();
    const a = await clientOf();
    try {
      await admin.flushall();
      const reply = a.blpop('k1', 'k2', 0).catch((e: Error) => e.message);
      await until(() => sluice.server.blocking.size === 1);
      await admin.multi().set('k1', 'str').rpush('k2', 'x').exec();
      expect(await reply).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
      expect(await admin.lrange('k2', 0, -1)).toEqual(['x']);
    } finally {
      a.disconnect();
      admin.disconnect();
    }
  });

  test('a write that turns a key of another type into a list serves the clients blocked on it (Redis 7.2 leaves them blocked; docs/commands.md)', async () => {
    const admin = await clientOf();
    const a = await clientOf();
    try {
      await admin.flushall();
      const reply = a.blpop('k', 0);
      await until(() => sluice.server.blocking.size === 1);
      // A string made at the key leaves the client blocked, in both servers.
      await admin.set('k', 'str');
      await admin.sadd('src', 'm');
      expect(sluice.server.blocking.size).toBe(1);
      expect(await admin.sort('src', 'ALPHA', 'STORE', 'k')).toBe(1);
      expect(await reply).toEqual(['k', 'm']);
    } finally {
      a.disconnect();
      admin.disconnect();
    }
  });

  test('as in Redis 7.2, a client woken by one key pops the first of its keys that has data now', async () => {
    const admin = await clientOf();
    const a = await clientOf();
    const b = await clientOf();
    try {
      await admin.flushall();
      const first = a.blpop('k1', 'k2', 0);
      await until(() => sluice.server.blocking.size === 1);
      const second = b.blpop('k2', 'k1', 0);
      await until(() => sluice.server.blocking.size === 2);
      // k2 is signalled first; a, first in its queue, runs again and finds k1 non-empty too.
      await admin.multi().rpush('k2', 'x').rpush('k1', 'y').exec();
      expect(await first).toEqual(['k1', 'y']);
      expect(await second).toEqual(['k2', 'x']);
    } finally {
      for (const r of [a, b, admin]) r.disconnect();
    }
  });

  test('RENAME or COPY of a list onto a key with waiters serves them', async () => {
    const admin = await clientOf();
    const a = await clientOf();
    const b = await clientOf();
    try {
      await admin.flushall();
      const renamed = a.blpop('target', 0);
      await until(() => sluice.server.blocking.size === 1);
      await admin.rpush('src', 'r');
      await admin.rename('src', 'target');
      expect(await renamed).toEqual(['target', 'r']);
      const copied = b.blpop('copy', 0);
      await until(() => sluice.server.blocking.size === 1);
      await admin.rpush('orig', 'c');
      await admin.copy('orig', 'copy');
      expect(await copied).toEqual(['copy', 'c']);
      expect(await admin.lrange('orig', 0, -1)).toEqual(['c']);
    } finally {
      for (const r of [a, b, admin]) r.disconnect();
    }
  });

  test('WAIT goes through the same registry: CLIENT UNBLOCK ends it with the replica count', async () => {
    const admin = await clientOf();
    const w = await clientOf();
    try {
      const id = await w.client('ID');
      const reply = w.call('WAIT', '2', '0');
      await until(() => sluice.server.blocking.size === 1);
      expect(await admin.client('UNBLOCK', id)).toBe(1);
      expect(await reply).toBe(0);
      expect(sluice.server.blocking.size).toBe(0);
    } finally {
      w.disconnect();
      admin.disconnect();
    }
  });
});
