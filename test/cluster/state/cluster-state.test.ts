import { describe, expect, it } from 'vitest';
import { Cluster } from '../../../src/cluster/cluster.js';
import { CLUSTER_SLOTS } from '../../../src/cluster/key-slot.js';
import { addSlot, newSlotBitmap } from '../../../src/cluster/slot-bitmap.js';
import { ClusterRefusal } from '../../../src/cluster/state/cluster-state.js';
import { ClusterStartError } from '../../../src/cluster/state/config-load.js';
import { newLiveNode, type LiveNode } from '../../../src/cluster/state/live-node.js';
import { updateSlotsConfigWith } from '../../../src/cluster/state/slots-config.js';
import { FakeNetwork, fakeNode } from '../fake-host.js';

const OTHER = 'b'.repeat(40);
const THIRD = 'c'.repeat(40);

function node() {
  return fakeNode(new FakeNetwork(), 7001);
}

/** A master the node knows, as gossip would have added it. */
function knownMaster(cluster: Cluster, name: string, epoch = 0n): LiveNode {
  const n = newLiveNode(name, ['master'], cluster.state.host.now(), 'd'.repeat(40));
  n.ip = '127.0.0.1';
  n.tcpPort = 7100;
  n.cport = 17100;
  n.configEpoch = epoch;
  cluster.state.addNode(n);
  return n;
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ClusterRefusal);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('a node starting', () => {
  it('with no nodes.conf is a new master with a new name and shard id, saved at once', () => {
    const { cluster, host } = node();
    expect(cluster.myself.name).toMatch(/^[0-9a-f]{40}$/);
    expect(cluster.myself.shardId).toMatch(/^[0-9a-f]{40}$/);
    expect(cluster.myself.shardId).not.toBe(cluster.myself.name);
    expect(host.lines).toContain(`No cluster configuration found, I'm ${cluster.myself.name}`);
    expect(host.config).toBe(`${cluster.myself.name} :0@0,,tls-port=0,shard-id=${cluster.myself.shardId} myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`);
  });

  it('with a nodes.conf is the node it describes', () => {
    const first = node();
    first.cluster.updateSlots([[0, 99]], false);
    first.cluster.beforeSleep();
    const again = fakeNode(new FakeNetwork(), 7001, first.host.config);
    expect(again.cluster.myself.name).toBe(first.cluster.myself.name);
    expect(again.cluster.slotOwner(99)).toBe(first.cluster.myself.name);
    expect([again.cluster.ownsSlot(99), again.cluster.ownsSlot(100)]).toEqual([true, false]);
    expect(again.host.lines).toContain(`Node configuration loaded, I'm ${first.cluster.myself.name}`);
  });

  it('with a damaged nodes.conf refuses to start, in Redis words', () => {
    expect(() => fakeNode(new FakeNetwork(), 7001, 'garbage line\n')).toThrow(new ClusterStartError('Unrecoverable error: corrupted cluster config file "garbage line".'));
  });
});

describe('slot assignment (ADDSLOTS, DELSLOTS and their ranges)', () => {
  it('assigns and frees slots, marking the config to save and the state to update', () => {
    const { cluster } = node();
    cluster.updateSlots([[0, 10], [20, 20]], false);
    expect(cluster.myself.numSlots).toBe(12);
    expect(cluster.ownsSlot(20)).toBe(true);
    expect(cluster.state.todo).toMatchObject({ saveConfig: true, updateState: true });
    cluster.updateSlots([[5, 10]], true);
    expect(cluster.myself.numSlots).toBe(6);
    expect(cluster.slotOwner(5)).toBeNull();
    expect([cluster.ownsSlot(4), cluster.ownsSlot(5), cluster.ownsSlot(11)]).toEqual([true, false, false]);
  });

  it('refuses as Redis does, before changing anything', () => {
    const { cluster } = node();
    cluster.updateSlots([[0, 0]], false);
    expect(refusal(() => cluster.updateSlots([[1, 1], [0, 0]], false))).toBe('Slot 0 is already busy');
    expect(cluster.slotOwner(1)).toBeNull();
    expect(refusal(() => cluster.updateSlots([[3, 3], [3, 3]], false))).toBe('Slot 3 specified multiple times');
    expect(refusal(() => cluster.updateSlots([[7, 7]], true))).toBe('Slot 7 is already unassigned');
  });

  it('FLUSHSLOTS needs an empty database', () => {
    const { cluster, host } = node();
    cluster.updateSlots([[0, 5]], false);
    host.keys.add('k');
    expect(refusal(() => cluster.flushSlots())).toBe('DB must be empty to perform CLUSTER FLUSHSLOTS.');
    host.keys.clear();
    cluster.flushSlots();
    expect(cluster.myself.numSlots).toBe(0);
  });
});

