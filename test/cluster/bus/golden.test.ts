import { describe, expect, test } from 'vitest';
import { decodeBusMessage } from '../../../src/cluster/bus/decode.js';
import { encodeBusMessage } from '../../../src/cluster/bus/encode.js';
import { MESSAGE_FLAGS0, NODE_FLAGS } from '../../../src/cluster/bus/flags.js';
import type { BusMessage } from '../../../src/cluster/bus/message.js';
import { slotRanges } from '../../../src/cluster/slot-bitmap.js';
import { CAPTURED_VERSIONS, loadCapture, type Capture, type CapturedMessage } from './captured.js';

function decoded(m: CapturedMessage): BusMessage {
  const r = decodeBusMessage(m.bytes);
  if (!r.ok) throw new Error(`${m.file}: ${r.error}`);
  return r.message;
}


describe.each(CAPTURED_VERSIONS)('messages captured between Redis %s nodes', (version) => {
  const capture: Capture = loadCapture(version);
  const is72 = version.startsWith('7.2');
  const ids = new Set(Object.values(capture.nodes).map((n) => n.id));
  const byType = (type: string) => capture.messages.filter((m) => m.type === type);

  test('the capture holds every message type', () => {
    const types = new Set(capture.messages.map((m) => m.type));
    expect([...types].sort()).toEqual(
      ['FAIL', 'FAILOVER_AUTH_ACK', 'FAILOVER_AUTH_REQUEST', 'MEET', 'MFSTART', 'MODULE', 'PING', 'PONG', 'PUBLISH', 'PUBLISHSHARD', 'UPDATE'],
    );
  });

  test('each decodes to its type and re-encodes to the identical bytes', () => {
    for (const m of capture.messages) {
      const msg = decoded(m);
      expect(msg.type, m.file).toBe(m.type);
      expect(encodeBusMessage(msg).equals(m.bytes), `${m.file} re-encoded`).toBe(true);
    }
  });

  test('each header names its sender with the ports the sender was started with', () => {
    for (const m of capture.messages) {
      const { header } = decoded(m);
      const node = capture.nodes[m.sender!];
      expect(node, m.file).toBeDefined();
      expect(header.sender).toBe(node.id);
      expect(header.port, m.file).toBe(node.port);
      expect(header.cport, m.file).toBe(node.cport);
      // Nodes announce no IP: the receiver takes the link's peer address.
      expect(header.myip).toBe('');
      expect(header.flags & (NODE_FLAGS.MASTER | NODE_FLAGS.SLAVE), m.file).not.toBe(0);
      expect((header.flags & NODE_FLAGS.SLAVE) !== 0, m.file).toBe(header.slaveof !== null);
      if (header.slaveof !== null) expect(ids.has(header.slaveof), m.file).toBe(true);
    }
  });

  test('each sender claims the slots it was given, or its master\'s, or none before ADDSLOTS', () => {
    const given: Record<string, [number, number][]> = { n1: [[0, 5460]], n2: [[5461, 10922]], n3: [[10923, 16383]], n4: [[10923, 16383]] };
    for (const m of capture.messages) {
      const ranges = slotRanges(decoded(m).header.myslots);
      if (ranges.length > 0) expect(ranges, m.file).toEqual(given[m.sender!]);
    }
    expect(capture.messages.some((m) => m.step === 'meet' && slotRanges(decoded(m).header.myslots).length === 0)).toBe(true);
  });

  test('PING, PONG and MEET carry gossip about known nodes and the sender\'s announced names', () => {
    const pings = capture.messages.filter((m) => ['PING', 'PONG', 'MEET'].includes(m.type));
    expect(pings.some((m) => (decoded(m) as { gossip: unknown[] }).gossip.length > 0)).toBe(true);
    for (const m of pings) {
      const msg = decoded(m);
      if (msg.type !== 'PING' && msg.type !== 'PONG' && msg.type !== 'MEET') throw new Error('not a ping');
      const node = capture.nodes[m.sender!];
      for (const g of msg.gossip) {
        const about = Object.values(capture.nodes).find((n) => n.id === g.nodename);
        expect(about, `${m.file} gossips about ${g.nodename}`).toBeDefined();
        expect([g.port, g.cport], m.file).toEqual([about!.port, about!.cport]);
        expect(g.ip).toBe('127.0.0.1');
      }
      const ext = (type: string) => msg.extensions.filter((e) => e.type === type);
      expect(ext('HOSTNAME'), m.file).toEqual(node.hostname ? [{ type: 'HOSTNAME', hostname: node.hostname }] : []);
      expect(ext('HUMAN_NODENAME'), m.file).toEqual(node.humanNodename ? [{ type: 'HUMAN_NODENAME', humanNodename: node.humanNodename }] : []);
      // 7.2 always sends its shard id; 7.0 knows only the hostname extension.
      expect(ext('SHARDID').length, m.file).toBe(is72 ? 1 : 0);
      expect((msg.header.mflags[0] & MESSAGE_FLAGS0.EXT_DATA) !== 0, m.file).toBe(msg.extensions.length > 0);
      expect(ext('UNKNOWN')).toEqual([]);
    }
  });

  test.runIf(is72)('after CLUSTER FORGET, 7.2 pings name the forgotten node for at most a minute', () => {
    const forgotten = capture.messages
      .flatMap((m) => { const msg = decoded(m); return 'extensions' in msg ? msg.extensions : []; })
      .filter((e) => e.type === 'FORGOTTEN_NODE');
    expect(forgotten.length).toBeGreaterThan(0);
    for (const e of forgotten) {
      if (e.type !== 'FORGOTTEN_NODE') continue;
      expect(e.name).toBe(capture.nodes.n5.id);
      expect(e.ttl > 0n && e.ttl <= 60n).toBe(true);
    }
  });

  test('FAIL names a node the scenario killed', () => {
    expect(byType('FAIL').length).toBeGreaterThan(0);
    for (const m of byType('FAIL')) {
      const msg = decoded(m);
      if (msg.type !== 'FAIL') throw new Error('not FAIL');
      expect([capture.nodes.n4.id, capture.nodes.n5.id]).toContain(msg.nodename);
    }
  });

  test('PUBLISH carries the channel and message given to PUBLISH; PUBLISHSHARD those given to SPUBLISH', () => {
    for (const m of byType('PUBLISH')) {
      const msg = decoded(m);
      if (msg.type !== 'PUBLISH') throw new Error('not PUBLISH');
      expect([msg.channel.toString('latin1'), msg.message.toString('latin1')]).toEqual(['news', 'hello from n1']);
    }
    const [shard] = byType('PUBLISHSHARD').map(decoded);
    if (shard.type !== 'PUBLISHSHARD') throw new Error('not PUBLISHSHARD');
    expect(shard.channel.toString('latin1')).toMatch(/^chan\d+$/);
    expect(shard.message.toString('latin1')).toBe('hello shard');
  });

  test('a replica asks for votes, with FORCEACK only in a manual failover; masters grant them', () => {
    for (const m of byType('FAILOVER_AUTH_REQUEST')) {
      const { header } = decoded(m);
      expect(header.flags & NODE_FLAGS.SLAVE, m.file).not.toBe(0);
      expect((header.mflags[0] & MESSAGE_FLAGS0.FORCEACK) !== 0, m.file).toBe(m.step === 'manual-failover');
    }
    for (const m of byType('FAILOVER_AUTH_ACK')) expect(decoded(m).header.flags & NODE_FLAGS.MASTER, m.file).not.toBe(0);
    const [mfstart] = byType('MFSTART');
    expect(mfstart.sender).toBe('n4');
    expect(decoded(mfstart).header.slaveof).toBe(capture.nodes.n3.id);
  });

  test('UPDATE tells a stale node who serves which slots, at which config epoch', () => {
    const updates = byType('UPDATE').map(decoded);
    expect(updates.length).toBeGreaterThan(0);
    for (const msg of updates) {
      if (msg.type !== 'UPDATE') throw new Error('not UPDATE');
      expect(ids.has(msg.nodename)).toBe(true);
      expect(msg.configEpoch > 0n).toBe(true);
      // n3's slots, whichever of n3 and n4 held them last.
      expect(slotRanges(msg.slots)).toEqual([[10923, 16383]]);
    }
  });

  test('MODULE carries the module\'s id, its message type and its bytes (Redis\'s hellocluster example)', () => {
    const modules = byType('MODULE').map((m) => ({ from: m.sender, msg: decoded(m) }));
    const seen = modules.map(({ from, msg }) => {
      if (msg.type !== 'MODULE') throw new Error('not MODULE');
      return [from, msg.moduleType, msg.payload.toString('latin1')];
    });
    expect(seen).toEqual([['m1', 1, 'Hey'], ['m2', 2, 'Ohi!']]);
    // Redis derives the id from the module's name (moduleTypeEncodeId), which gives 0 for a name not 9 characters long.
    expect(new Set(modules.map(({ msg }) => (msg.type === 'MODULE' ? msg.moduleId : null)))).toEqual(new Set([0n]));
  });
});
