import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';

/**
 * XREAD and XREADGROUP with BLOCK, with several real clients: who is
 * served, in which order, by what; timeouts, CLIENT UNBLOCK, transactions.
 * The scenarios in the first block run against Sluice and a real
 * redis-server and must tell the same story; the second block states what
 * Redis 7.2 answers where the 7.0 oracle differs (a blocked XREADGROUP
 * whose key or group goes away). Waits are on INFO's blocked_clients.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scene {
  client(): Promise<RespClient>;
  admin: RespClient;
  /** Waits (bounded) until INFO reports `n` blocked clients; returns the count seen. */
  blocked(n: number): Promise<number>;
}

async function blockedCount(admin: RespClient): Promise<number> {
  const info = (await admin.call('INFO', 'clients')) as { v: string };
  return Number(/blocked_clients:(\d+)/.exec(info.v)![1]);
}

async function withServer<T>(port: number, fn: (s: Scene) => Promise<T>): Promise<T> {
  const opened: RespClient[] = [];
  const client = async () => {
    const c = await RespClient.connect(port);
    opened.push(c);
    return c;
  };
  const admin = await client();
  await admin.call('FLUSHALL');
  const scene: Scene = {
    client,
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
    return await fn(scene);
  } finally {
    for (const c of opened) c.close();
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

function both(name: string, fn: (s: Scene) => Promise<unknown>): void {
  test(name, async () => {
    const mine = await withServer(sluice.port, fn);
    const theirs = await withServer(redis.port, fn);
    expect(mine).toEqual(theirs);
  });
}

describe.skipIf(redisServerPath === null)('XREAD and XREADGROUP BLOCK (differential scenarios vs redis-server)', () => {
  both('clients blocked on $ are each served the entry XADD appends, in arrival order', async ({ client, admin, blocked }) => {
    await admin.call('XADD', 's', '1-0', 'f', 'old');
    const waiters: Promise<Resp>[] = [];
    for (let i = 0; i < 3; i++) {
      waiters.push((await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await blocked(i + 1);
    }
    const added = await admin.call('XADD', 's', '2-0', 'f', 'new');
    return { added, served: await Promise.all(waiters), left: await blocked(0) };
  });

  both('a stream that does not exist yet serves its waiter once XADD creates it', async ({ client, admin, blocked }) => {
    const w = (await client()).call('XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'nokey', 'other', '$', '0');
    await blocked(1);
    await admin.call('XADD', 'nokey', '5-5', 'a', 'b');
    return w;
  });

  both('a client waiting on several streams is served once, by the first one that grows', async ({ client, admin, blocked }) => {
    await admin.call('XADD', 'a', '1-0', 'f', 'v');
    await admin.call('XADD', 'b', '1-0', 'f', 'v');
    const w = (await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$');
    await blocked(1);
    await admin.call('XADD', 'b', '2-0', 'g', 'w');
    const first = await w;
    await admin.call('XADD', 'a', '2-0', 'g', 'w');
    return { first, still: await blocked(0) };
  });

  both('entries added inside MULTI wake the reader after EXEC, which sees them all', async ({ client, admin, blocked }) => {
    await admin.call('XADD', 's', '1-0', 'f', 'v');
    const w = (await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '1-0');
    await blocked(1);
    await admin.call('MULTI');
    await admin.call('XADD', 's', '2-0', 'f', 'a');
    await admin.call('XADD', 's', '3-0', 'f', 'b');
    const exec = await admin.call('EXEC');
    return { exec, served: await w };
  });

  both('a wait that ends by timeout answers a null array', async ({ client }) => {
    const c = await client();
    return [await c.call('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$'), await c.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '1', 'STREAMS', 'nokey', '>').catch((e) => e)];
  });

  both('CLIENT UNBLOCK ends a wait as a timeout, or with the UNBLOCKED error', async ({ client, admin, blocked }) => {
    const a = await client();
    const idA = await a.call('CLIENT', 'ID');
    const wa = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await blocked(1);
    const b = await client();
    const idB = await b.call('CLIENT', 'ID');
    const wb = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await blocked(2);
    const u1 = await admin.call('CLIENT', 'UNBLOCK', (idA as { v: string }).v, 'TIMEOUT');
    const u2 = await admin.call('CLIENT', 'UNBLOCK', (idB as { v: string }).v, 'ERROR');
    const u3 = await admin.call('CLIENT', 'UNBLOCK', (idB as { v: string }).v);
    return { u1, u2, u3, a: await wa, b: await wb };
  });

  both('XREADGROUP consumers blocked on > share new entries one by one, which become pending', async ({ client, admin, blocked }) => {
    await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const w1 = (await client()).call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await blocked(1);
    const w2 = (await client()).call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>');
    await blocked(2);
    await admin.call('XADD', 's', '1-0', 'job', '1');
    const first = await w1;
    await admin.call('XADD', 's', '2-0', 'job', '2');
    const second = await w2;
    const pending = await admin.call('XPENDING', 's', 'g');
    return { first, second, pending };
  });

  both('a reader blocked on a stream that is deleted keeps waiting, and is served when it is created again', async ({ client, admin, blocked }) => {
    await admin.call('XADD', 's', '5-0', 'f', 'v');
    const w = (await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await blocked(1);
    await admin.call('DEL', 's');
    const still = await blocked(1);
    await admin.call('XADD', 's', '6-0', 'f', 'again');
    return { still, served: await w };
  });

  both('XREAD BLOCK inside MULTI answers at once', async ({ admin }) => {
    await admin.call('MULTI');
    await admin.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await admin.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    return admin.call('EXEC');
  });
});

describe('XREADGROUP BLOCK when what it waits on goes away (Redis 7.2)', () => {
  const errorOf = (r: Resp) => (r.t === 'error' ? r.v : `not an error: ${JSON.stringify(r)}`);

  test('deleting the stream runs the command again, which answers NOGROUP (7.0: UNBLOCKED the stream key no longer exists)', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const w = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(1);
      await admin.call('DEL', 's');
      expect(errorOf(await w)).toBe("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
      expect(await blocked(0)).toBe(0);
    });
  });

  test('FLUSHALL and FLUSHDB delete the stream too: the command runs again and answers NOGROUP', async () => {
    for (const flush of [['FLUSHALL'], ['FLUSHDB']]) {
      await withServer(sluice.port, async ({ client, admin, blocked }) => {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const w = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
        await blocked(1);
        await admin.call(...flush);
        expect(errorOf(await w), flush[0]).toBe("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
        expect(await blocked(0)).toBe(0);
      });
    }
  });

  test('a flush leaves waiters on keys that did not exist blocked', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      const w = (await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 'nostream', '$');
      await blocked(1);
      await admin.call('FLUSHALL');
      expect(await blocked(1)).toBe(1);
      await admin.call('XADD', 'nostream', '1-1', 'f', 'v');
      expect((await w).t).toBe('array');
    });
  });

  test('destroying the group does the same (7.0: NOGROUP the consumer group this client was blocked on no longer exists)', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const w = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(1);
      await admin.call('XGROUP', 'DESTROY', 's', 'g');
      expect(errorOf(await w)).toBe("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
    });
  });

  test('a key overwritten by a string, or that expires, ends the wait with the error the command now meets', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      await admin.call('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM');
      const w1 = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(1);
      await admin.call('SET', 's', 'string');
      expect(errorOf(await w1)).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
      const w2 = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 't', '>');
      await blocked(1);
      await admin.call('RENAME', 't', 'u');
      expect(errorOf(await w2)).toBe("NOGROUP No such key 't' or consumer group 'g' in XREADGROUP with GROUP option");
    });
  });

  test('INFO counts the keys an XREADGROUP waits on as blocking keys on nokey, a plain XREAD\'s not', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const reader = await client();
      const pending = reader.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', 't', '$', '$');
      await blocked(1);
      const group = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(2);
      const info = ((await admin.call('INFO', 'clients')) as { v: string }).v;
      expect(info).toContain('total_blocking_keys:2');
      expect(info).toContain('total_blocking_keys_on_nokey:1');
      await admin.call('XADD', 's', '1-0', 'f', 'v');
      await Promise.all([pending, group]);
      expect(((await admin.call('INFO', 'clients')) as { v: string }).v).toContain('total_blocking_keys_on_nokey:0');
    });
  });

  test('a plain XREAD waiter is not woken by the deletion, only by data', async () => {
    await withServer(sluice.port, async ({ client, admin, blocked }) => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const reader = (await client()).call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await blocked(1);
      const group = (await client()).call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(2);
      await admin.call('DEL', 's');
      expect((await group).t).toBe('error');
      expect(await blocked(1)).toBe(1);
      await admin.call('XADD', 's', '1-0', 'f', 'v');
      expect(await reader).toEqual({ t: 'array', v: [{ t: 'array', v: [{ t: 'bulk', v: 's' }, { t: 'array', v: [{ t: 'array', v: [{ t: 'bulk', v: '1-0' }, { t: 'array', v: [{ t: 'bulk', v: 'f' }, { t: 'bulk', v: 'v' }] }] }] }] }] });
    });
  });
});