describe('SETSLOT', () => {
  it('MIGRATING needs the slot to be mine and the target a known master', () => {
    const { cluster } = node();
    knownMaster(cluster, OTHER);
    expect(refusal(() => cluster.setSlotMigrating(1, OTHER))).toBe("I'm not the owner of hash slot 1");
    cluster.updateSlots([[1, 1]], false);
    expect(refusal(() => cluster.setSlotMigrating(1, THIRD))).toBe(`I don't know about node ${THIRD}`);
    cluster.setSlotMigrating(1, OTHER);
    expect(cluster.migratingTo(1)).toBe(OTHER);
  });

  it('IMPORTING refuses a slot already mine; STABLE ends both', () => {
    const { cluster } = node();
    knownMaster(cluster, OTHER);
    cluster.updateSlots([[1, 1]], false);
    expect(refusal(() => cluster.setSlotImporting(1, OTHER))).toBe("I'm already the owner of hash slot 1");
    cluster.setSlotImporting(2, OTHER);
    expect(cluster.importingFrom(2)).toBe(OTHER);
    cluster.setSlotStable(2);
    expect(cluster.importingFrom(2)).toBeNull();
  });

  it('NODE refuses to give away a slot whose keys are still here', () => {
    const { cluster, host } = node();
    knownMaster(cluster, OTHER);
    cluster.updateSlots([[12182, 12182]], false);
    host.keys.add('foo');
    expect(refusal(() => cluster.setSlotNode(12182, OTHER))).toBe("Can't assign hashslot 12182 to a different node while I still hold keys for this hash slot.");
    expect(refusal(() => cluster.setSlotNode(12182, THIRD))).toBe(`Unknown node ${THIRD}`);
  });

  it('NODE giving away the last slot makes this master a replica of the new owner', () => {
    const { cluster, host } = node();
    knownMaster(cluster, OTHER);
    cluster.updateSlots([[5, 5]], false);
    cluster.setSlotNode(5, OTHER);
    expect(cluster.ownsSlot(5)).toBe(false);
    expect(cluster.isReplica).toBe(true);
    expect(cluster.masterName).toBe(OTHER);
    expect(host.replicatingFrom).toBe('127.0.0.1:7100');
    expect(refusal(() => cluster.setSlotStable(5))).toBe('Please use SETSLOT only with masters.');
  });

  it('is saved at the end of the turn without the fsyncs, unless it made this master a replica (Redis\'s todo flags)', () => {
    const { cluster, host } = node();
    knownMaster(cluster, OTHER);
    cluster.updateSlots([[5, 5]], false);
    cluster.state.beforeSleep();
    host.configSyncs.length = 0;
    cluster.setSlotMigrating(5, OTHER);
    cluster.state.beforeSleep();
    cluster.setSlotNode(5, OTHER);
    cluster.state.beforeSleep();
    expect(host.configSyncs).toEqual([false, true]);
    expect(host.config).toContain(`myself,slave ${OTHER}`);
  });

  it('a target that is a replica is refused', () => {
    const { cluster } = node();
    const replica = knownMaster(cluster, OTHER);
    replica.flags.delete('master');
    replica.flags.add('slave');
    cluster.updateSlots([[1, 1]], false);
    expect(refusal(() => cluster.setSlotMigrating(1, OTHER))).toBe('Target node is not a master');
  });
});

describe('epochs', () => {
  it('SET-CONFIG-EPOCH only on a node alone with epoch 0', () => {
    const { cluster } = node();
    expect(refusal(() => cluster.setConfigEpoch(-1n))).toBe('Invalid config epoch specified: -1');
    cluster.setConfigEpoch(5n);
    expect(cluster.state.currentEpoch).toBe(5n);
    expect(refusal(() => cluster.setConfigEpoch(6n))).toBe('Node config epoch is already non-zero');
    knownMaster(cluster, OTHER);
    expect(refusal(() => cluster.setConfigEpoch(6n))).toBe('The user can assign a config epoch only when the node does not know any other node.');
  });

  it('BUMPEPOCH bumps unless my epoch is already the greatest', () => {
    const { cluster } = node();
    expect(cluster.bumpEpoch()).toBe('BUMPED 1');
    expect(cluster.bumpEpoch()).toBe('STILL 1');
    knownMaster(cluster, OTHER, 7n);
    expect(cluster.bumpEpoch()).toBe('BUMPED 2');
  });

  it('a collision is resolved by the node with the smaller name taking a new epoch', () => {
    const { cluster } = node();
    cluster.setConfigEpoch(3n);
    const greater = knownMaster(cluster, 'z'.repeat(40), 3n);
    const smaller = knownMaster(cluster, '0'.repeat(40), 3n);
    cluster.state.handleEpochCollision(smaller);
    expect(cluster.myself.configEpoch).toBe(3n);
    cluster.state.handleEpochCollision(greater);
    expect(cluster.myself.configEpoch).toBe(4n);
    expect(cluster.state.currentEpoch).toBe(4n);
  });
});

