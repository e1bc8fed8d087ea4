import { describe, expect, test } from 'vitest';
import { ZSetValue } from '../../../src/store/zset/zset-value.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;

const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const dbl = (v: string): Resp => ({ t: 'double', v });
const arr = (...v: Resp[]): Resp => ({ t: 'array', v });
const bulks = (...v: string[]) => arr(...v.map(bulk));
const err = (v: string): Resp => ({ t: 'error', v });

const call = (...args: string[]) => sluice.conn.call(...args);

async function resp3(): Promise<RespClient> {
  const c = await sluice.connect();
  await c.call('HELLO', '3');
  return c;
}

/** Runs commands, then returns the events and effects they caused and the change count they made. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][]; dirty: number }> {
  events.length = 0;
  effects.length = 0;
  const before = sluice.server.keyspace.dirty;
  for (const cmd of cmds) await call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv), dirty: sluice.server.keyspace.dirty - before };
}

describe('scores as Redis 7.2 writes them (7.0 wrote %.17g)', () => {
  test('shortest round-trip digits in RESP2 bulks and RESP3 doubles, integers exact up to 2^62', async () => {
    const scores = [
      ['0.1', '0.1'], ['1.1', '1.1'], ['1e20', '1e+20'], ['123456789012345678', '123456789012345680'], ['-2.5e-7', '-2.5e-7'],
      ['1.7976931348623157e308', '1.7976931348623157e+308'], ['5e-324', '5e-324'], ['4611686018427387905', '4611686018427387904'],
      ['9007199254740993', '9007199254740992'], ['1e-5', '0.00001'], ['12345678.9', '12345678.9'],
    ];
    const c3 = await resp3();
    for (const [given, shown] of scores) {
      await call('ZADD', 'z', given, `m${given}`);
      expect(await call('ZSCORE', 'z', `m${given}`), given).toEqual(bulk(shown));
      expect(await c3.call('ZSCORE', 'z', `m${given}`), given).toEqual(dbl(shown));
    }
    expect(await call('ZINCRBY', 'z', '0.2', 'm0.1')).toEqual(bulk('0.30000000000000004'));
    expect(await call('ZRANGE', 'z', '0', '0', 'WITHSCORES')).toEqual(bulks('m-2.5e-7', '-2.5e-7'));
  });

  test('ZSCAN writes a listpack score as the listpack keeps it, a skiplist one as %.17g', async () => {
    await call('ZADD', 'small', '0.1', 'a', '1e20', 'b', '5e-324', 'c');
    expect(await call('ZSCAN', 'small', '0')).toEqual(arr(bulk('0'), bulks('c', '5e-324', 'a', '0.1', 'b', '1e+20')));
    await call('CONFIG', 'SET', 'zset-max-listpack-entries', '1');
    try {
      await call('ZADD', 'big', '0.1', 'a', '1e20', 'b', '5e-324', 'c', '-2.5e-7', 'd', '4611686018427387904', 'e');
      const seen: Record<string, string> = {};
      for (const m of ['a', 'b', 'c', 'd', 'e']) {
        const r = await call('ZSCAN', 'big', '0', 'MATCH', m, 'COUNT', '100');
        const [, pairs] = (r as { v: Resp[] }).v;
        seen[m] = ((pairs as { v: Resp[] }).v[1] as { v: string }).v;
      }
      expect(seen).toEqual({
        a: '0.10000000000000001', b: '1e+20', c: '4.9406564584124654e-324', d: '-2.4999999999999999e-07', e: '4.6116860184273879e+18',
      });
    } finally {
      await call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
  });

  test('-0 is kept by a skiplist and becomes 0 in a listpack, where Redis keeps it as an integer', async () => {
    await call('ZADD', 'small', '-0', 'a');
    expect(await call('ZSCORE', 'small', 'a')).toEqual(bulk('0'));
    expect(await call('ZADD', 'small', 'INCR', '-0', 'b')).toEqual(bulk('-0'));
    await call('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    try {
      await call('ZADD', 'big', '-0', 'a');
      expect(await call('ZSCORE', 'big', 'a')).toEqual(bulk('-0'));
    } finally {
      await call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
  });
});

describe('ZRANK and ZREVRANK WITHSCORE (7.2)', () => {
  test('answer [rank, score], a null array for a missing member or key, and refuse other words', async () => {
    await call('ZADD', 'z', '1.5', 'a', '2', 'b', '3', 'c');
    expect(await call('ZRANK', 'z', 'b', 'WITHSCORE')).toEqual(arr(int(1), bulk('2')));
    expect(await call('ZREVRANK', 'z', 'a', 'withscore')).toEqual(arr(int(2), bulk('1.5')));
    expect(await call('ZRANK', 'z', 'x', 'WITHSCORE')).toEqual({ t: 'array', v: null });
    expect(await call('ZRANK', 'nokey', 'x', 'WITHSCORE')).toEqual({ t: 'array', v: null });
    expect(await call('ZRANK', 'z', 'a', 'WITHSCORES')).toEqual(err('ERR syntax error'));
    expect(await call('ZRANK', 'z', 'a', 'WITHSCORE', 'x')).toEqual(err("ERR wrong number of arguments for 'zrank' command"));
    expect(await call('ZREVRANK', 'z', 'a', 'WITHSCORE', 'x')).toEqual(err("ERR wrong number of arguments for 'zrevrank' command"));
    const c3 = await resp3();
    expect(await c3.call('ZRANK', 'z', 'c', 'WITHSCORE')).toEqual(arr(int(2), dbl('3')));
    expect(await c3.call('ZRANK', 'z', 'x', 'WITHSCORE')).toEqual({ t: 'null' });
    expect(await c3.call('ZRANK', 'z', 'x')).toEqual({ t: 'null' });
  });
});

describe('encodings as Redis 7.2 chooses them', () => {
  test('a ZADD of more pairs than zset-max-listpack-entries makes a skiplist at once, even of one member (7.2\'s size hint)', async () => {
    const pairs: string[] = [];
    for (let i = 0; i < 129; i++) pairs.push(String(i), 'same');
    await call('ZADD', 'new', ...pairs);
    expect(await call('ZCARD', 'new')).toEqual(int(1));
    expect(await call('OBJECT', 'ENCODING', 'new')).toEqual(bulk('skiplist'));
    await call('ZADD', 'old', '1', 'a');
    await call('ZADD', 'old', 'XX', ...pairs);
    expect(await call('OBJECT', 'ENCODING', 'old')).toEqual(bulk('skiplist'));
    expect(await call('ZCARD', 'old')).toEqual(int(1));
  });

  test('COPY keeps the encoding, and the copy changes independently of the original', async () => {
    await call('CONFIG', 'SET', 'zset-max-listpack-entries', '4');
    try {
      await call('ZADD', 'big', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
      await call('ZADD', 'small', '1', 'a');
      await call('COPY', 'big', 'big2');
      await call('COPY', 'small', 'small2');
      expect(await call('OBJECT', 'ENCODING', 'big2')).toEqual(bulk('skiplist'));
      expect(await call('OBJECT', 'ENCODING', 'small2')).toEqual(bulk('listpack'));
      await call('ZREM', 'big2', 'a', 'b', 'c');
      await call('ZADD', 'big', '0', 'z');
      await call('ZADD', 'small2', '9', 'q');
      expect(await call('ZRANGE', 'big', '0', '-1')).toEqual(bulks('z', 'a', 'b', 'c', 'd', 'e'));
      expect(await call('ZRANGE', 'big2', '0', '-1')).toEqual(bulks('d', 'e'));
      expect(await call('ZRANGE', 'small', '0', '-1')).toEqual(bulks('a'));
      expect(await call('ZRANGE', 'small2', '0', '-1')).toEqual(bulks('a', 'q'));
    } finally {
      await call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
  });
});

describe('keyspace events, change counts and propagation, as Redis has them', () => {
  test('ZADD and ZINCRBY: one event per command that changed something, one change per member added or updated', async () => {
    const r = await observe(
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['ZADD', 'z', '1', 'a', '3', 'b', '4', 'c'],
      ['ZADD', 'z', 'NX', '9', 'a'],
      ['ZADD', 'z', '1', 'a'],
      ['ZINCRBY', 'z', '1', 'a'],
      ['ZADD', 'z', 'INCR', '0', 'a'],
      ['ZADD', 'nokey', 'XX', '1', 'a'],
    );
    expect(r.events).toEqual(['0 z zadd z', '0 z zadd z', '0 z zincr z']);
    expect(r.dirty).toBe(2 + 2 + 1);
    expect(r.effects).toEqual([['ZADD', 'z', '1', 'a', '2', 'b'], ['ZADD', 'z', '1', 'a', '3', 'b', '4', 'c'], ['ZINCRBY', 'z', '1', 'a']]);
  });

  test('removals: their event, then del when the set emptied; one change per member removed', async () => {
    await call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
    const r = await observe(
      ['ZREM', 'z', 'a', 'nosuch'],
      ['ZREM', 'z', 'nosuch'],
      ['ZREMRANGEBYRANK', 'z', '0', '0'],
      ['ZREMRANGEBYSCORE', 'z', '3', '3'],
      ['ZREMRANGEBYSCORE', 'z', '100', '200'],
      ['ZREMRANGEBYLEX', 'z', '[d', '[d'],
      ['ZREM', 'z', 'e', 'f', 'g'],
    );
    expect(r.events).toEqual([
      '0 z zrem z', '0 z zremrangebyrank z', '0 z zremrangebyscore z', '0 z zremrangebylex z', '0 z zrem z', '0 g del z',
    ]);
    expect(r.dirty).toBe(6);
    expect(r.effects.map((e) => e[0])).toEqual(['ZREM', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYLEX', 'ZREM']);
  });

  test('pops: one event per command, a change per member; ZMPOP propagates as ZPOPMIN/ZPOPMAX with the count popped', async () => {
    await call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    const r = await observe(
      ['ZPOPMIN', 'z'],
      ['ZPOPMAX', 'z', '2'],
      ['ZPOPMIN', 'z', '0'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '10'],
      ['ZPOPMIN', 'z'],
    );
    expect(r.events).toEqual(['0 z zpopmin z', '0 z zpopmax z', '0 z zpopmin z', '0 g del z']);
    expect(r.dirty).toBe(5);
    expect(r.effects).toEqual([['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'], ['ZPOPMIN', 'z', '2']]);
  });

  test('the *STORE commands: their event on the destination, one change; an empty result deletes it; a missing input is a keymiss', async () => {
    await call('ZADD', 'a', '1', 'x', '2', 'y');
    await call('ZADD', 'b', '3', 'y');
    const r = await observe(
      ['ZUNIONSTORE', 'u', '2', 'a', 'b'],
      ['ZINTERSTORE', 'u', '2', 'a', 'b'],
      ['ZDIFFSTORE', 'd', '2', 'a', 'b'],
      ['ZRANGESTORE', 'r', 'a', '0', '0'],
      ['ZINTERSTORE', 'u', '2', 'a', 'nokey'],
      ['ZRANGESTORE', 'r', 'a', '5', '6'],
      ['ZDIFFSTORE', 'never', '1', 'nokey'],
    );
    expect(r.events).toEqual([
      '0 z zunionstore u', '0 z zinterstore u', '0 z zdiffstore d', '0 z zrangestore r',
      '0 m keymiss nokey', '0 g del u', '0 g del r', '0 m keymiss nokey',
    ]);
    expect(r.dirty).toBe(6);
    expect(r.effects.map((e) => e[0])).toEqual(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZRANGESTORE', 'ZINTERSTORE', 'ZRANGESTORE']);
  });

  test('commands that change nothing raise nothing, count nothing and propagate nothing', async () => {
    await call('ZADD', 'z', '1', 'a');
    await call('SET', 's', 'v');
    const r = await observe(
      ['ZADD', 'z', 'NX', '5', 'a'],
      ['ZADD', 'z', 'GT', '0', 'a'],
      ['ZREM', 'z', 'x'],
      ['ZREMRANGEBYSCORE', 'z', '5', '6'],
      ['ZPOPMIN', 'nokey'],
      ['ZPOPMIN', 'z', '0'],
      ['ZMPOP', '1', 'nokey', 'MIN'],
      ['ZADD', 's', '1', 'a'],
      ['ZADD', 'z', 'INCR', '-inf', 'a', 'x'],
      ['ZINCRBY', 'z', 'nan', 'a'],
    );
    expect(r.events).toEqual([]);
    expect(r.dirty).toBe(0);
    expect(r.effects).toEqual([]);
  });

  test('a read raises keymiss for a missing key; a write to a watched sorted set breaks the transaction', async () => {
    const r = await observe(['ZSCORE', 'nokey', 'a'], ['ZRANGE', 'nokey', '0', '-1'], ['ZPOPMIN', 'nokey']);
    expect(r.events).toEqual(['0 m keymiss nokey', '0 m keymiss nokey']);
    await call('ZADD', 'w', '1', 'a');
    const other = await sluice.connect();
    for (const write of [['ZINCRBY', 'w', '1', 'a'], ['ZREM', 'w', 'a'], ['ZUNIONSTORE', 'w', '1', 'nokey']]) {
      await call('ZADD', 'w', '1', 'a');
      await call('WATCH', 'w');
      await other.call(...write);
      await call('MULTI');
      await call('PING');
      expect(await call('EXEC'), write.join(' ')).toEqual({ t: 'array', v: null });
    }
  });
});

describe('blocking pops read timeouts as Redis 7.2 does', () => {
  test('past the int64 range or infinite: out of range (7.0 overflowed or called it negative); a negative sub-millisecond one rounds up to 0 and is accepted', async () => {
    const outOfRange = err('ERR timeout is out of range');
    expect(await call('BZPOPMIN', 'k', 'inf')).toEqual(outOfRange);
    expect(await call('BZPOPMAX', 'k', '1e300')).toEqual(outOfRange);
    expect(await call('BZMPOP', '-inf', '1', 'k', 'MIN')).toEqual(err('ERR timeout is negative'));
    await call('MULTI');
    await call('BZPOPMIN', 'k', '-0.0001');
    expect(await call('EXEC')).toEqual(arr({ t: 'array', v: null }));
  });
});

describe('RESP3 reply shapes', () => {
  test('WITHSCORES gives [member, score] pairs; pops with a count pairs, without one flat; BZPOPMIN flat with its key', async () => {
    const c3 = await resp3();
    await c3.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
    expect(await c3.call('ZRANGE', 'z', '0', '1', 'WITHSCORES')).toEqual(arr(arr(bulk('a'), dbl('1')), arr(bulk('b'), dbl('2'))));
    expect(await c3.call('ZPOPMIN', 'z')).toEqual(arr(bulk('a'), dbl('1')));
    expect(await c3.call('ZPOPMIN', 'z', '1')).toEqual(arr(arr(bulk('b'), dbl('2'))));
    expect(await c3.call('ZPOPMAX', 'z', '0')).toEqual(arr());
    expect(await c3.call('BZPOPMAX', 'z', '0')).toEqual(arr(bulk('z'), bulk('f'), dbl('6')));
    expect(await c3.call('ZMPOP', '1', 'z', 'MIN')).toEqual(arr(bulk('z'), arr(arr(bulk('c'), dbl('3')))));
    expect(await c3.call('ZUNION', '1', 'z', 'WITHSCORES')).toEqual(arr(arr(bulk('d'), dbl('4')), arr(bulk('e'), dbl('5'))));
    expect(await c3.call('ZRANDMEMBER', 'z', '-2', 'WITHSCORES').then((r) => (r as { v: Resp[] }).v.map((p) => (p as { v: Resp[] }).v.length)))
      .toEqual([2, 2]);
    expect(await c3.call('ZMPOP', '1', 'nokey', 'MIN')).toEqual({ t: 'null' });
    expect(await c3.call('BZPOPMIN', 'nokey', '0.001')).toEqual({ t: 'null' });
    expect(await c3.call('ZSCORE', 'z', 'nosuch')).toEqual({ t: 'null' });
    expect(await c3.call('ZMSCORE', 'z', 'nosuch', 'd')).toEqual(arr({ t: 'null' }, dbl('4')));
    expect(await c3.call('ZINCRBY', 'z', '1.5', 'e')).toEqual(dbl('6.5'));
    expect(await c3.call('ZADD', 'z', 'XX', 'INCR', '1', 'nosuch')).toEqual({ t: 'null' });
  });
});

describe('the value itself', () => {
  test('a snapshot rebuilds the set as it was, in ZADD commands of 64 pairs, scores that read back exactly', () => {
    const limits = { entries: 128, value: 64 };
    for (const size of [3, 200]) {
      const z = ZSetValue.create(size, 1, limits);
      for (let i = 0; i < size; i++) z.add(`m${i}`, i % 7 === 0 ? -Infinity : i / 3, limits);
      const snap = z.snapshot();
      z.add('late', 0, limits);
      z.remove('m1');
      const cmds: string[][] = [];
      const it = snap.rebuildCommands('k');
      for (let r = it.next(); !r.done; r = it.next()) cmds.push(r.value);
      expect(cmds.every((c) => c[0] === 'ZADD' && c[1] === 'k' && c.length <= 2 + 128)).toBe(true);
      const pairs = cmds.flatMap((c) => c.slice(2));
      expect(pairs.length).toBe(2 * size);
      const rebuilt = new Map<string, number>();
      for (let i = 0; i < pairs.length; i += 2) rebuilt.set(pairs[i + 1], pairs[i] === '-inf' ? -Infinity : Number(pairs[i]));
      for (let i = 0; i < size; i++) expect(rebuilt.get(`m${i}`)).toBe(i % 7 === 0 ? -Infinity : i / 3);
    }
  });
});
