import { describe, expect, test } from 'vitest';
import { payloadValue } from '../../../src/persistence/rdb/dump-payload.js';
import type { LoadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { RdbError } from '../../../src/codecs/rdb/rdb-error.js';
import { useSluice } from '../../helpers/fixture.js';
import { GOLDEN_72 } from './dump-golden.js';
import { payload } from './payloads.js';

/**
 * Damaged payloads whose checksum was made right again, so that they reach
 * the value parser: cut short at every offset, and bytes overwritten at
 * every offset. Each either loads as some value or fails with an RdbError
 * (RESTORE's `Bad data format`); nothing else may be thrown, and nothing
 * hangs or allocates beyond what the payload could hold.
 */

const LIMITS: LoadLimits = {
  list: -2,
  hash: { entries: 128, value: 64 },
  set: { intsetEntries: 512, listpackEntries: 128, listpackValue: 64 },
  zset: { entries: 128, value: 64 },
};

/** A stream of three nodes with a tombstone, two groups, pending entries and three consumers: Redis 7.2.6's payload without its footer. */
const STREAM_WITH_GROUPS = Buffer.from(
  [
    '150310000000000000000100000000000000013f3f0000001800020101010201816602816e0200010201000100018276310301010501030101010001',
    '82763203020105010201020100018276330303010501ff1000000000000000040000000000000001c3393f113f000000180003010001020181660281',
    '6e02400900002001068276340304010520170001600d02350305600d401d048276360306200d00ff1000000000000000070000000000000001373700',
    '00001300020100010201816602816e02000102010001000182763703070105010001010100010101856f74686572068178020601ff07080101010201',
    '0802026731050181ffffffffffffffff03000000000000000100000000000000018fea3d04a2010000010000000000000004000000000000000194ea',
    '3d04a2010000010000000000000005000000000000000194ea3d04a2010000010205616c6963658fea3d04a20100008fea3d04a20100000100000000',
    '00000001000000000000000103626f6294ea3d04a201000094ea3d04a201000002000000000000000400000000000000010000000000000005000000',
    '0000000001026732040181ffffffffffffffff01000000000000000400000000000000019eea3d04a20100000101056361726f6c9eea3d04a2010000',
    '9eea3d04a20100000100000000000000040000000000000001',
  ].join(''),
  'hex',
);

/** A seeded generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function values(): [string, Buffer][] {
  const out: [string, Buffer][] = Object.entries(GOLDEN_72).map(([name, hex]) => {
    const full = Buffer.from(hex, 'hex');
    return [name, full.subarray(0, full.length - 10)];
  });
  out.push(['stream with groups', STREAM_WITH_GROUPS]);
  return out;
}

function load(value: Buffer): 'loaded' | 'refused' {
  const p = Buffer.from(payload(value, 11), 'latin1');
  try {
    payloadValue(p, LIMITS);
    return 'loaded';
  } catch (e) {
    if (e instanceof RdbError) return 'refused';
    throw new Error(`not an RdbError: ${(e as Error).stack}`);
  }
}

describe('damaged payloads', () => {
  for (const [name, value] of values()) {
    test(`${name}: cut short at every offset`, () => {
      for (let cut = 0; cut < value.length; cut += Math.max(1, Math.floor(value.length / 400))) {
        expect(['loaded', 'refused']).toContain(load(value.subarray(0, cut)));
      }
    });

    test(`${name}: a byte overwritten at every offset`, () => {
      const next = rng(value.length);
      const step = Math.max(1, Math.floor(value.length / 300));
      for (let at = 0; at < value.length; at += step) {
        for (const b of [0x00, 0xff, 0x7f, 0x80, 0xc0, 0x3f, Math.floor(next() * 256)]) {
          const copy = Buffer.from(value);
          copy[at] = b;
          expect(['loaded', 'refused']).toContain(load(copy));
        }
      }
    });
  }

  test('a length of 2^32 - 1 or 2^64 - 1 is refused before anything is allocated for it', () => {
    for (const len of ['80ffffffff', '81ffffffffffffffff']) {
      for (const type of ['00', '01', '02', '03', '04', '05', '0e', '0f', '12', '13', '15']) {
        expect(load(Buffer.from(type + len + '00', 'hex'))).toBe('refused');
      }
    }
  });

  test('a module value and an unknown type are refused with their names', () => {
    expect(() => payloadValue(Buffer.from(payload(Buffer.from('0701', 'hex'), 11), 'latin1'), LIMITS)).toThrow(/module data of type 'AAAAAAAAA'.* at offset 1/);
    expect(() => payloadValue(Buffer.from(payload(Buffer.from('1a01', 'hex'), 11), 'latin1'), LIMITS)).toThrow(/unknown RDB value type 26 at offset 1/);
  });
});

describe('damaged payloads through RESTORE', () => {
  const sluice = useSluice({ conn: 'fresh' });

  test('get Bad data format or OK, and the server goes on serving', async () => {
    const next = rng(7);
    for (const [, value] of values()) {
      for (let i = 0; i < 20; i++) {
        const copy = Buffer.from(value);
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        const reply = await sluice.conn.call('RESTORE', 'k', '0', payload(copy, 11), 'REPLACE');
        expect([JSON.stringify({ t: 'simple', v: 'OK' }), JSON.stringify({ t: 'error', v: 'ERR Bad data format' })]).toContain(JSON.stringify(reply));
      }
    }
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });
});
