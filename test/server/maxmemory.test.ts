import { afterEach, describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import type { RespClient } from '../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const OOM = { t: 'error', v: "OOM command not allowed when used memory > 'maxmemory'." };
const VALUE = 'x'.repeat(200);

async function info(conn: RespClient, section: string): Promise<Record<string, string>> {
  const r = await conn.call('INFO', section);
  const out: Record<string, string> = {};
  for (const line of (r as { v: string }).v.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function config(conn: RespClient, ...pairs: string[]): Promise<void> {
  expect(await conn.call('CONFIG', 'SET', ...pairs)).toEqual({ t: 'simple', v: 'OK' });
}

/** What maxmemory is compared with, as Redis defines it: used_memory less mem_not_counted_for_evict. */
async function counted(conn: RespClient): Promise<number> {
  const mem = await info(conn, 'memory');
  return Number(mem.used_memory) - Number(mem.mem_not_counted_for_evict);
}

/** Turns the accounting on, then sets maxmemory `room` bytes above what counts now. */
async function limitAbove(conn: RespClient, room: number): Promise<number> {
  await config(conn, 'maxmemory', '1gb');
  const used = await counted(conn);
  await config(conn, 'maxmemory', String(used + room));
  return used + room;
}

afterEach(async () => {
  await config(sluice.conn, 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'maxmemory-eviction-tenacity', '10', 'maxmemory-clients', '0');
  await sluice.conn.call('CONFIG', 'RESETSTAT');
});

describe('maxmemory under noeviction', () => {
  test("the start-up counts as Redis's does, about 1 MB: the rest is mem_not_counted_for_evict", async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory', '1gb');
    const mem = await info(conn, 'memory');
    const startup = Number(mem.used_memory_startup);
    expect(Number(mem.mem_not_counted_for_evict)).toBe(Math.max(0, startup - 1024 * 1024));
    expect(await counted(conn)).toBeLessThan(Number(mem.used_memory) - startup + 1024 * 1024 + 1);
  });

  test('writes that may grow the dataset are refused once past the limit; reads and deletes go on, and a delete makes room', async () => {
    const conn = sluice.conn;
    const limit = await limitAbove(conn, 100_000);
    let stored = 0;
    let reply;
    while ((reply = await conn.call('SET', `k${stored}`, VALUE)).t !== 'error') stored++;
    expect(reply).toEqual(OOM);
    // Each key counts about 300 bytes: the limit let through about as many as fit in it.
    expect(stored).toBeGreaterThan(200);
    expect(stored).toBeLessThan(500);
    const mem = await info(conn, 'memory');
    expect(await counted(conn)).toBeGreaterThan(limit);
    expect(await counted(conn)).toBeLessThan(limit + 1000);
    expect(mem.maxmemory).toBe(String(limit));
    expect(mem.maxmemory_policy).toBe('noeviction');
    expect(await conn.call('RPUSH', 'l', 'a')).toEqual(OOM);
    expect(await conn.call('GET', 'k0')).toEqual({ t: 'bulk', v: VALUE });
    expect(await conn.call('DEL', 'k0', 'k1')).toEqual({ t: 'int', v: '2' });
    expect(await conn.call('SET', 'k0', VALUE)).toEqual({ t: 'simple', v: 'OK' });
    expect((await info(conn, 'stats')).evicted_keys).toBe('0');
  });

  test('used_memory follows values changed in place and FLUSHALL', async () => {
    const conn = sluice.conn;
    await limitAbove(conn, 10_000_000);
    const before = Number((await info(conn, 'memory')).used_memory);
    for (let i = 0; i < 100; i++) await conn.call('RPUSH', 'list', VALUE);
    const grown = Number((await info(conn, 'memory')).used_memory);
    expect(grown - before).toBeGreaterThan(100 * 200);
    await conn.call('FLUSHALL');
    expect(Math.abs(Number((await info(conn, 'memory')).used_memory) - before)).toBeLessThan(1000);
  });

  test('INFO names the limit as Redis does', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory', '100mb', 'maxmemory-policy', 'allkeys-lru');
    const mem = await info(conn, 'memory');
    expect(mem.maxmemory).toBe('104857600');
    expect(mem.maxmemory_human).toBe('100.00M');
    expect(mem.maxmemory_policy).toBe('allkeys-lru');
    for (const f of ['used_memory_peak', 'used_memory_startup', 'used_memory_dataset', 'mem_clients_normal']) expect(mem[f]).toMatch(/^\d+$/);
    const stats = await info(conn, 'stats');
    for (const f of ['evicted_keys', 'evicted_clients', 'total_eviction_exceeded_time', 'current_eviction_exceeded_time']) {
      expect(stats[f]).toBe('0');
    }
  });
});

describe('eviction through the server', () => {
  test('allkeys-lru keeps used memory at the limit: no write is refused, keys are evicted with an evicted event and a propagated DEL', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'allkeys-lru');
    const limit = await limitAbove(conn, 100_000);
    for (let i = 0; i < 2000; i++) expect(await conn.call('SET', `k${i}`, VALUE)).toEqual({ t: 'simple', v: 'OK' });
    expect(await counted(conn)).toBeLessThanOrEqual(limit + 1000);
    const evicted = Number((await info(conn, 'stats')).evicted_keys);
    const left = Number((await conn.call('DBSIZE') as { v: string }).v);
    expect(evicted).toBeGreaterThan(1000);
    expect(left + evicted).toBe(2000);
    const events = sluice.events.filter((e) => e[2] === 'evicted');
    expect(events.length).toBe(evicted);
    expect(events.every((e) => e[1] === 'e')).toBe(true);
    expect(sluice.effects.filter((e) => e.argv[0] === 'DEL').length).toBe(evicted);
  });

  test('volatile-lru never evicts a persistent key: with none left to evict, writes are refused', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'volatile-lru');
    await limitAbove(conn, 100_000);
    for (let i = 0; i < 100; i++) await conn.call('SET', `p${i}`, VALUE);
    let reply;
    for (let i = 0; i < 2000 && (reply = await conn.call('SET', `v${i}`, VALUE, 'EX', '1000')).t !== 'error'; i++);
    for (let i = 0; (reply = await conn.call('SET', `q${i}`, VALUE)).t !== 'error'; i++);
    expect(reply).toEqual(OOM);
    for (let i = 0; i < 100; i++) expect(await conn.call('EXISTS', `p${i}`)).toEqual({ t: 'int', v: '1' });
  });

  test('a slice cut short by the tenacity time limit goes on in later turns without refusing the command', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'allkeys-random', 'maxmemory-eviction-tenacity', '0');
    const limit = await limitAbove(conn, 2_000_000);
    for (let i = 0; i < 5000; i++) await conn.call('SET', `k${i}`, VALUE);
    await config(conn, 'maxmemory', String(limit - 1_000_000));
    expect(await conn.call('SET', 'one', 'more')).toEqual({ t: 'simple', v: 'OK' });
    // Each slice evicts 16 keys; the rest goes in later event-loop turns.
    while ((await counted(conn)) > limit - 1_000_000) await new Promise((r) => setImmediate(r));
    expect(Number((await info(conn, 'stats')).evicted_keys)).toBeGreaterThan(1000);
  });
});

