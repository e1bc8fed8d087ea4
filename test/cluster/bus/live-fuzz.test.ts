import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededInts } from '../../helpers/seeded.js';
import { RespClient } from '../../helpers/resp-client.js';
import { freePort, startSluice, type TestSluice } from '../../helpers/servers.js';
import { GOSSIP_ENTRY_LENGTH, GOSSIP_OFFSET, HEADER_LENGTH, OFFSET } from '../../../src/cluster/bus/layout.js';
import { CAPTURED_VERSIONS, loadCapture } from './captured.js';

/**
 * Messages real Redis nodes sent each other, damaged (fields overwritten,
 * cut short, lengths that lie, bytes appended) and sent to a live Sluice
 * node's bus port over many connections: the node drops what does not
 * decode and takes the rest as a peer's word, but must keep serving
 * clients and its own bus whatever arrives. The decoder alone is tested in
 * codec.test.ts; this goes through everything the node does with a message.
 */
const MESSAGES = Number(process.env.BUS_FUZZ_MESSAGES ?? 4000);

/**
 * Where the node would reach the senders and the nodes they gossip about: a
 * loopback address nothing listens on, so that the node's handshakes with
 * them are refused rather than reaching another test's servers on the
 * captured ports.
 */
const NOWHERE = '127.0.0.3';

function unreachable(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  if (b.length < OFFSET.myip + 46) return b;
  b.fill(0, OFFSET.myip, OFFSET.myip + 46).write(NOWHERE, OFFSET.myip, 'latin1');
  const type = b.readUInt16BE(OFFSET.type);
  // PING, PONG and MEET carry `count` gossip entries after the header.
  if (type <= 2) {
    for (let i = 0, at = HEADER_LENGTH; i < b.readUInt16BE(OFFSET.count) && at + GOSSIP_ENTRY_LENGTH <= b.length; i++, at += GOSSIP_ENTRY_LENGTH) {
      b.fill(0, at + GOSSIP_OFFSET.ip, at + GOSSIP_OFFSET.ip + 46).write(NOWHERE, at + GOSSIP_OFFSET.ip, 'latin1');
    }
  }
  return b;
}

/** Header fields whose bad values do harm: lengths, type, count, epochs, flags, the slot bitmap's ends, the ports. */
const HOT = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 32, 2214, 2215, 2216, 2232, 2250, 2251, 2252, 2253, 2254, 2255];

function damage(bytes: Buffer, next: (n: number) => number): Buffer {
  const b = Buffer.from(bytes);
  switch (next(7)) {
    case 0:
    case 1:
      for (let i = 0; i < 1 + next(3); i++) b[next(2) === 0 ? HOT[next(HOT.length)] % b.length : next(b.length)] = next(256);
      return b;
    case 2:
      return b.subarray(0, next(b.length));
    case 3: {
      const longer = Buffer.concat([b, Buffer.alloc(next(3000), next(256))]);
      longer.writeUInt32BE(longer.length, 4);
      return longer;
    }
    case 4:
      b.writeUInt32BE(next(2 ** 31), 4);
      return b;
    default:
      return b;
  }
}

describe('the bus port under damaged messages', () => {
  let node: TestSluice;
  let busPort: number;
  beforeAll(async () => {
    busPort = await freePort();
    node = await startSluice({ config: { 'cluster-enabled': 'yes', 'cluster-port': busPort, 'cluster-node-timeout': 2000 } });
  });
  afterAll(async () => {
    await node?.close();
  });

  test(`${MESSAGES} damaged captured messages leave the node serving`, async () => {
    const captured = CAPTURED_VERSIONS.flatMap((v) => loadCapture(v).messages.map((m) => unreachable(m.bytes)));
    const next = seededInts(0xb05);
    let sent = 0;
    while (sent < MESSAGES) {
      const sock = net.connect(busPort, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
      for (let i = 1 + next(40); i > 0 && sent < MESSAGES; i--, sent++) {
        const bytes = captured[next(captured.length)];
        sock.write(unreachable(next(7) === 0 ? bytes : damage(bytes, next)));
      }
      await new Promise((r) => setTimeout(r, 10));
      sock.destroy();
    }
    const client = await RespClient.connect(node.port);
    try {
      expect(await client.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      const info = await client.call('CLUSTER', 'INFO');
      expect(info.t).toBe('bulk');
      // The bus still takes a peer: a fresh connection gets the MEET answered with a PONG of Redis's length at least.
      const meet = captured.find((m) => m.readUInt16BE(12) === 2)!;
      const reply = await new Promise<Buffer>((resolve) => {
        const sock = net.connect(busPort, '127.0.0.1', () => sock.write(unreachable(meet)));
        let got = Buffer.alloc(0);
        sock.on('data', (d) => {
          got = Buffer.concat([got, d]);
          if (got.length >= 8 && got.length >= got.readUInt32BE(4)) {
            sock.destroy();
            resolve(got);
          }
        });
        sock.on('error', () => resolve(got));
      });
      expect(reply.subarray(0, 4).toString()).toBe('RCmb');
      expect(reply.length).toBeGreaterThanOrEqual(2256);
    } finally {
      client.close();
    }
  }, Math.max(20_000, MESSAGES * 3));
});
