import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { keyspaceSnapshot } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';

const t = perTest();

function start(dir: string): Promise<{ s: RunningServer; c: RespClient }> {
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0', appendonly: 'yes' });
}

describe('geo writes in the AOF', () => {
  test('GEOADD (written as ZADD) and the stored searches (written as sent) reload to the same keyspace', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    const line: string[] = [];
    for (let i = 0; i < 300; i++) line.push(String(-180 + i * 1.2), String(-80 + i * 0.5), `p${i}`);
    await c.call('GEOADD', 'g', ...line);
    await c.call('GEOADD', 'g', 'XX', 'CH', '1', '1', 'p1', '2', '2', 'absent');
    await c.call('GEOSEARCHSTORE', 'near', 'g', 'FROMMEMBER', 'p150', 'BYBOX', '3000', '2000', 'km', 'STOREDIST', 'COUNT', '5');
    await c.call('GEORADIUS', 'g', '0', '0', '1500', 'km', 'STORE', 'r');
    await c.call('SET', 'gone', 'x');
    await c.call('GEORADIUS', 'g', '0', '85', '1', 'm', 'STORE', 'gone');
    const ranges = async (conn: RespClient): Promise<Resp[]> =>
      Promise.all(['g', 'near', 'r', 'gone'].map((k) => conn.call('ZRANGE', k, '0', '-1', 'WITHSCORES')));
    const before = await ranges(c);
    const lengths = before.map((r) => (r.t === 'array' ? (r.v ?? []).length : -1));
    expect(lengths.slice(1)).toEqual([10, lengths[2], 0]);
    expect(lengths[2]).toBeGreaterThan(0);
    const snapshot = keyspaceSnapshot(s.server);
    await t.stop({ s, c });

    const replayed = await start(dir);
    expect(await ranges(replayed.c)).toEqual(before);
    expect(keyspaceSnapshot(replayed.s.server)).toEqual(snapshot);
    expect(await replayed.c.call('EXISTS', 'gone')).toEqual({ t: 'int', v: '0' });
    await t.stop(replayed);
  }, 60_000);
});