describe('a limit set below what is in use', () => {
  test('is warned about, and evicting starts at once rather than at the next command', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'allkeys-random', 'maxmemory-eviction-tenacity', '0');
    const limit = await limitAbove(conn, 2_000_000);
    for (let i = 0; i < 2000; i++) await conn.call('SET', `k${i}`, VALUE);
    const target = limit - 1_900_000;
    await config(conn, 'maxmemory', String(target));
    // No command follows: only the server's own slices can bring it down.
    while (sluice.server.memory.counted() > target) await new Promise((r) => setImmediate(r));
    expect(sluice.logs.messages('warning').some((m) => m.startsWith(`WARNING: the new maxmemory value set via CONFIG SET (${target}) is smaller`))).toBe(true);
  });
});

describe('access clocks', () => {
  test('OBJECT FREQ counts lookups under an LFU policy, but not those of TYPE, EXISTS, TTL, OBJECT or a NO-TOUCH client (TOUCH excepted)', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'allkeys-lfu');
    await conn.call('SET', 'k', 'v');
    expect(await conn.call('OBJECT', 'FREQ', 'k')).toEqual({ t: 'int', v: '5' });
    for (const cmd of [['TYPE', 'k'], ['EXISTS', 'k'], ['TTL', 'k'], ['PTTL', 'k'], ['OBJECT', 'ENCODING', 'k']]) await conn.call(...cmd);
    expect(await conn.call('OBJECT', 'FREQ', 'k')).toEqual({ t: 'int', v: '5' });
    await conn.call('CLIENT', 'NO-TOUCH', 'ON');
    await conn.call('GET', 'k');
    expect(await conn.call('OBJECT', 'FREQ', 'k')).toEqual({ t: 'int', v: '5' });
    // From 5, the first hit always counts.
    await conn.call('TOUCH', 'k');
    expect(await conn.call('OBJECT', 'FREQ', 'k')).toEqual({ t: 'int', v: '6' });
    await conn.call('CLIENT', 'NO-TOUCH', 'OFF');
    for (let i = 0; i < 2000; i++) await conn.call('GET', 'k');
    const freq = Number((await conn.call('OBJECT', 'FREQ', 'k') as { v: string }).v);
    // Logarithmic: redis.conf's table gives 18 for 1,000 hits at lfu-log-factor 10, 142 for 100,000.
    expect(freq).toBeGreaterThan(15);
    expect(freq).toBeLessThan(40);
  });

  test('OBJECT IDLETIME reads the LRU clock, and each policy family refuses the other one\'s question', async () => {
    const conn = sluice.conn;
    await config(conn, 'maxmemory-policy', 'volatile-lru');
    await conn.call('SET', 'k', 'v');
    expect(await conn.call('OBJECT', 'IDLETIME', 'k')).toEqual({ t: 'int', v: '0' });
    expect((await conn.call('OBJECT', 'FREQ', 'k')).t).toBe('error');
    await config(conn, 'maxmemory-policy', 'volatile-lfu');
    expect(await conn.call('OBJECT', 'IDLETIME', 'k')).toEqual({
      t: 'error',
      v: 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
  });
});

describe('client eviction (maxmemory-clients)', () => {
  test('the client holding most buffer memory is disconnected, unless it set CLIENT NO-EVICT', async () => {
    const conn = sluice.conn;
    const greedy = await sluice.connect();
    const exempt = await sluice.connect();
    await exempt.call('CLIENT', 'NO-EVICT', 'ON');
    const partial = `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n${'y'.repeat(300_000)}`;
    exempt.writeRaw(partial + 'z');
    greedy.writeRaw(partial);
    await config(conn, 'maxmemory-clients', '400000');
    await greedy.closed;
    expect((await info(conn, 'stats')).evicted_clients).toBe('1');
    expect(exempt.socket.destroyed).toBe(false);
  });
});
