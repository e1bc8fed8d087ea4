import { describe, expect, test } from 'vitest';
import { decodeBusMessage } from '../../../src/cluster/bus/decode.js';
import { encodeBusMessage } from '../../../src/cluster/bus/encode.js';
import { MESSAGE_FLAGS0, NODE_FLAGS } from '../../../src/cluster/bus/flags.js';
import type { BusHeader } from '../../../src/cluster/bus/header.js';
import { HEADER_LENGTH, OFFSET, UPDATE_LENGTH } from '../../../src/cluster/bus/layout.js';
import type { BusMessage, DecodeResult } from '../../../src/cluster/bus/message.js';
import { seededInts } from '../../helpers/seeded.js';
import { CAPTURED_VERSIONS, loadCapture } from './captured.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function header(over: Partial<BusHeader> = {}): BusHeader {
  const myslots = new Uint8Array(2048);
  myslots[0] = 0b101; // slots 0 and 2
  return {
    port: 7000, currentEpoch: 5n, configEpoch: 3n, offset: 123456789012n, sender: A, myslots, slaveof: null, myip: '10.0.0.1',
    pport: 7443, cport: 17000, flags: NODE_FLAGS.MASTER, state: 0, mflags: [0, 0, 0], ...over,
  };
}

const gossip = { nodename: B, pingSent: 1, pongReceived: 2, ip: '10.0.0.2', port: 7001, cport: 17001, flags: NODE_FLAGS.SLAVE, pport: 0 };

function decodeOk(buf: Buffer): BusMessage {
  const r = decodeBusMessage(buf);
  if (!r.ok) throw new Error(r.error);
  return r.message;
}

const errorOf = (r: DecodeResult) => (r.ok ? null : r.error);

/** A ping of `extensionBytes` extension data with the EXT_DATA flag and `count` extensions declared. */
function pingWithRawExtensions(extensionBytes: Buffer, count: number): Buffer {
  const buf = Buffer.concat([encodeBusMessage({ type: 'PING', header: header({ mflags: [MESSAGE_FLAGS0.EXT_DATA, 0, 0] }), gossip: [], extensions: [] }), extensionBytes]);
  buf.writeUInt32BE(buf.length, OFFSET.totlen);
  buf.writeUInt16BE(count, OFFSET.extensions);
  return buf;
}

function rawExtension(length: number, type: number, payload = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(Math.max(8, 8 + payload.length));
  b.writeUInt32BE(length, 0);
  b.writeUInt16BE(type, 4);
  payload.copy(b, 8);
  return b;
}

