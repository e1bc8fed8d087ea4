import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLUSTER_SLOTS, crc16, keyHashSlot } from '../../src/keyspace/key-slot.js';
import { RespClient } from '../helpers/resp-client.js';
import { seededInts } from '../helpers/seeded.js';
import { redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

describe('CRC16 and the key → slot rule', () => {
  test('CRC16 is XMODEM: the check value of "123456789" is 0x31c3', () => {
    expect(crc16('123456789')).toBe(0x31c3);
  });

  test('the slots the Redis Cluster specification gives for its examples', () => {
    expect(keyHashSlot('foo')).toBe(12182);
    expect(keyHashSlot('{user1000}.following')).toBe(keyHashSlot('user1000'));
    expect(keyHashSlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') & 16383);
    expect(keyHashSlot('foo{{bar}}zap')).toBe(keyHashSlot('{bar'));
    expect(keyHashSlot('foo{bar}{zap}')).toBe(keyHashSlot('bar'));
  });

  test('an empty or unclosed tag hashes the whole key', () => {
    expect(keyHashSlot('a{}b')).toBe(crc16('a{}b') & 16383);
    expect(keyHashSlot('a{b')).toBe(crc16('a{b') & 16383);
    expect(keyHashSlot('}a{')).toBe(crc16('}a{') & 16383);
  });

  test('the sliced CRC16 is the byte-at-a-time one, at every length and start', () => {
    const bytewise = (s: string, start: number, end: number): number => {
      let crc = 0;
      for (let i = start; i < end; i++) {
        crc ^= s.charCodeAt(i) << 8;
        for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
      return crc;
    };
    const next = seededInts(16);
    let text = '';
    for (let i = 0; i < 64; i++) text += String.fromCharCode(next(256));
    for (let start = 0; start < 5; start++) {
      for (let end = start; end <= text.length; end++) expect(crc16(text, start, end), `${start}-${end}`).toBe(bytewise(text, start, end));
    }
  });

  test('every slot is below 16384', () => {
    expect(keyHashSlot('\xff'.repeat(1000))).toBeLessThan(CLUSTER_SLOTS);
  });
});

/** Keys that exercise each branch of the tag rule, then seeded random ones with binary bytes. */
function sampleKeys(): string[] {
  const keys = [
    '', '{', '}', '{}', '}{', '{}}', '{{}}', 'a{b}{c}', 'a{}b{c}', '{a}', 'a{b', 'a}b{c', '{{a}}', '{}a}', 'x{\x00}y',
    'foo', '123456789', '{user1000}.following', '{user1000}.followers', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}',
    '\x00', '\xff\xfe{\x80}', '{\xff}', 'k'.repeat(10000), `{tag}${'v'.repeat(5000)}`, `${'w'.repeat(3000)}{}`,
  ];
  const next = seededInts(64);
  const alphabet = 'ab{}\x00\xff\x7f';
  for (let i = 0; i < 300; i++) {
    let k = '';
    const len = next(24);
    const binary = i % 2 === 0;
    for (let j = 0; j < len; j++) k += binary ? String.fromCharCode(next(256)) : alphabet[next(alphabet.length)];
    keys.push(k);
  }
  return keys;
}

describe.skipIf(redisServerPath === null)('CLUSTER KEYSLOT (differential vs redis-server)', () => {
  let redis: RealRedis;
  let client: RespClient;

  beforeAll(async () => {
    redis = await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']);
    client = await RespClient.connect(redis.port);
  });

  afterAll(async () => {
    client?.close();
    await redis?.stop();
  });

  test('the slot of every sample key is the one Redis computes', async () => {
    const mismatches: string[] = [];
    for (const key of sampleKeys()) {
      const reply = await client.call('CLUSTER', 'KEYSLOT', key);
      const ours = keyHashSlot(key);
      if (reply.t !== 'int' || Number(reply.v) !== ours) mismatches.push(`${JSON.stringify(key.slice(0, 40))}: redis ${JSON.stringify(reply)}, ours ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });
});
