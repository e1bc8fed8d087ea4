import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { infoField, keyspaceSnapshot, rewriteDone } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';

const t = perTest();

function start(dir: string): Promise<{ s: RunningServer; c: RespClient }> {
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0', appendonly: 'yes' });
}

/** Every sorted set of database 0, member by member with its score, through the commands. */
async function contents(c: RespClient, keys: string[]): Promise<Record<string, Resp>> {
  const out: Record<string, Resp> = {};
  for (const key of keys) out[key] = await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
  for (const key of keys) out[`${key} encoding`] = await c.call('OBJECT', 'ENCODING', key);
  return out;
}

describe('sorted sets in the AOF', () => {
  test('the incremental file and a rewrite both reload every member with its exact score, in both encodings', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    await c.call('ZADD', 'small', '0.1', 'a', '-0', 'b', 'inf', 'c', '1e-310', 'd', '2.5', 'e');
    const pending: Promise<Resp>[] = [];
    for (let i = 0; i < 5000; i += 100) {
      const args: string[] = [];
      for (let j = i; j < i + 100; j++) args.push(String(j % 3 === 0 ? -j / 7 : j * 1.1), `member:${j}`);
      pending.push(c.call('ZADD', 'big', ...args));
    }
    await Promise.all(pending);
    await c.call('ZINCRBY', 'big', '0.3', 'member:10');
    await c.call('ZPOPMIN', 'big', '3');
    await c.call('ZREMRANGEBYSCORE', 'big', '(100', '200');
    await c.call('ZUNIONSTORE', 'union', '2', 'small', 'big', 'WEIGHTS', '2', '0.5');
    const keys = ['small', 'big', 'union'];
    const before = await contents(c, keys);
    const snapshot = keyspaceSnapshot(s.server);
    await t.stop({ s, c });

    const replayed = await start(dir);
    expect(await contents(replayed.c, keys)).toEqual(before);
    expect(await replayed.c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    await rewriteDone(replayed.c);
    expect(await infoField(replayed.c, 'aof_last_bgrewrite_status')).toBe('ok');
    await t.stop(replayed);

    const rewritten = await start(dir);
    expect(await contents(rewritten.c, keys)).toEqual(before);
    expect(keyspaceSnapshot(rewritten.s.server)).toEqual(snapshot);
  }, 60_000);

  test('writes to a big sorted set while the rewrite walks it reach the new files; the reload is the final set', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    const pending: Promise<Resp>[] = [];
    for (let i = 0; i < 200_000; i += 1000) {
      const args: string[] = [];
      for (let j = i; j < i + 1000; j++) args.push(String(j), `m${j}`);
      pending.push(c.call('ZADD', 'z', ...args));
      // Strings first in the keyspace's order, so that the walk meets the set after the writes began.
      if (i === 0) for (let k = 0; k < 20_000; k++) pending.push(c.call('SET', `s${k}`, 'v'));
    }
    await Promise.all(pending);
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    const writes: Promise<Resp>[] = [];
    for (let i = 0; i < 2000; i++) {
      writes.push(c.call('ZADD', 'z', String(-i), `new${i}`));
      writes.push(c.call('ZREM', 'z', `m${i * 50}`));
      if (i % 100 === 0) writes.push(c.call('ZPOPMAX', 'z', '2'));
    }
    await Promise.all(writes);
    await rewriteDone(c, 60_000);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    const before = keyspaceSnapshot(s.server);
    await t.stop({ s, c });
    const again = await start(dir);
    expect(keyspaceSnapshot(again.s.server)).toEqual(before);
  }, 120_000);
});
