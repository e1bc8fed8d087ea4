import { expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import type { Resp } from '../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh' });

/** Redis 7.2's MEMORY STATS fields, in order, for an instance with keys in db 0 only. */
const FIELDS = [
  'peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves', 'clients.normal',
  'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches', 'db.0', 'overhead.total', 'keys.count',
  'keys.bytes-per-key', 'dataset.bytes', 'dataset.percentage', 'peak.percentage', 'allocator.allocated',
  'allocator.active', 'allocator.resident', 'allocator-fragmentation.ratio', 'allocator-fragmentation.bytes',
  'allocator-rss.ratio', 'allocator-rss.bytes', 'rss-overhead.ratio', 'rss-overhead.bytes', 'fragmentation',
  'fragmentation.bytes',
];

test("MEMORY STATS answers Redis's fields in Redis's order, a map in RESP3, and counts the keys", async () => {
  const conn = sluice.conn;
  await conn.call('HELLO', '3');
  await conn.call('SET', 'a', '1');
  await conn.call('SET', 'b', '2', 'EX', '100');
  const r = (await conn.call('MEMORY', 'STATS')) as { t: 'map'; v: [Resp, Resp][] };
  expect(r.t).toBe('map');
  const fields = new Map(r.v.map(([k, v]) => [(k as { v: string }).v, v]));
  expect([...fields.keys()]).toEqual(FIELDS);
  expect(fields.get('keys.count')).toEqual({ t: 'int', v: '2' });
  expect(fields.get('dataset.percentage')!.t).toBe('double');
  const db0 = fields.get('db.0') as { t: 'map'; v: [Resp, Resp][] };
  expect(db0.v.map(([k]) => (k as { v: string }).v)).toEqual([
    'overhead.hashtable.main', 'overhead.hashtable.expires', 'overhead.hashtable.slot-to-keys',
  ]);
  expect(db0.v[1][1]).toEqual({ t: 'int', v: '40' });
});

test('MEMORY MALLOC-STATS reports V8 heap spaces as verbatim text', async () => {
  const conn = sluice.conn;
  await conn.call('HELLO', '3');
  const r = (await conn.call('MEMORY', 'MALLOC-STATS')) as { t: string; v: string };
  expect(r.t).toBe('verbatim');
  expect(r.v).toMatch(/old_space \d+/);
});