describe('slot ownership learned from a newer config (clusterUpdateSlotsConfigWith)', () => {
  it('a claim with a greater epoch takes the slot; an older one does not', () => {
    const { cluster, host } = node();
    cluster.setConfigEpoch(2n);
    cluster.updateSlots([[0, 1]], false);
    const other = knownMaster(cluster, OTHER, 1n);
    const claim = newSlotBitmap();
    addSlot(claim, 0);
    updateSlotsConfigWith(cluster.state, other, 1n, claim);
    expect(cluster.ownsSlot(0)).toBe(true);
    host.keys.add('{a}'); // slot 15495: not involved
    updateSlotsConfigWith(cluster.state, other, 3n, claim);
    expect(cluster.slotOwner(0)).toBe(OTHER);
    expect(cluster.ownsSlot(0)).toBe(false);
    expect(cluster.ownsSlot(1)).toBe(true);
    expect(host.slotChanges).toBeGreaterThan(0);
  });

  it('every claimed slot is read, wherever it sits among unclaimed ones', () => {
    const { cluster } = node();
    const other = knownMaster(cluster, OTHER, 1n);
    const claim = newSlotBitmap();
    const claimed = [7, 8, 15, 9000, 16376, 16383];
    for (const slot of claimed) addSlot(claim, slot);
    updateSlotsConfigWith(cluster.state, other, 1n, claim);
    expect(claimed.map((slot) => cluster.slotOwner(slot))).toEqual(claimed.map(() => OTHER));
    expect([0, 6, 9, 8999, 16375].map((slot) => cluster.slotOwner(slot))).toEqual([null, null, null, null, null]);
  });

  it('losing the last slot makes myself a replica of the claimant; losing one of several deletes its keys', () => {
    const { cluster, host } = node();
    cluster.updateSlots([[12182, 12182], [0, 0]], false);
    host.keys.add('foo');
    const other = knownMaster(cluster, OTHER, 1n);
    const claim = newSlotBitmap();
    addSlot(claim, 12182);
    updateSlotsConfigWith(cluster.state, other, 1n, claim);
    expect(host.keys.has('foo')).toBe(false);
    expect(cluster.isReplica).toBe(false);
    const rest = newSlotBitmap();
    addSlot(rest, 0);
    updateSlotsConfigWith(cluster.state, other, 2n, rest);
    expect(cluster.isReplica).toBe(true);
    expect(host.lines).toContain(`Configuration change detected. Reconfiguring myself as a replica of ${OTHER} ()`);
  });
});

describe('the cluster state (clusterUpdateState)', () => {
  it('stays fail during the writable delay, then is ok with every slot served', () => {
    const { cluster, host } = node();
    cluster.updateSlots([[0, CLUSTER_SLOTS - 1]], false);
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    host.clock += 2001;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
  });

  it('fails with a slot unserved, unless full coverage is not required', () => {
    const { cluster, host } = node();
    cluster.state.updateState();
    cluster.updateSlots([[0, 100]], false);
    host.clock += 3000;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    host.overrides.requireFullCoverage = false;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
  });

  it('fails while a slot is freed or served by a FAIL node; a FAIL master without slots does not matter', () => {
    const { cluster, host } = node();
    cluster.state.updateState();
    cluster.updateSlots([[0, 5000]], false);
    const a = knownMaster(cluster, OTHER);
    const c = knownMaster(cluster, THIRD);
    const idle = knownMaster(cluster, 'e'.repeat(40));
    for (let s = 5001; s < 10000; s++) cluster.state.addSlot(a, s);
    for (let s = 10000; s < CLUSTER_SLOTS; s++) cluster.state.addSlot(c, s);
    host.clock += 3000;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
    idle.flags.add('fail');
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
    // Two of three masters with slots are reachable: only coverage fails.
    a.flags.add('fail');
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    for (let s = 5001; s < 10000; s++) {
      cluster.state.delSlot(s);
      cluster.state.addSlot(c, s);
    }
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
    cluster.state.delSlot(7000);
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    cluster.state.addSlot(cluster.state.myself, 7000);
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
  });

  it('fails in a minority partition, and a master waits the rejoin delay before ok again', () => {
    const { cluster, host } = node();
    cluster.state.updateState();
    cluster.updateSlots([[0, 5000]], false);
    const a = knownMaster(cluster, OTHER);
    const b = knownMaster(cluster, THIRD);
    for (let s = 5001; s < 10000; s++) cluster.state.addSlot(a, s);
    for (let s = 10000; s < CLUSTER_SLOTS; s++) cluster.state.addSlot(b, s);
    host.clock += 3000;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
    a.flags.add('fail?');
    b.flags.add('fail?');
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    a.flags.delete('fail?');
    b.flags.delete('fail?');
    host.clock += 400;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(false);
    host.clock += 700;
    cluster.state.updateState();
    expect(cluster.stateOk).toBe(true);
  });
});

