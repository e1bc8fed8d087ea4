import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RdbReader } from '../../../src/codecs/rdb/reader.js';
import { loadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { MORE, parseRdb, rdbSteps, type ParsedRdb } from '../../../src/persistence/rdb/rdb-load.js';
import { StreamRdbReader } from '../../../src/persistence/rdb/stream-reader.js';
import { RdbError } from '../../../src/codecs/rdb/rdb-error.js';
import { seededInts } from '../../helpers/seeded.js';

const ASSETS = path.join(import.meta.dirname, 'redis-assets');
const config = { num: (name: string) => ({ 'list-max-listpack-size': -2 } as Record<string, number>)[name] ?? 128 };
const opts = { limits: loadLimits({ config } as never), databases: 16, now: Date.now() };

/** Every key a parse hands over: db, name, deadline and the value's type. */
type Seen = [number, string, number, string][];

function sink(seen: Seen) {
  return { library() {}, key: (db: number, key: string, value: { type: string }, deadline: number) => void seen.push([db, key, deadline, value.type]) };
}

/** Parses `bytes` fed in chunks of the sizes `sizes` draws, as a replica's diskless load receives them. */
function parseStreamed(bytes: Buffer, sizes: (n: number) => number): { parsed: ParsedRdb; seen: Seen; waits: number } {
  const reader = new StreamRdbReader();
  const seen: Seen = [];
  const steps = rdbSteps(reader, opts, sink(seen) as never, 4096);
  let at = 0;
  let waits = 0;
  for (;;) {
    const step = steps.next();
    if (step.done === true) return { parsed: step.value, seen, waits };
    if (step.value !== MORE) continue;
    waits++;
    if (at >= bytes.length) {
      reader.finish();
      continue;
    }
    const n = Math.min(bytes.length - at, 1 + sizes(64));
    reader.push(bytes.subarray(at, at + n));
    at += n;
  }
}

describe('StreamRdbReader: an RDB parsed as its bytes arrive', () => {
  for (const file of ['encodings.rdb', 'list-quicklist.rdb', 'hash-zipmap.rdb', 'hash-ziplist.rdb', 'zset-ziplist.rdb', 'scriptbackup.rdb']) {
    it(`${file} in small random chunks gives what the whole file gives`, () => {
      const bytes = readFileSync(path.join(ASSETS, file));
      const whole: Seen = [];
      const expected = parseRdb(new RdbReader(bytes), opts, sink(whole) as never);
      const { parsed, seen, waits } = parseStreamed(bytes, seededInts(file.length));
      expect(seen).toEqual(whole);
      expect(parsed.aux).toEqual(expected.aux);
      expect(parsed.end).toBe(expected.end);
      expect(waits).toBeGreaterThan(1);
    });
  }

  it('a snapshot cut short fails as truncated once no more bytes come', () => {
    const bytes = readFileSync(path.join(ASSETS, 'encodings.rdb'));
    const cut = bytes.subarray(0, bytes.length - 100);
    expect(() => parseStreamed(cut, () => 10)).toThrow(RdbError);
  });

  it('a flipped byte of the checksum fails it, as in a whole file', () => {
    const bytes = Buffer.from(readFileSync(path.join(ASSETS, 'list-quicklist.rdb')));
    bytes[bytes.length - 1] ^= 0xff;
    expect(() => parseStreamed(bytes, () => 7)).toThrow(/RDB CRC error/);
  });
});
