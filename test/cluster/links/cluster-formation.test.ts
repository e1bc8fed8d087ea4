import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS } from '../../../src/cluster/key-slot.js';
import { clusterInfoText } from '../../../src/cluster/cluster-info.js';
import { fakeNode, type FakeNetwork, type FakeNode } from '../fake-host.js';
import { addReplica, run, threeMasters } from '../fake-cluster.js';

/** threeMasters, and a fourth node met and made a replica of the first master. */
function threeMastersAndAReplica(): { net: FakeNetwork; nodes: FakeNode[]; replica: FakeNode } {
  const { net, nodes } = threeMasters();
  const replica = addReplica(net, [...nodes], 7004, nodes[0], nodes[0]);
  return { net, nodes, replica };
}

describe('a cluster forming over the bus', () => {
  it('MEET introduces the nodes, the handshake names them, gossip spreads them and the slots', () => {
    const { nodes } = threeMasters();
    for (const { cluster } of nodes) {
      expect(cluster.state.nodes.map((n) => n.name).sort()).toEqual(nodes.map((n) => n.cluster.myself.name).sort());
      expect(cluster.state.nodes.some((n) => n.flags.has('handshake'))).toBe(false);
      expect(cluster.slotOwner(0)).toBe(nodes[0].cluster.myself.name);
      expect(cluster.slotOwner(CLUSTER_SLOTS - 1)).toBe(nodes[2].cluster.myself.name);
      expect(cluster.state.size).toBe(3);
    }
  });

  it('every node learns its own address from the MEET it receives, or a ping', () => {
    const { nodes } = threeMasters();
    for (const { cluster } of nodes) expect(cluster.myself.ip).toBe('127.0.0.1');
  });

  it('the state turns ok once every slot is served, after the writable delay, and is logged as Redis logs it', () => {
    const { nodes } = threeMasters();
    for (const { cluster, host } of nodes) {
      expect(cluster.stateOk).toBe(true);
      expect(host.lines).toContain('Cluster state changed: ok');
      expect(clusterInfoText(cluster)).toMatch(/^cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n/);
    }
  });

  it('nodes.conf is saved with every node once they know each other', () => {
    const { nodes } = threeMasters();
    const text = nodes[1].host.config!;
    for (const n of nodes) expect(text).toContain(n.cluster.myself.name);
    expect(text).toMatch(/vars currentEpoch 3 lastVoteEpoch 0\n$/);
  });

  it('counts the messages of each type sent and received', () => {
    const { nodes } = threeMasters();
    const info = clusterInfoText(nodes[1].cluster);
    expect(info).toMatch(/cluster_stats_messages_meet_received:1\r\n/);
    expect(info).toMatch(/cluster_stats_messages_ping_sent:\d+\r\n/);
    expect(info).toMatch(/total_cluster_links_buffer_limit_exceeded:0\r\n$/);
  });

  it('a silent master becomes PFAIL, then FAIL once a majority of masters report it, and the cluster fails', () => {
    const { net, nodes } = threeMasters();
    const victim = nodes[2];
    net.down.add('127.0.0.1:17003');
    victim.cluster.close();
    const survivors = nodes.slice(0, 2);
    run(net, survivors, 40);
    for (const { cluster, host } of survivors) {
      const seen = cluster.state.lookup(victim.cluster.myself.name)!;
      expect(seen.flags.has('fail')).toBe(true);
      expect(cluster.stateOk).toBe(false);
      expect(host.lines).toContain('warning Cluster state changed: fail');
    }
    expect(survivors.some(({ host }) => host.lines.some((l) => l.startsWith('Marking node') || l.startsWith('FAIL message received')))).toBe(true);
  });

  it('SETSLOT NODE on the importing node bumps its epoch and the others learn the new owner from its pong', () => {
    const { net, nodes } = threeMasters();
    const [a, b] = nodes;
    b.cluster.setSlotImporting(0, a.cluster.myself.name);
    a.cluster.setSlotMigrating(0, b.cluster.myself.name);
    b.cluster.setSlotNode(0, b.cluster.myself.name);
    a.cluster.setSlotNode(0, b.cluster.myself.name);
    run(net, nodes, 20);
    for (const { cluster } of nodes) expect(cluster.slotOwner(0)).toBe(b.cluster.myself.name);
    expect(b.cluster.myself.configEpoch).toBe(4n);
    expect(b.host.lines).toContain('configEpoch updated after importing slot 0');
  });

  it('CLUSTER REPLICATE makes an empty node a replica whose role the others learn from its header', () => {
    const { nodes, replica } = threeMastersAndAReplica();
    expect(replica.host.replicatingFrom).toBe('127.0.0.1:7001');
    for (const { cluster } of nodes) {
      const seen = cluster.state.lookup(replica.cluster.myself.name)!;
      expect(seen.flags.has('slave')).toBe(true);
      expect(seen.master).toBe(nodes[0].cluster.myself.name);
    }
    expect(replica.cluster.myself.shardId).toBe(nodes[0].cluster.myself.shardId);
  });

  it('FORGET removes a node and keeps gossip from bringing it back while the ban lasts', () => {
    const { net, nodes } = threeMasters();
    const gone = nodes[2].cluster.myself.name;
    nodes[0].cluster.forget(gone);
    run(net, nodes, 10);
    expect(nodes[0].cluster.state.lookup(gone)).toBeUndefined();
    // The forgotten-node extension tells the others to forget it too.
    expect(nodes[1].cluster.state.lookup(gone)).toBeUndefined();
  });

  it('when a master fails, its replica wins the masters\' votes and takes its slots; the old master comes back as its replica', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    let all = [...nodes, replica];
    const old = nodes[0];
    net.down.add('127.0.0.1:17001');
    old.cluster.close();
    all = [nodes[1], nodes[2], replica];
    run(net, all, 80);
    expect(replica.cluster.isReplica).toBe(false);
    expect(replica.host.replicatingFrom).toBeNull();
    expect(replica.host.lines).toContain("Failover election won: I'm the new master.");
    for (const { cluster } of all) {
      expect(cluster.slotOwner(0)).toBe(replica.cluster.myself.name);
      expect(cluster.stateOk).toBe(true);
    }
    expect(nodes[1].host.lines.some((l) => l.startsWith(`Failover auth granted to ${replica.cluster.myself.name}`))).toBe(true);

    // The old master returns with its old view; the others' newer epoch for its slots makes it a replica.
    net.down.delete('127.0.0.1:17001');
    const back = fakeNode(net, 7001, old.host.config);
    run(net, [...all, back], 60);
    expect(back.cluster.isReplica).toBe(true);
    expect(back.cluster.masterName).toBe(replica.cluster.myself.name);
  });

  it('CLUSTER FAILOVER TAKEOVER takes the slots at a new epoch with the master still up', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    const all = [...nodes, replica];
    replica.cluster.failover('takeover');
    run(net, all, 20);
    for (const { cluster } of all) expect(cluster.slotOwner(0)).toBe(replica.cluster.myself.name);
    expect(nodes[0].cluster.isReplica).toBe(true);
  });

  it('PUBLISH reaches every node; SPUBLISH only the nodes of the shard', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    nodes[0].cluster.publish(Buffer.from('news'), Buffer.from('hello'), false);
    nodes[0].cluster.publish(Buffer.from('{s}'), Buffer.from('local'), true);
    nodes[0].cluster.beforeSleep();
    net.pump();
    expect(nodes[1].host.published).toEqual(['news hello']);
    expect(nodes[2].host.published).toEqual(['news hello']);
    expect(replica.host.published).toEqual(['news hello', 'shard {s} local']);
    expect(nodes[0].host.published).toEqual([]);
  });

  it('CLUSTER FAILOVER: the master pauses its writers and announces its offset; the caught-up replica is elected; the old master follows it, writable again', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    const all = [...nodes, replica];
    const master = nodes[0];
    replica.cluster.failover('default');
    replica.cluster.beforeSleep();
    net.pump();
    expect(master.host.paused).toBe(true);
    expect(master.host.lines).toContain(`Manual failover requested by replica ${replica.cluster.myself.name} ().`);
    run(net, all, 20);
    expect(replica.host.lines).toContain('Received replication offset for paused master manual failover: 0');
    expect(replica.host.lines).toContain('All master replication stream processed, manual failover can start.');
    for (const { cluster } of all) expect(cluster.slotOwner(0)).toBe(replica.cluster.myself.name);
    expect(master.cluster.masterName).toBe(replica.cluster.myself.name);
    expect(master.host.paused).toBe(false);
  });

  it('a replica that follows another master drops the manual failover it had under way, as Redis\'s clusterSetMaster', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    nodes[0].host.replicationOffset = () => 100;
    replica.cluster.failover('default');
    replica.cluster.replicate(nodes[1].cluster.myself.name);
    run(net, [...nodes, replica], 55);
    expect(replica.host.lines).not.toContain('warning Manual failover timed out.');
    expect(nodes[0].host.lines).toContain('warning Manual failover timed out.');
    expect(replica.cluster.masterName).toBe(nodes[1].cluster.myself.name);
  });

  it('a replica that does not catch up with the paused master within the timeout gives up, and the master writes again', () => {
    const { net, nodes, replica } = threeMastersAndAReplica();
    nodes[0].host.replicationOffset = () => 100;
    replica.cluster.failover('default');
    run(net, [...nodes, replica], 55);
    expect(replica.host.lines).toContain('warning Manual failover timed out.');
    expect(nodes[0].host.lines).toContain('warning Manual failover timed out.');
    expect(nodes[0].host.paused).toBe(false);
    expect(replica.cluster.isReplica).toBe(true);
  });
});