describe('failure reports', () => {
  it('PFAIL becomes FAIL once the reports and my own view are a majority of the masters, and FAIL is broadcast', () => {
    const { cluster } = node();
    const failing = knownMaster(cluster, OTHER);
    const reporter = knownMaster(cluster, THIRD);
    cluster.updateSlots([[0, 10]], false);
    cluster.state.addSlot(failing, 11);
    cluster.state.addSlot(reporter, 12);
    let broadcast: string | null = null;
    cluster.state.messenger = { ...cluster.state.messenger, broadcastFail: (name) => (broadcast = name) };
    failing.flags.add('fail?');
    cluster.state.markFailingIfNeeded(failing);
    expect(failing.flags.has('fail')).toBe(false);
    failing.failReports.set(reporter.name, cluster.state.host.now());
    cluster.state.markFailingIfNeeded(failing);
    expect(failing.flags.has('fail')).toBe(true);
    expect(broadcast).toBe(OTHER);
  });

  it('reports older than twice the node timeout no longer count', () => {
    const { cluster, host } = node();
    const failing = knownMaster(cluster, OTHER);
    failing.failReports.set(THIRD, host.now());
    expect(cluster.countFailureReports(OTHER)).toBe(1);
    host.clock += 2001;
    expect(cluster.countFailureReports(OTHER)).toBe(0);
  });
});

describe('FORGET, REPLICATE, RESET', () => {
  it('FORGET refuses myself and unknown nodes; a forgotten node stays forgotten for a minute', () => {
    const { cluster, host } = node();
    expect(refusal(() => cluster.forget(cluster.myself.name))).toBe("I tried hard but I can't forget myself...");
    expect(refusal(() => cluster.forget(OTHER))).toBe(`Unknown node ${OTHER}`);
    knownMaster(cluster, OTHER);
    cluster.forget(OTHER);
    expect(cluster.state.blacklisted(OTHER)).toBe(true);
    cluster.forget(OTHER);
    host.clock += 61_000;
    expect(cluster.state.blacklisted(OTHER)).toBe(false);
  });

  it('REPLICATE needs an empty master without slots, and a master as target', () => {
    const { cluster, host } = node();
    const target = knownMaster(cluster, OTHER);
    expect(refusal(() => cluster.replicate(cluster.myself.name))).toBe("Can't replicate myself");
    host.keys.add('x');
    expect(refusal(() => cluster.replicate(OTHER))).toBe('To set a master the node must be empty and without assigned slots.');
    host.keys.clear();
    cluster.replicate(OTHER);
    expect(host.replicatingFrom).toBe(`${target.ip}:${target.tcpPort}`);
    expect(cluster.replicasOf(OTHER).map((n) => n.name)).toEqual([cluster.myself.name]);
    expect(refusal(() => cluster.forget(OTHER))).toBe("Can't forget my master!");
  });

  it('RESET HARD forgets everyone, zeroes the epochs and takes a new name', () => {
    const { cluster, host } = node();
    const before = cluster.myself.name;
    cluster.setConfigEpoch(4n);
    knownMaster(cluster, OTHER);
    cluster.updateSlots([[0, 3]], false);
    cluster.reset(true);
    expect(cluster.state.nodes).toHaveLength(1);
    expect(cluster.myself.name).not.toBe(before);
    expect(cluster.state.currentEpoch).toBe(0n);
    expect(cluster.myself.numSlots).toBe(0);
    expect(host.config).toContain(`${cluster.myself.name} `);
  });
});
