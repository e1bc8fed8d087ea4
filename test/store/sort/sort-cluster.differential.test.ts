import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';
import { freePort, redisServerPath } from '../../helpers/servers.js';

/**
 * SORT on a cluster node holding every slot, beside redis-server's: BY with
 * a pattern and GET reach keys in any slot, so cluster mode refuses them
 * before the sorted key is even looked at (a wrong type does not come
 * first); a constant BY, which looks nothing up, is still taken.
 */
const [sluiceBus, redisBus] = [await freePort(), await freePort()];

describe.skipIf(redisServerPath === null)('SORT in cluster mode (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis({
    sluice: { config: { 'cluster-enabled': 'yes', 'cluster-port': sluiceBus } },
    redis: ['--cluster-enabled', 'yes', '--cluster-port', String(redisBus)],
  });

  test('BY with a pattern and every GET are refused first; the rest of SORT answers as Redis', async () => {
    const [ours, theirs] = await Promise.all([RespClient.connect(servers.sluice.port), RespClient.connect(servers.redis.port)]);
    try {
      for (const conn of [ours, theirs]) {
        await conn.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
        // A master takes a moment to call its cluster ok after start (Redis's writable delay).
        for (let i = 0; i < 100; i++) {
          const info = await conn.call('CLUSTER', 'INFO');
          if (info.t === 'bulk' && info.v?.includes('cluster_state:ok')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await conn.call('RPUSH', 'l', '3', '1', '2');
        await conn.call('SET', 's', 'x');
      }
      const rows = [
        ['SORT', 'l', 'BY', 'w_*'],
        ['SORT', 'l', 'GET', '#'],
        ['SORT', 'l', 'GET', 'w_*'],
        ['SORT', 's', 'BY', 'w_*'],
        ['SORT', 's', 'GET', '#'],
        ['SORT_RO', 'l', 'BY', 'w_*'],
        ['SORT', 'l', 'LIMIT', '0', 'x', 'BY', 'w_*'],
        ['SORT', 'l', 'BY', 'w_*', 'LIMIT', '0', 'x'],
        ['SORT', 'l', 'BY', 'nosort'],
        ['SORT', 'l', 'BY', 'nosort', 'DESC'],
        ['SORT', 'l', 'ALPHA', 'LIMIT', '1', '1'],
        ['SORT', 's'],
      ];
      for (const row of rows) expect(await ours.call(...row), row.join(' ')).toEqual(await theirs.call(...row));
    } finally {
      ours.close();
      theirs.close();
    }
  });
});
