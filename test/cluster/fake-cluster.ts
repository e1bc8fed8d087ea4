import { CLUSTER_SLOTS } from '../../src/cluster/key-slot.js';
import { FakeNetwork, fakeNode, type FakeNode } from './fake-host.js';

/** Runs every node's cron and end of turn `times` times, the clock moving 100 ms each. */
export function run(net: FakeNetwork, nodes: FakeNode[], times: number): void {
  for (let i = 0; i < times; i++) {
    for (const n of nodes) {
      n.host.clock += 100;
      n.cluster.cron();
    }
    net.pump();
    for (const n of nodes) n.cluster.beforeSleep();
  }
}

/**
 * Runs until `done` holds (and a few turns more), failing after a bound.
 * Gossip picks its entries at random, as Redis's does: how soon a node
 * hears of another varies from run to run.
 */
export function runUntil(net: FakeNetwork, nodes: FakeNode[], done: () => boolean): void {
  for (let i = 0; !done(); i++) {
    if (i === 300) throw new Error('the cluster did not settle');
    run(net, nodes, 1);
  }
  run(net, nodes, 5);
}

/** Three masters sharing the slots as redis-cli --cluster create does: slots, distinct epochs, then MEET. */
export function threeMasters(): { net: FakeNetwork; nodes: FakeNode[] } {
  const net = new FakeNetwork();
  const nodes = [fakeNode(net, 7001), fakeNode(net, 7002), fakeNode(net, 7003)];
  const third = Math.floor(CLUSTER_SLOTS / 3);
  nodes[0].cluster.updateSlots([[0, third - 1]], false);
  nodes[1].cluster.updateSlots([[third, 2 * third - 1]], false);
  nodes[2].cluster.updateSlots([[2 * third, CLUSTER_SLOTS - 1]], false);
  nodes.forEach((n, i) => n.cluster.setConfigEpoch(BigInt(i + 1)));
  nodes[0].cluster.meet('127.0.0.1', 7002, 17002, '7002');
  nodes[0].cluster.meet('127.0.0.1', 7003, 17003, '7003');
  runUntil(net, nodes, () => nodes.every(({ cluster }) => cluster.state.nodes.length === 3 && cluster.stateOk));
  return { net, nodes };
}

/** A fresh node on port `port`, met through `via` and made a replica of `master` once every node in `all` knows it (it is added to `all`). */
export function addReplica(net: FakeNetwork, all: FakeNode[], port: number, via: FakeNode, master: FakeNode): FakeNode {
  const replica = fakeNode(net, port);
  replica.cluster.meet('127.0.0.1', via.host.port, via.host.port + 10000, String(via.host.port));
  all.push(replica);
  runUntil(net, all, () => all.every(({ cluster }) => cluster.state.nodes.length === all.length && !cluster.state.nodes.some((n) => n.flags.has('handshake'))));
  replica.cluster.replicate(master.cluster.myself.name);
  runUntil(net, all, () => all.every(({ cluster }) => cluster.state.lookup(replica.cluster.myself.name)!.master === master.cluster.myself.name));
  return replica;
}
