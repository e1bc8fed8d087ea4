import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';
import { FakeRoutingView, MYSELF } from '../../cluster/routing/fake-routing-view.js';

/**
 * Replies compared with a real single-node Redis cluster that serves slots
 * 0-8000 and none of the rest (cluster-require-full-coverage no, so its
 * state is ok), against Sluice with a routing view that says the same.
 * MOVED and ASK need a second node and are left to routing.test.ts.
 */
const sluice = useSluice();
let redis: RealRedis | null = null;
let real: RespClient;

beforeAll(async () => {
  sluice.server.clusterRouting = new FakeRoutingView().assign(MYSELF, 0, 8000).assign(null, 8001);
  sluice.server.keyspace.enableSlotIndex();
  if (redisServerPath === null) return;
  redis = await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-require-full-coverage', 'no']);
  real = await RespClient.connect(redis.port);
  expect(await real.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8000')).toEqual({ t: 'simple', v: 'OK' });
  for (let tries = 0; !((await real.call('CLUSTER', 'INFO')) as { v: string }).v.includes('cluster_state:ok'); tries++) {
    if (tries === 100) throw new Error('the Redis node did not reach cluster_state:ok');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 20_000);
afterAll(async () => {
  real?.close();
  await redis?.stop();
});

/** Runs the lines on a fresh connection to each server and expects the same replies. */
async function same(lines: string[][]): Promise<void> {
  const mine = await sluice.connect();
  const theirs = await RespClient.connect(redis!.port);
  try {
    const a: Resp[] = [];
    const b: Resp[] = [];
    for (const line of lines) {
      a.push(await mine.call(...line));
      b.push(await theirs.call(...line));
    }
    expect(a).toEqual(b);
  } finally {
    mine.close();
    theirs.close();
  }
}

describe.skipIf(redisServerPath === null)('cluster mode against a real Redis cluster node', () => {
  test('keys of a slot served here, of an unserved slot, of several slots', async () => {
    await same([['SET', 'b', '1'], ['GET', 'b'], ['GET', 'foo'], ['MSET', 'b', '1', 'c', '2'], ['MGET', 'b', 'foo'], ['MGET', 'foo', 'b'], ['PING']]);
  });

  // Not COPY … DB 1: Redis 7.2 has one database in cluster mode (out of range), 7.0 sixteen (refused); routing.test.ts pins the refusal.
  test('databases: SELECT, SWAPDB, MOVE and COPY', async () => {
    await same([
      ['SET', 'b', '1'], ['SELECT', '1'], ['SELECT', 'x'], ['SELECT', '0'], ['SWAPDB', '0', '1'], ['MOVE', 'b', '1'],
      ['COPY', 'b', '{b}x', 'DB', '0', 'REPLACE'], ['COPY', 'b', 'foo'],
    ]);
  });

  test('ASKING, READONLY and READWRITE', async () => {
    await same([['READONLY'], ['READWRITE'], ['ASKING'], ['GET', 'b'], ['READONLY', 'extra']]);
  });

  test('transactions: a redirected command dooms EXEC; queued keys of several slots fail EXEC', async () => {
    await same([['MULTI'], ['SET', 'foo', '1'], ['EXEC'], ['MULTI'], ['SET', 'b', '1'], ['SET', 'c', '1'], ['EXEC'], ['MULTI'], ['GET', '{b}1'], ['EXEC']]);
  });

  test('scripts: a non-local key, keys of several slots with and without a shebang, no-cluster', async () => {
    const twoSlots = "redis.call('get', 'b'); return redis.call('get', 'c')";
    await same([
      ['EVAL', "return redis.call('get', 'foo')", '0'],
      ['EVAL', twoSlots, '0'],
      ['EVAL', `#!lua\n${twoSlots}`, '0'],
      ['EVAL', `#!lua flags=allow-cross-slot-keys\n${twoSlots}`, '0'],
      ['EVAL', "#!lua\nreturn redis.call('get', 'b')", '1', 'c'],
      ['EVAL', "return redis.pcall('get', 'foo')", '0'],
      ['EVAL', '#!lua flags=no-cluster\nreturn 1', '0'],
      ['EVAL', 'return 1', '2', 'b', 'c'],
    ]);
  });

  test('shard channels route by slot', async () => {
    await same([['SPUBLISH', 'b', 'hi'], ['SPUBLISH', 'foo', 'hi'], ['SSUBSCRIBE', 'b', 'c']]);
  });

  test('the errors are counted as Redis counts them', async () => {
    await same([['CONFIG', 'RESETSTAT'], ['GET', 'foo'], ['MSET', 'b', '1', 'c', '2'], ['INFO', 'errorstats']]);
  });
});