describe('encoding and decoding every message type', () => {
  const messages: BusMessage[] = [
    {
      type: 'PING', header: header(), gossip: [gossip, { ...gossip, nodename: A }],
      extensions: [
        { type: 'HOSTNAME', hostname: 'host.example' },
        { type: 'HUMAN_NODENAME', humanNodename: 'seven' },
        { type: 'FORGOTTEN_NODE', name: B, ttl: 59n },
        { type: 'SHARDID', shardId: 'c'.repeat(40) },
        { type: 'UNKNOWN', code: 99, payload: Buffer.from('12345678') },
      ],
    },
    { type: 'PONG', header: header({ slaveof: B, flags: NODE_FLAGS.SLAVE }), gossip: [], extensions: [] },
    { type: 'MEET', header: header(), gossip: [gossip], extensions: [{ type: 'SHARDID', shardId: 'c'.repeat(40) }] },
    { type: 'FAIL', header: header(), nodename: B },
    { type: 'PUBLISH', header: header(), channel: Buffer.from('news'), message: Buffer.from([0, 255, 13, 10]) },
    { type: 'PUBLISHSHARD', header: header(), channel: Buffer.alloc(0), message: Buffer.alloc(0) },
    { type: 'FAILOVER_AUTH_REQUEST', header: header({ mflags: [MESSAGE_FLAGS0.FORCEACK, 0, 0] }) },
    { type: 'FAILOVER_AUTH_ACK', header: header() },
    { type: 'MFSTART', header: header() },
    { type: 'UPDATE', header: header(), configEpoch: 9n, nodename: B, slots: new Uint8Array(2048).fill(0xff) },
    { type: 'MODULE', header: header(), moduleId: 0x1234567890abcdefn, moduleType: 7, payload: Buffer.from('module data') },
    { type: 'UNKNOWN', code: 11, header: header(), body: Buffer.from('from a future Redis') },
  ];

  test.each(messages.map((m) => [m.type, m] as const))('%s survives a round trip', (_type, msg) => {
    const bytes = encodeBusMessage(msg);
    const back = decodeOk(bytes);
    const expected = 'extensions' in msg && msg.extensions.length > 0
      ? { ...msg, header: { ...msg.header, mflags: [msg.header.mflags[0] | MESSAGE_FLAGS0.EXT_DATA, 0, 0] } }
      : msg;
    expect(back).toEqual(expected);
    expect(encodeBusMessage(back).equals(bytes)).toBe(true);
  });

  test('the lengths clusterProcessPacket expects', () => {
    const length = (type: string) => encodeBusMessage(messages.find((m) => m.type === type)!).length;
    expect(length('FAIL')).toBe(2296);
    expect(length('PUBLISH')).toBe(2256 + 8 + 4 + 4);
    expect(length('FAILOVER_AUTH_REQUEST')).toBe(2256);
    expect(length('UPDATE')).toBe(4352);
    expect(length('MODULE')).toBe(2256 + 13 + 11);
    // Two gossip entries; hostname 13+pad → 16, human nodename 6 → 8, forgotten 48, shard id 40, unknown 8: each plus an 8-byte header.
    expect(length('PING')).toBe(2256 + 2 * 104 + 24 + 16 + 56 + 48 + 16);
  });

  test('the header is written at Redis\'s offsets, big-endian', () => {
    const bytes = encodeBusMessage(messages.find((m) => m.type === 'FAIL')!);
    expect(bytes.toString('latin1', 0, 4)).toBe('RCmb');
    expect(bytes.readUInt32BE(4)).toBe(2296);
    expect(bytes.readUInt16BE(8)).toBe(1);
    expect(bytes.readUInt16BE(10)).toBe(7000);
    expect(bytes.readUInt16BE(12)).toBe(3);
    expect(bytes.readBigUInt64BE(16)).toBe(5n);
    expect(bytes.readBigUInt64BE(32)).toBe(123456789012n);
    expect(bytes.toString('latin1', 40, 80)).toBe(A);
    expect(bytes[80]).toBe(0b101);
    expect(bytes.subarray(2128, 2168).every((b) => b === 0)).toBe(true);
    expect(bytes.toString('latin1', 2168, 2176)).toBe('10.0.0.1');
    expect([bytes.readUInt16BE(2246), bytes.readUInt16BE(2248), bytes.readUInt16BE(2250)]).toEqual([7443, 17000, 1]);
    expect(bytes.toString('latin1', 2256)).toBe(B);
  });

  test('a field too wide for the wire is the caller\'s error', () => {
    expect(() => encodeBusMessage({ type: 'MFSTART', header: header({ sender: 'short' }) })).toThrow(RangeError);
    expect(() => encodeBusMessage({ type: 'MFSTART', header: header({ myip: 'x'.repeat(47) }) })).toThrow(RangeError);
  });
});

