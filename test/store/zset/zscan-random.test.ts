import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh' });
const call = (...args: string[]) => sluice.conn.call(...args);

const values = (r: Resp): Resp[] => (r as { v: Resp[] }).v;
const text = (r: Resp): string => (r as { v: string }).v;

async function fill(key: string, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i += 500) {
    const args: string[] = [];
    for (let j = i; j < Math.min(from + n, i + 500); j++) args.push(String(j), `m${j}`);
    await call('ZADD', key, ...args);
  }
}

/** One ZSCAN call: the next cursor and the [member, score] pairs. */
async function scanOnce(key: string, cursor: string, ...opts: string[]): Promise<{ next: string; pairs: [string, string][] }> {
  const [next, flat] = values(await call('ZSCAN', key, cursor, ...opts));
  const items = values(flat).map(text);
  const pairs: [string, string][] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  return { next: text(next), pairs };
}

describe('ZSCAN over a skiplist-encoded set', () => {
  test('a full iteration returns every member once with its score, COUNT entries at a time', async () => {
    await fill('z', 3000);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const { next, pairs } = await scanOnce('z', cursor, 'COUNT', '100');
      expect(pairs.length).toBeLessThanOrEqual(100);
      for (const [m, s] of pairs) {
        expect(seen.has(m)).toBe(false);
        seen.set(m, s);
      }
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(3000);
    expect(seen.get('m1234')).toBe('1234');
    expect(calls).toBe(30);
  });

  test('members present throughout are returned while others come and go; a cursor can be sent again', async () => {
    await fill('z', 2000);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const { next, pairs } = await scanOnce('z', cursor, 'COUNT', '50');
      const again = await scanOnce('z', cursor, 'COUNT', '50');
      expect(again.next).toBe(next);
      for (const [m] of pairs) seen.add(m);
      // Churn: remove some members never to return, add new ones, re-add some removed earlier.
      await call('ZREM', 'z', `m${1000 + round}`, `m${1500 + round}`);
      await call('ZADD', 'z', String(5000 + round), `new${round}`, String(round), `m${1000 + round - 1}`);
      cursor = next;
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 1000; i++) expect(seen.has(`m${i}`), `m${i}`).toBe(true);
  });

  test('MATCH filters members; a cursor past every position walks from the last one, as a fresh scan does', async () => {
    await fill('z', 500);
    const { pairs } = await scanOnce('z', '0', 'MATCH', 'm1?', 'COUNT', '1000');
    expect(pairs.map((p) => p[0]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m1${i}`).sort());
    const past = await scanOnce('z', '18446744073709551615', 'COUNT', '10');
    expect(past).toEqual(await scanOnce('z', '0', 'COUNT', '10'));
    expect(past.next).toBe('490');
  });
});

describe('ZRANDMEMBER', () => {
  for (const [encoding, size] of [['listpack', 50], ['skiplist', 1000]] as const) {
    test(`a positive count gives distinct members with their scores, a negative one draws with repeats (${encoding})`, async () => {
      await fill('z', size);
      expect(await call('OBJECT', 'ENCODING', 'z')).toEqual({ t: 'bulk', v: encoding });
      for (const count of [1, 5, size - 1, Math.floor(size / 2)]) {
        const flat = values(await call('ZRANDMEMBER', 'z', String(count), 'WITHSCORES')).map(text);
        const members = flat.filter((_, i) => i % 2 === 0);
        expect(new Set(members).size).toBe(count);
        for (let i = 0; i < flat.length; i += 2) expect(flat[i]).toBe(`m${flat[i + 1]}`);
      }
      const drawn = values(await call('ZRANDMEMBER', 'z', String(-3 * size))).map(text);
      expect(drawn.length).toBe(3 * size);
      expect(new Set(drawn).size).toBeLessThan(size + 1);
      expect(drawn.every((m) => /^m\d+$/.test(m) && Number(m.slice(1)) < size)).toBe(true);
      expect(text(await call('ZRANDMEMBER', 'z'))).toMatch(/^m\d+$/);
    });
  }

  test('every member can be drawn: 2000 draws from 10 members reach all of them', async () => {
    await fill('z', 10);
    const drawn = new Set(values(await call('ZRANDMEMBER', 'z', '-2000')).map(text));
    expect(drawn.size).toBe(10);
  });

  test('a negative count whose reply would pass 512 MiB is refused before anything is written', async () => {
    await fill('z', 10);
    const refused = { t: 'error', v: 'ERR count is out of range, the reply would take more than 536870912 bytes' };
    expect(await call('ZRANDMEMBER', 'z', '-9223372036854775807')).toEqual(refused);
    expect(await call('ZRANDMEMBER', 'z', '-100000000', 'WITHSCORES')).toEqual(refused);
    expect(await call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });
});
