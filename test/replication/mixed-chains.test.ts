import { describe, expect, it } from 'vitest';
import { redisServerPath } from '../helpers/servers.js';
import { compareDatasets, info, Load, replicaOf, seed, syncStats, waitCaughtUp, waitFor, waitLinkUp, waitLogged, useServers, type Node } from './mixed-harness.js';

/**
 * Chains of Sluice and a real redis-server 7.0, both ways round: the top's
 * writes reach the leaf through the middle (one history, one offset); the
 * middle promoted (REPLICAOF NO ONE) keeps its leaf with a partial resync
 * (+CONTINUE with the new replication id), and the old top, made a replica
 * of the middle, continues its own history partially too.
 */

const servers = useServers();

async function expectSame(a: Node, b: Node): Promise<void> {
  const d = await compareDatasets(a, b);
  expect(d.diffs, `${a.name} / ${b.name}`).toEqual([]);
  expect(d.keys).toBeGreaterThan(400);
}

/**
 * `replica` resyncs partially with `master` (whose stats must then be
 * `stats`), follows more writes of `load` (acknowledged by all `replicas`) and ends with the same data.
 */
async function continuesWith(master: Node, replica: Node, load: Load, replicas: number, stats: { full: number; partialOk: number }): Promise<void> {
  await waitFor(`${replica.name} resynced partially with ${master.name}`, async () => (await syncStats(master.port)).partialOk >= stats.partialOk, 15_000);
  await load.runFor(300);
  expect(load.errors).toEqual([]);
  expect(await load.waitReplicas(replicas, 5000)).toBe(replicas);
  expect(await syncStats(master.port)).toEqual(stats);
  await waitLogged(replica, 'Successful partial resynchronization with master.');
  await waitCaughtUp(master, replica);
  await expectSame(master, replica);
}

/** top → middle → leaf, then the middle promoted and the old top made its replica. */
async function chain(top: Node, middle: Node, leaf: Node, seedNo: number): Promise<void> {
  await seed(top.port, 500, seedNo);
  const onTop = new Load(top.port, seedNo + 1);
  await onTop.runFor(300);
  await replicaOf(middle, top);
  await waitLinkUp(middle);
  await replicaOf(leaf, middle);
  await waitLinkUp(leaf);
  await onTop.runFor(600);
  expect(onTop.errors).toEqual([]);
  // One history down the chain: the leaf reaches the top's own offset.
  await waitCaughtUp(top, leaf);
  await expectSame(top, leaf);
  await expectSame(top, middle);
  onTop.close();

  // The middle promoted: the leaf continues with it, partially.
  const before = await syncStats(middle.port);
  expect(before.full).toBe(1);
  await replicaOf(middle, null);
  const onMiddle = new Load(middle.port, seedNo + 2);
  await onMiddle.runFor(300);
  await continuesWith(middle, leaf, onMiddle, 1, { full: before.full, partialOk: before.partialOk + 1 });

  // The old top follows the promoted middle: its own history continues there too.
  await replicaOf(top, middle);
  await continuesWith(middle, top, onMiddle, 2, { full: before.full, partialOk: before.partialOk + 2 });
  await waitCaughtUp(middle, leaf);
  await expectSame(middle, leaf);
  onMiddle.close();
}

describe.skipIf(redisServerPath === null)('chains of Sluice and Redis 7.0', () => {
  it('Redis → Sluice → Redis, the Sluice in the middle promoted', async () => {
    const top = await servers.redis('redis-top', ['--repl-backlog-size', '16mb']);
    const middle = await servers.sluice('sluice-middle', ['--repl-rdb-version', '10', '--repl-backlog-size', '16mb']);
    const leaf = await servers.redis('redis-leaf', ['--repl-backlog-size', '16mb']);
    await chain(top, middle, leaf, 31);
  }, 60_000);

  it('Sluice → Redis → Sluice, the Redis in the middle promoted', async () => {
    const top = await servers.sluice('sluice-top', ['--repl-rdb-version', '10', '--repl-backlog-size', '16mb']);
    const middle = await servers.redis('redis-middle', ['--repl-backlog-size', '16mb']);
    const leaf = await servers.sluice('sluice-leaf', ['--repl-backlog-size', '16mb']);
    await chain(top, middle, leaf, 41);
  }, 60_000);
});

describe.skipIf(redisServerPath === null)('a demoted master that wrote past the promotion of its replica', () => {
  for (const sluiceOnTop of [false, true]) {
    const [topKind, middleKind] = sluiceOnTop ? ['Sluice', 'Redis'] : ['Redis', 'Sluice'];
    it(`${topKind} is refused a partial resync by the promoted ${middleKind} and resyncs fully, its own later writes gone`, async () => {
      const big = ['--repl-backlog-size', '16mb'];
      const top = sluiceOnTop ? await servers.sluice('sluice-old-top', ['--repl-rdb-version', '10', ...big]) : await servers.redis('redis-old-top', big);
      const middle = sluiceOnTop ? await servers.redis('redis-promoted', big) : await servers.sluice('sluice-promoted', ['--repl-rdb-version', '10', ...big]);
      await seed(top.port, 500, 51);
      await replicaOf(middle, top);
      await waitLinkUp(middle);
      const onTop = new Load(top.port, 52);
      await onTop.runFor(300);
      await waitCaughtUp(top, middle);
      await replicaOf(middle, null);
      // Writes the promoted middle never sees: the old top's history now goes past what the middle can continue.
      await onTop.runFor(100);
      expect(onTop.errors).toEqual([]);
      onTop.close();
      const onMiddle = new Load(middle.port, 53);
      await onMiddle.runFor(200);
      const before = await info(middle.port, 'stats');
      await replicaOf(top, middle);
      await waitLinkUp(top);
      const counts = (s: Record<string, string>) => [Number(s.sync_full), Number(s.sync_partial_ok), Number(s.sync_partial_err)];
      await waitFor(`${middle.name} counted the refused partial resync`, async () => counts(await info(middle.port, 'stats'))[0] > counts(before)[0]);
      const [full, ok, err] = counts(before);
      expect(counts(await info(middle.port, 'stats'))).toEqual([full + 1, ok, err + 1]);
      await waitLogged(middle, 'Partial resynchronization not accepted: Requested offset for second ID was');
      await onMiddle.runFor(200);
      expect(onMiddle.errors).toEqual([]);
      expect(await onMiddle.waitReplicas(1, 5000)).toBe(1);
      await expectSame(middle, top);
      onMiddle.close();
    }, 60_000);
  }
});
