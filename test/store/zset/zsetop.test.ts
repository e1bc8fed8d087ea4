import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

/** Plain sets as inputs of ZUNION and the other set operations, score 1 each. */
const sluice = useSluice({ conn: 'fresh' });
const call = (...args: string[]) => sluice.conn.call(...args);
const bulks = (...v: string[]): Resp => ({ t: 'array', v: v.map((x) => ({ t: 'bulk', v: x }) as Resp) });

async function putSet(key: string, ...members: string[]): Promise<void> {
  await call('SADD', key, ...members);
}

describe('sets as inputs of the sorted set operations', () => {
  test('their members count with score 1, weighted and aggregated like any other', async () => {
    await putSet('s', 'x', 'y', 'q');
    await call('ZADD', 'z', '1', 'x', '2', 'y', '3', 'w');
    expect(await call('ZUNION', '2', 'z', 's', 'WITHSCORES')).toEqual(bulks('q', '1', 'x', '2', 'w', '3', 'y', '3'));
    expect(await call('ZINTER', '2', 's', 'z', 'WEIGHTS', '5', '1', 'WITHSCORES')).toEqual(bulks('x', '6', 'y', '7'));
    expect(await call('ZINTER', '2', 's', 'z', 'AGGREGATE', 'MAX', 'WITHSCORES')).toEqual(bulks('x', '1', 'y', '2'));
    expect(await call('ZDIFF', '2', 's', 'z', 'WITHSCORES')).toEqual(bulks('q', '1'));
    expect(await call('ZDIFF', '2', 'z', 's', 'WITHSCORES')).toEqual(bulks('w', '3'));
    expect(await call('ZINTERCARD', '2', 'z', 's')).toEqual({ t: 'int', v: '2' });
    expect(await call('ZINTERCARD', '2', 'z', 's', 'LIMIT', '1')).toEqual({ t: 'int', v: '1' });
    expect(await call('ZUNIONSTORE', 'dst', '1', 's')).toEqual({ t: 'int', v: '3' });
    expect(await call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).toEqual(bulks('q', '1', 'x', '1', 'y', '1'));
    expect(await call('OBJECT', 'ENCODING', 'dst')).toEqual({ t: 'bulk', v: 'listpack' });
  });

  test('a set is read but never accepted where a sorted set is required', async () => {
    await putSet('s', 'x');
    const wrongType = { t: 'error', v: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
    expect(await call('ZRANGE', 's', '0', '-1')).toEqual(wrongType);
    expect(await call('ZADD', 's', '1', 'x')).toEqual(wrongType);
    expect(await call('ZRANGESTORE', 'd', 's', '0', '-1')).toEqual(wrongType);
    expect(await call('SET', 'str', 'v')).toEqual({ t: 'simple', v: 'OK' });
    expect(await call('ZUNION', '2', 's', 'str')).toEqual(wrongType);
  });
});
