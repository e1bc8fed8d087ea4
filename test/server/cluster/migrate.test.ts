import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';

/**
 * A cluster node's MIGRATE sends RESTORE-ASKING, which a target importing
 * the slot serves without ASKING (query-router.test.ts). MIGRATE waits for
 * its target on the server's thread, so the target is another process: a
 * real redis-server, whose MONITOR shows what arrived.
 */
const sluice = useSluice({ conn: 'fresh' });
let redis: RealRedis | null = null;

beforeAll(async () => {
  if (redisServerPath !== null) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function migrateSeen(): Promise<string> {
  const monitor = await RespClient.connect(redis!.port);
  try {
    expect(await monitor.call('MONITOR')).toEqual({ t: 'simple', v: 'OK' });
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('MIGRATE', '127.0.0.1', String(redis!.port), 'k', '0', '5000', 'COPY');
    for (;;) {
      const line = (await monitor.read()) as { v: string };
      if (/"restore/i.test(line.v)) return line.v;
    }
  } finally {
    monitor.close();
  }
}

describe.skipIf(redisServerPath === null)('MIGRATE', () => {
  test('a standalone server sends RESTORE', async () => {
    expect(await migrateSeen()).toMatch(/"RESTORE" "k"/);
  });

  test('a cluster node sends RESTORE-ASKING', async () => {
    sluice.server.keyspace.enableSlotIndex();
    expect(await migrateSeen()).toMatch(/"RESTORE-ASKING" "k"/);
  });
});
