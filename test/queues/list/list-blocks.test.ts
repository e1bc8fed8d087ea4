import { afterEach, describe, expect, test } from 'vitest';
import { packedRuns } from '../../../src/queues/list/deque.js';
import { useSluice } from '../../helpers/fixture.js';
import { settledBlocks as settled } from '../../helpers/packed-runs.js';

const sluice = useSluice({ conn: 'fresh' });

const ELEMENTS = Array.from({ length: 3_000 }, (_, i) => `element-${i}`);

async function filled(key: string): Promise<void> {
  expect(await sluice.conn.call('RPUSH', key, ...ELEMENTS)).toEqual({ t: 'int', v: String(ELEMENTS.length) });
}

async function whole(key: string): Promise<string[]> {
  const r = await sluice.conn.call('LRANGE', key, '0', '-1');
  return r.t === 'array' && r.v !== null ? r.v.map((e) => (e.t === 'bulk' ? (e.v as string) : '?')) : [];
}

afterEach(async () => {
  await sluice.conn.call('CONFIG', 'SET', 'maxmemory', '0');
});

describe("a list's packed chunks are given back when the list leaves the keyspace", () => {
  const call = (...args: string[]) => sluice.conn.call(...args);
  const removals: [string, () => Promise<unknown>][] = [
    ['DEL', () => call('DEL', 'list')],
    ['UNLINK', () => call('UNLINK', 'list')],
    ['SET over it', () => call('SET', 'list', 'a string now')],
    [
      'RESTORE REPLACE over it',
      async () => {
        await call('SET', 'string', 'value');
        const dump = await call('DUMP', 'string');
        expect(await call('RESTORE', 'list', '0', dump.v as string, 'REPLACE')).toEqual({ t: 'simple', v: 'OK' });
      },
    ],
    ['LTRIM to nothing', () => call('LTRIM', 'list', '1', '0')],
    [
      'expiry',
      async () => {
        await call('PEXPIRE', 'list', '1');
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(await call('EXISTS', 'list')).toEqual({ t: 'int', v: '0' });
      },
    ],
  ];

  for (const maxmemory of ['0', '1gb']) {
    for (const [how, remove] of removals) {
      test(`${how}${maxmemory === '0' ? '' : ', with maxmemory set'}`, async () => {
        await sluice.conn.call('CONFIG', 'SET', 'maxmemory', maxmemory);
        const before = await settled();
        await filled('list');
        expect(packedRuns.slabs.blocksInUse - before).toBeGreaterThan(50);
        await remove();
        expect(await sluice.conn.call('TYPE', 'list')).not.toEqual({ t: 'simple', v: 'list' });
        expect(packedRuns.slabs.blocksInUse).toBe(before);
      });
    }
  }
});

describe('a list that moves keeps its packed chunks', () => {
  test('RENAME, MOVE and RENAME over another list move it whole; only the list replaced is given back', async () => {
    const before = await settled();
    await filled('a');
    await filled('other');
    const one = packedRuns.slabs.blocksInUse - before;
    expect(await sluice.conn.call('RENAME', 'a', 'b')).toEqual({ t: 'simple', v: 'OK' });
    expect(await whole('b')).toEqual(ELEMENTS);
    expect(await sluice.conn.call('MOVE', 'b', '1')).toEqual({ t: 'int', v: '1' });
    await sluice.conn.call('SELECT', '1');
    expect(await whole('b')).toEqual(ELEMENTS);
    expect(await sluice.conn.call('MOVE', 'b', '0')).toEqual({ t: 'int', v: '1' });
    await sluice.conn.call('SELECT', '0');
    expect(await sluice.conn.call('RENAME', 'b', 'other')).toEqual({ t: 'simple', v: 'OK' });
    expect(await whole('other')).toEqual(ELEMENTS);
    expect(packedRuns.slabs.blocksInUse - before).toBe(one / 2);
    await sluice.conn.call('DEL', 'other');
    expect(packedRuns.slabs.blocksInUse).toBe(before);
  });

  test('COPY shares the chunks: the copy reads whole after the source is deleted, and deleting both gives every block back', async () => {
    const before = await settled();
    await filled('src');
    const taken = packedRuns.slabs.blocksInUse - before;
    expect(await sluice.conn.call('COPY', 'src', 'dst')).toEqual({ t: 'int', v: '1' });
    expect(packedRuns.slabs.blocksInUse - before).toBe(taken);
    await sluice.conn.call('DEL', 'src');
    expect(await whole('dst')).toEqual(ELEMENTS);
    await sluice.conn.call('RPUSH', 'dst', 'one more');
    expect(await sluice.conn.call('LINDEX', 'dst', '1500')).toEqual({ t: 'bulk', v: 'element-1500' });
    await sluice.conn.call('DEL', 'dst');
    expect(packedRuns.slabs.blocksInUse).toBe(before);
  });
});