describe('decoding refuses what clusterProcessPacket refuses', () => {
  const mfstart = () => encodeBusMessage({ type: 'MFSTART', header: header() });
  const withUInt32 = (buf: Buffer, at: number, v: number) => { buf.writeUInt32BE(v, at); return buf; };

  test('a message shorter than the header, or with a bad signature, totlen or version', () => {
    expect(errorOf(decodeBusMessage(Buffer.alloc(10)))).toMatch(/shorter than the 2256-byte header/);
    const badSig = mfstart();
    badSig.write('RCmc', 0, 'latin1');
    expect(errorOf(decodeBusMessage(badSig))).toMatch(/signature/);
    expect(errorOf(decodeBusMessage(withUInt32(mfstart(), 4, 2257)))).toMatch(/totlen 2257 is not the message's 2256 bytes/);
    const v2 = mfstart();
    v2.writeUInt16BE(2, 8);
    expect(errorOf(decodeBusMessage(v2))).toMatch(/protocol version 2/);
  });

  test('each fixed-length type at any other length', () => {
    const longer = (msg: BusMessage) => {
      const b = Buffer.concat([encodeBusMessage(msg), Buffer.alloc(8)]);
      return withUInt32(b, 4, b.length);
    };
    expect(errorOf(decodeBusMessage(longer({ type: 'MFSTART', header: header() })))).toBe('MFSTART message of 2264 bytes, expected 2256');
    expect(errorOf(decodeBusMessage(longer({ type: 'FAILOVER_AUTH_ACK', header: header() })))).toMatch(/expected 2256/);
    expect(errorOf(decodeBusMessage(longer({ type: 'FAIL', header: header(), nodename: B })))).toBe('FAIL message of 2304 bytes, expected 2296');
    expect(errorOf(decodeBusMessage(longer({ type: 'UPDATE', header: header(), configEpoch: 1n, nodename: B, slots: new Uint8Array(2048) }))))
      .toBe(`UPDATE message of ${UPDATE_LENGTH + 8} bytes, expected ${UPDATE_LENGTH}`);
    const shortFail = withUInt32(mfstart(), 12, 0);
    shortFail.writeUInt16BE(3, 12);
    expect(errorOf(decodeBusMessage(shortFail))).toBe('FAIL message of 2256 bytes, expected 2296');
  });

  test('PUBLISH and MODULE whose lengths disagree with the message, or which cannot hold them', () => {
    const pub = encodeBusMessage({ type: 'PUBLISH', header: header(), channel: Buffer.from('ch'), message: Buffer.from('msg') });
    expect(errorOf(decodeBusMessage(withUInt32(Buffer.from(pub), HEADER_LENGTH, 3)))).toMatch(/PUBLISH message of 2269 bytes, expected 2270/);
    // 0xffffffff + 6 wraps to 5 in Redis's 32-bit sum; here it is simply too long.
    const wrap = withUInt32(withUInt32(Buffer.from(pub), HEADER_LENGTH, 0xffffffff), HEADER_LENGTH + 4, 6);
    expect(errorOf(decodeBusMessage(wrap))).toMatch(/expected 4294969565/);
    const tooShort = mfstart();
    tooShort.writeUInt16BE(4, 12);
    expect(errorOf(decodeBusMessage(tooShort))).toMatch(/cannot hold its two lengths/);
    tooShort.writeUInt16BE(9, 12);
    expect(errorOf(decodeBusMessage(tooShort))).toMatch(/MODULE .* cannot hold its module id/);
    const mod = encodeBusMessage({ type: 'MODULE', header: header(), moduleId: 1n, moduleType: 0, payload: Buffer.from('abc') });
    expect(errorOf(decodeBusMessage(withUInt32(mod, HEADER_LENGTH + 8, 4)))).toMatch(/MODULE message of 2272 bytes, expected 2273/);
  });

  test('a ping whose gossip count does not fit, or whose bytes outlast its gossip and extensions', () => {
    const ping = encodeBusMessage({ type: 'PING', header: header(), gossip: [gossip], extensions: [] });
    const tooMany = Buffer.from(ping);
    tooMany.writeUInt16BE(2, OFFSET.count);
    expect(errorOf(decodeBusMessage(tooMany))).toMatch(/cannot hold its 2 gossip entries/);
    // Extensions without EXT_DATA are not read, so their bytes make the ping too long.
    const unflagged = pingWithRawExtensions(rawExtension(48, 3, Buffer.alloc(40, 0x61)), 1);
    unflagged[OFFSET.mflags] = 0;
    expect(errorOf(decodeBusMessage(unflagged))).toBe('PING message of 2304 bytes, expected 2256');
  });

  test('ping extensions that are unpadded, overlong, shorter than their header or their fields, or missing', () => {
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(12, 0, Buffer.from('abcd')), 1)))).toMatch(/not padded to 8 bytes \(length 12\)/);
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(64, 0, Buffer.from('abcdefgh')), 1)))).toMatch(/runs past the end/);
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(0, 0), 1)))).toMatch(/shorter than its header/);
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(16, 3, Buffer.alloc(8, 0x61)), 1)))).toMatch(/shard-id extension 0 is too short/);
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(48, 2, Buffer.alloc(40, 0x61)), 1)))).toMatch(/forgotten-node extension 0 is too short/);
    expect(errorOf(decodeBusMessage(pingWithRawExtensions(rawExtension(8, 0), 2)))).toMatch(/extension 1 starts past the end/);
  });

  test('an unknown extension type is skipped over and kept; a hostname without its NUL stops at its extension\'s end', () => {
    const bytes = pingWithRawExtensions(Buffer.concat([rawExtension(16, 42, Buffer.from('whatever')), rawExtension(16, 0, Buffer.from('8charsxx'))]), 2);
    expect(decodeOk(bytes)).toMatchObject({
      extensions: [{ type: 'UNKNOWN', code: 42, payload: Buffer.from('whatever') }, { type: 'HOSTNAME', hostname: '8charsxx' }],
    });
  });

  test('an unknown message type is accepted at any length', () => {
    const bytes = mfstart();
    bytes.writeUInt16BE(500, OFFSET.type);
    expect(decodeOk(bytes)).toMatchObject({ type: 'UNKNOWN', code: 500, body: Buffer.alloc(0) });
  });

  test('no truncation or corruption of a captured message makes the decoder throw', () => {
    const next = seededInts(2256);
    for (const version of CAPTURED_VERSIONS) {
      for (const { bytes } of loadCapture(version).messages) {
        for (const cut of [0, 7, 8, 2255, bytes.length - 1]) expect(decodeBusMessage(bytes.subarray(0, cut)).ok).toBe(false);
        for (let round = 0; round < 20; round++) {
          const mutated = Buffer.from(bytes);
          for (let i = 0; i < 4; i++) {
            // Mostly the length and count fields, where a bad value does harm.
            const at = next(2) === 0 ? [4, 5, 6, 7, 12, 13, 14, 15, 2214, 2215, 2253][next(11)] : next(mutated.length);
            mutated[at] = next(256);
          }
          // Half the rounds keep totlen true, so that decoding goes past the first check.
          if (round % 2 === 0) mutated.writeUInt32BE(mutated.length, 4);
          expect(() => decodeBusMessage(mutated)).not.toThrow();
        }
      }
    }
  });
});
