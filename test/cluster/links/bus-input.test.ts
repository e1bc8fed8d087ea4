import { describe, expect, it } from 'vitest';
import { encodeBusMessage } from '../../../src/cluster/bus/encode.js';
import { decodeBusMessage } from '../../../src/cluster/bus/decode.js';
import type { BusHeader } from '../../../src/cluster/bus/header.js';
import type { BusMessage } from '../../../src/cluster/bus/message.js';
import type { BusSocket, BusSocketEvents } from '../../../src/cluster/links/bus-socket.js';
import { readNodesConf } from '../../../src/cluster/node-table/nodes-conf-read.js';
import { newSlotBitmap } from '../../../src/cluster/slot-bitmap.js';
import { newLiveNode } from '../../../src/cluster/state/live-node.js';
import { FakeNetwork, fakeNode } from '../fake-host.js';

const STRANGER = 'e'.repeat(40);

const newLiveNodeFor = (name: string, now: number) => newLiveNode(name, ['master'], now, null);

/** An inbound connection whose writes the test reads back as messages. */
function inbound(cluster: ReturnType<typeof fakeNode>['cluster']) {
  const written: Buffer[] = [];
  let closed = false;
  const socket: BusSocket = {
    write: (b) => written.push(Buffer.from(b)),
    pending: 0,
    close: () => {
      closed = true;
    },
    localIp: '127.0.0.1',
    remoteIp: '127.0.0.1',
    remotePort: 40001,
  };
  const events: BusSocketEvents = cluster.accept(socket);
  return {
    // What the node answers goes out at the end of the turn.
    send: (b: Buffer) => {
      events.data(b);
      cluster.beforeSleep();
    },
    replies: () => written.map((b) => decodeBusMessage(b)).map((d) => (d.ok ? d.message.type : d.error)),
    closed: () => closed,
  };
}

function header(sender: string): BusHeader {
  return {
    port: 7009, currentEpoch: 0n, configEpoch: 0n, offset: 0n, sender, myslots: newSlotBitmap(), slaveof: null,
    myip: '', pport: 0, cport: 17009, flags: 1, state: 0, mflags: [0, 0, 0],
  };
}

const ping = (type: 'PING' | 'MEET', sender = STRANGER): BusMessage => ({ type, header: header(sender), gossip: [], extensions: [] });

describe('what the bus does with what a peer sends', () => {
  it('bytes that are not the bus protocol are logged, and the link closed; the server goes on', () => {
    const { cluster, host } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    expect(() => link.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).not.toThrow();
    expect(link.closed()).toBe(true);
    expect(host.lines.some((l) => l.startsWith('warning Bad message on the cluster bus'))).toBe(true);
  });

  it('a framed message of the wrong length for its type is dropped and counted; the link stays', () => {
    const { cluster, host } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    const fail = encodeBusMessage({ type: 'FAIL', header: header(STRANGER), nodename: STRANGER });
    const short = Buffer.from(fail.subarray(0, fail.length - 8));
    short.writeUInt32BE(short.length, 4);
    link.send(short);
    expect(link.closed()).toBe(false);
    expect(host.lines.some((l) => l.startsWith('warning Dropping an invalid cluster bus message: FAIL message of'))).toBe(true);
    expect(cluster.state.stats.received[3]).toBe(1);
  });

  it('a PING from an unknown node is answered, but the node is not added', () => {
    const { cluster } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    link.send(encodeBusMessage(ping('PING')));
    expect(link.replies()).toEqual(['PONG']);
    expect(cluster.state.lookup(STRANGER)).toBeUndefined();
    expect(cluster.state.nodes).toHaveLength(1);
  });

  it('a MEET from an unknown node adds it in handshake, at the address it came from', () => {
    const { cluster } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    link.send(encodeBusMessage(ping('MEET')));
    expect(link.replies()).toEqual(['PONG']);
    const added = cluster.state.nodes.find((n) => n !== cluster.myself)!;
    expect(added.flags.has('handshake')).toBe(true);
    expect(`${added.ip}:${added.tcpPort}@${added.cport}`).toBe('127.0.0.1:7009@17009');
    expect(cluster.myself.ip).toBe('127.0.0.1');
  });

  it('FAIL and UPDATE from an unknown node change nothing', () => {
    const { cluster, host } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    link.send(encodeBusMessage({ type: 'FAIL', header: header(STRANGER), nodename: cluster.myself.name }));
    link.send(encodeBusMessage({ type: 'UPDATE', header: header(STRANGER), configEpoch: 9n, nodename: cluster.myself.name, slots: newSlotBitmap() }));
    expect(cluster.myself.flags.has('fail')).toBe(false);
    expect(host.lines).toContain(`Ignoring FAIL message from unknown node ${STRANGER} about ${cluster.myself.name}`);
  });

  it('a message cut across many reads is put back together', () => {
    const { cluster } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    const whole = encodeBusMessage(ping('PING'));
    for (let at = 0; at < whole.length; at += 100) link.send(whole.subarray(at, at + 100));
    expect(link.replies()).toEqual(['PONG']);
  });
});

describe('messages real nodes sent, damaged', () => {
  it('captured messages with bytes changed past their type (so that most still decode) neither throw nor fail inside the handler', async () => {
    const { CAPTURED_VERSIONS, loadCapture } = await import('../bus/captured.js');
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const version of CAPTURED_VERSIONS) {
      const capture = loadCapture(version);
      const { cluster, host } = fakeNode(new FakeNetwork(), 7001);
      // The captured senders are known nodes, so that their messages get past "unknown sender".
      for (const node of Object.values(capture.nodes)) {
        const known = newLiveNodeFor(node.id, host.now());
        known.ip = '127.0.0.1';
        known.tcpPort = node.port;
        known.cport = node.cport;
        cluster.state.addNode(known);
      }
      for (const message of capture.messages) {
        for (let round = 0; round < 20; round++) {
          const bytes = Buffer.from(message.bytes);
          for (let k = 0; k < 1 + random(8); k++) bytes[16 + random(bytes.length - 16)] = random(256);
          const link = inbound(cluster);
          expect(() => {
            link.send(bytes);
            cluster.cron();
            cluster.beforeSleep();
          }).not.toThrow();
        }
      }
      expect(host.lines.some((l) => l.startsWith('warning Error handling'))).toBe(false);
    }
  });
});

describe('what a peer announces, before it reaches nodes.conf', () => {
  it('a hostname, nodename or address that nodes.conf could not hold again is ignored', () => {
    const { cluster, host } = fakeNode(new FakeNetwork(), 7001);
    const link = inbound(cluster);
    const meet = ping('MEET');
    link.send(encodeBusMessage({ ...meet, header: { ...meet.header, myip: '1.2.3.4 evil' } }));
    const added = cluster.state.nodes.find((n) => n !== cluster.myself)!;
    expect(added.ip).toBe('');
    const known = newLiveNodeFor(STRANGER, host.now());
    cluster.state.addNode(known);
    link.send(encodeBusMessage({
      ...ping('PING'),
      extensions: [{ type: 'HOSTNAME', hostname: 'a b\nc' }, { type: 'HUMAN_NODENAME', humanNodename: 'x y' }],
    } as BusMessage));
    expect(known.hostname).toBe('');
    expect(known.humanNodename).toBe('');
    cluster.state.saveConfig();
    expect(readNodesConf(host.config!).ok).toBe(true);
  });
});
