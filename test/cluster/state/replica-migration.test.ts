import { describe, expect, it } from 'vitest';
import { REPLICA_MIGRATION_DELAY } from '../../../src/cluster/state/replica-migration.js';
import type { ClusterSettings } from '../../../src/cluster/state/cluster-host.js';
import type { FakeNetwork, FakeNode } from '../fake-host.js';
import { addReplica, run, runUntil, threeMasters } from '../fake-cluster.js';

const nameOf = (n: FakeNode) => n.cluster.myself.name;

/**
 * Replica migration on the fake network: masters A, B and C; A has two
 * replicas, B and C one each. B's replica stops, and B is an orphan.
 */
function cluster(settings: Partial<ClusterSettings> = {}, replicasOfA = 2) {
  const { net, nodes } = threeMasters();
  const [a, b, c] = nodes;
  const all = [...nodes];
  // B and C get their replicas first: a master with slots is a target as soon as others have replicas (Redis's issue 3043).
  const b1 = addReplica(net, all, 7004, a, b);
  const c1 = addReplica(net, all, 7005, a, c);
  const ofA: FakeNode[] = [];
  for (let i = 0; i < replicasOfA; i++) ofA.push(addReplica(net, all, 7006 + i, a, a));
  for (const n of all) Object.assign(n.host.overrides, settings);
  ofA.sort((x, y) => (nameOf(x) < nameOf(y) ? -1 : 1));
  const [first, second] = ofA;
  return { net, all, a, b, c, b1, c1, first, second, ofA };
}

const masterSeenBy = (viewer: FakeNode, node: FakeNode) => viewer.cluster.state.lookup(nameOf(node))!.master;
const migrated = (n: FakeNode) => n.host.lines.some((l) => l.startsWith('Migrating to orphaned master'));

/** Stops `node` (its bus refuses connections) and runs the others until `watcher` sees it FAIL; answers the others. */
function stop(net: FakeNetwork, all: FakeNode[], node: FakeNode, watcher: FakeNode): FakeNode[] {
  net.down.add(`127.0.0.1:${node.host.port + 10000}`);
  node.cluster.close();
  const others = all.filter((n) => n !== node);
  runUntil(net, others, () => watcher.cluster.state.lookup(nameOf(node))!.flags.has('fail'));
  return others;
}

describe('replica migration', () => {
  it('the replica with the smallest name of the master with the most replicas moves to the orphan once it has been one for the delay', () => {
    const { net, all, a, b, b1, first, second } = cluster();
    net.down.add(`127.0.0.1:${b1.host.port + 10000}`);
    b1.cluster.close();
    const others = all.filter((n) => n !== b1);
    let failSeen = 0;
    for (let i = 0; i < 300 && !migrated(first); i++) {
      run(net, others, 1);
      if (failSeen === 0 && first.cluster.state.lookup(nameOf(b1))!.flags.has('fail')) failSeen = first.host.clock;
    }
    expect(failSeen).not.toBe(0);
    // The orphan clock starts at the first cron that sees the orphan, and must then run past the delay.
    const waited = first.host.clock - failSeen;
    expect(waited).toBeGreaterThan(REPLICA_MIGRATION_DELAY);
    expect(waited).toBeLessThanOrEqual(REPLICA_MIGRATION_DELAY + 500);
    expect(first.host.lines).toContain(`Migrating to orphaned master ${nameOf(b)}`);
    expect(first.host.replicatingFrom).toBe('127.0.0.1:7002');
    expect(first.cluster.masterName).toBe(nameOf(b));
    expect(first.host.config).toMatch(new RegExp(`^${nameOf(first)} \\S+ myself,slave ${nameOf(b)} `, 'm'));

    run(net, others, 30);
    for (const n of others) expect(masterSeenBy(n, first)).toBe(nameOf(b));
    expect(b.cluster.replicasOf(nameOf(b)).map((n) => n.name).sort()).toEqual([nameOf(b1), nameOf(first)].sort());
    // Only one moves: the other keeps A, which the barrier (1) now protects.
    run(net, others, 100);
    expect(migrated(second)).toBe(false);
    expect(second.cluster.masterName).toBe(nameOf(a));
    for (const n of others) expect(masterSeenBy(n, second)).toBe(nameOf(a));
  });

  it('no replica moves when its master would be left with no more than cluster-migration-barrier working replicas', () => {
    const { net, all, b1, first, second } = cluster({ migrationBarrier: 2 });
    const others = stop(net, all, b1, first);
    run(net, others, 150);
    expect(migrated(first) || migrated(second)).toBe(false);
    expect(first.host.replicatingFrom).toBe('127.0.0.1:7001');
  });

  it('no replica moves with cluster-allow-replica-migration no', () => {
    const { net, all, b1, first, second } = cluster({ allowReplicaMigration: false });
    const others = stop(net, all, b1, first);
    run(net, others, 150);
    expect(migrated(first) || migrated(second)).toBe(false);
    expect(first.host.replicatingFrom).toBe('127.0.0.1:7001');
  });

  it('two orphans each get one of the three replicas of the master with the most, the two smallest names, one after the other', () => {
    const { net, all, a, b, c, b1, c1, ofA } = cluster({}, 3);
    net.down.add(`127.0.0.1:${c1.host.port + 10000}`);
    c1.cluster.close();
    const others = stop(net, all.filter((n) => n !== c1), b1, ofA[0]);
    runUntil(net, others, () => migrated(ofA[0]) && migrated(ofA[1]));
    const orphans = [ofA[0].cluster.masterName, ofA[1].cluster.masterName].sort();
    expect(orphans).toEqual([nameOf(b), nameOf(c)].sort());
    run(net, others, 100);
    expect(migrated(ofA[2])).toBe(false);
    for (const n of others) expect(masterSeenBy(n, ofA[2])).toBe(nameOf(a));
  });

  it('a replica elected in its failed master\'s place, with no replica of its own, receives one', () => {
    const { net, all, c, c1, first, second } = cluster();
    const others = stop(net, all, c, first);
    runUntil(net, others, () => others.every((n) => n.cluster.slotOwner(16383) === nameOf(c1) && n.cluster.stateOk));
    expect(c1.cluster.isReplica).toBe(false);
    runUntil(net, others, () => migrated(first));
    expect(first.host.lines).toContain(`Migrating to orphaned master ${nameOf(c1)}`);
    expect(first.host.replicatingFrom).toBe('127.0.0.1:7005');
    run(net, others, 60);
    expect(migrated(second)).toBe(false);
    for (const n of others) expect(masterSeenBy(n, first)).toBe(nameOf(c1));
  });
});
