import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';
import { c, differential, fails, help } from '../../helpers/differential.js';

/**
 * MEMORY USAGE answers Sluice's own estimate of a key's heap, not Redis's
 * figure (docs/commands.md), so only its errors, nil and HELP are compared
 * with redis-server; the numbers are checked here for what any honest
 * estimate must do.
 */
const sluice = useSluice({ conn: 'fresh' });
const call = (...args: string[]) => sluice.conn.call(...args);

async function usage(key: string, ...opts: string[]): Promise<number> {
  const r: Resp = await call('MEMORY', 'USAGE', key, ...opts);
  if (r.t !== 'int') throw new Error(`not an integer: ${JSON.stringify(r)}`);
  return Number(r.v);
}

const item = (i: number) => `member:${String(i).padStart(9, '0')}`;

/** Each type grown by `add(from, to)`, under settings that take it through its encodings. */
const GROWERS: Record<string, (key: string, from: number, to: number) => Promise<unknown>> = {
  string: (k, from, to) => call('APPEND', k, 'x'.repeat(16 * (to - from))),
  list: (k, from, to) => call('RPUSH', k, ...Array.from({ length: to - from }, (_, i) => item(from + i))),
  set: (k, from, to) => call('SADD', k, ...Array.from({ length: to - from }, (_, i) => item(from + i))),
  intset: (k, from, to) => call('SADD', k, ...Array.from({ length: to - from }, (_, i) => String(from + i))),
  zset: (k, from, to) => call('ZADD', k, ...Array.from({ length: to - from }, (_, i) => [String(from + i), item(from + i)]).flat()),
  hash: (k, from, to) => call('HSET', k, ...Array.from({ length: to - from }, (_, i) => [item(from + i), item(i)]).flat()),
  stream: async (k, from, to) => {
    for (let i = from; i < to; i++) await call('XADD', k, '*', 'f', item(i));
  },
};

describe('MEMORY USAGE', () => {
  test('answers nil for a missing key', async () => {
    expect(await call('MEMORY', 'USAGE', 'nokey')).toEqual({ t: 'bulk', v: null });
  });

  test('answers for every type, in every encoding, more than the bytes its elements hold', async () => {
    await call('SET', 'str', 'x'.repeat(100));
    await call('SET', 'int', '12345');
    await call('APPEND', 'mutable', 'y'.repeat(5000));
    await call('RPUSH', 'list', 'a'.repeat(50));
    await call('SADD', 'intset', '1', '2');
    await call('SADD', 'lpset', 'a'.repeat(50));
    await call('ZADD', 'lpzset', '1', 'a'.repeat(50));
    await call('HSET', 'lphash', 'f', 'a'.repeat(50));
    await call('XADD', 'stream', '*', 'f', 'a'.repeat(50));
    await call('XGROUP', 'CREATE', 'stream', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'stream', '>');
    await call('CONFIG', 'SET', 'set-max-listpack-entries', '0');
    await call('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await call('CONFIG', 'SET', 'hash-max-listpack-entries', '0');
    await call('SADD', 'htset', 'a'.repeat(50));
    await call('ZADD', 'slzset', '1', 'a'.repeat(50));
    await call('HSET', 'hthash', 'f', 'a'.repeat(50));
    const encodings: string[] = [];
    for (const key of ['str', 'mutable', 'list', 'lpset', 'lpzset', 'lphash', 'htset', 'slzset', 'hthash', 'stream']) {
      encodings.push(((await call('OBJECT', 'ENCODING', key)) as { v: string }).v);
      expect(await usage(key), key).toBeGreaterThan(50);
    }
    expect(encodings).toEqual(['raw', 'raw', 'listpack', 'listpack', 'listpack', 'listpack', 'hashtable', 'skiplist', 'hashtable', 'stream']);
    expect(await usage('mutable')).toBeGreaterThan(5000);
    expect(await usage('intset')).toBeGreaterThan(0);
    expect(await usage('int')).toBeGreaterThan(0);
    for (const name of ['set-max-listpack-entries', 'zset-max-listpack-entries', 'hash-max-listpack-entries']) {
      await call('CONFIG', 'SET', name, '128');
    }
  });

  for (const [type, grow] of Object.entries(GROWERS)) {
    test(`grows with a ${type}'s size, through its encodings, counting every element with SAMPLES 0`, async () => {
      const sizes = [1, 10, 100, 1000, 3000];
      const seen: number[] = [];
      let have = 0;
      for (const n of sizes) {
        await grow('k', have, n);
        have = n;
        seen.push(await usage('k', 'SAMPLES', '0'));
      }
      for (let i = 1; i < seen.length; i++) expect(seen[i], `${type} at ${sizes[i]}`).toBeGreaterThan(seen[i - 1]);
      // Elements of one size: a sample of 5 (the default) estimates what counting them all finds, within 10%.
      expect(Math.abs((await usage('k')) - seen[seen.length - 1])).toBeLessThanOrEqual(seen[seen.length - 1] / 10);
      // Each element costs at least its bytes and not ten times more.
      const bytes = type === 'intset' ? 0 : 16 * 3000;
      expect(seen[seen.length - 1]).toBeGreaterThan(bytes);
      expect(seen[seen.length - 1]).toBeLessThan(10 * Math.max(bytes, 16 * 3000));
    });
  }

  test('SAMPLES decides how many elements are looked at: a sample of the short ones misjudges long ones that follow', async () => {
    await call('RPUSH', 'l', ...Array.from({ length: 10 }, () => 'a'), ...Array.from({ length: 10 }, () => 'b'.repeat(1000)));
    const sampled = await usage('l', 'SAMPLES', '5');
    const all = await usage('l', 'SAMPLES', '0');
    expect(all).toBeGreaterThan(10 * 1000);
    expect(sampled).toBeLessThan(all / 4);
    expect(await usage('l', 'SAMPLES', '20')).toBe(all);
    expect(await usage('l', 'samples', '1', 'SAMPLES', '0')).toBe(all);
  });

  test('counts neither a keyspace hit nor a miss', async () => {
    await call('SET', 'k', 'v');
    await call('CONFIG', 'RESETSTAT');
    await call('MEMORY', 'USAGE', 'k');
    await call('MEMORY', 'USAGE', 'nokey');
    const stats = ((await call('INFO', 'stats')) as { v: string }).v;
    expect(/keyspace_hits:(\d+)/.exec(stats)![1]).toBe('0');
    expect(/keyspace_misses:(\d+)/.exec(stats)![1]).toBe('0');
  });
});

differential('MEMORY USAGE and MEMORY HELP', {
  'nil for a missing key, Redis\'s errors for bad options': [
    c('MEMORY', 'USAGE', 'nokey'),
    c('MEMORY', 'USAGE', 'nokey', 'SAMPLES', '3'),
    c('SET', 'k', 'v'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES', '1.5'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES', '99999999999999999999'),
    fails('MEMORY', 'USAGE', 'k', 'foo'),
    fails('MEMORY', 'USAGE', 'k', 'SAMPLES', '1', 'foo'),
    fails('MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'),
    fails('MEMORY', 'USAGE'),
    fails('MEMORY'),
    fails('MEMORY', 'HELP', 'x'),
  ],
  'MEMORY HELP': [help('MEMORY', 'HELP'), help('memory', 'help')],
});
