import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { crc64 } from '../../../src/codecs/crc64.js';
import { RdbReader } from '../../../src/codecs/rdb/reader.js';
import { RdbWriter } from '../../../src/codecs/rdb/writer.js';
import { FileRdbReader } from '../../../src/persistence/rdb/file-reader.js';
import { seededInts } from '../../helpers/seeded.js';

/** Loading reads an RDB file a megabyte at a time: what it reads must be what a reader of the whole file reads. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-file-reader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fileOf(bytes: Buffer): { fd: number; size: number } {
  const file = path.join(dir, `f${Math.random()}`);
  fs.writeFileSync(file, bytes);
  return { fd: fs.openSync(file, 'r'), size: bytes.length };
}

describe('an RDB file read in windows', () => {
  test('gives the strings, views and checksum a reader of the whole file gives, across window boundaries and past the window size', () => {
    const next = seededInts(3);
    const lengths = Array.from({ length: 3000 }, () => (next(150) === 0 ? 200_000 + next(1_500_000) : next(3000)));
    const w = new RdbWriter(false);
    lengths.forEach((n, i) => w.string(String.fromCharCode(97 + (i % 26)).repeat(n)));
    const bytes = Buffer.from(w.result());
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
    const { fd, size } = fileOf(bytes);
    try {
      const whole = new RdbReader(bytes);
      const windowed = new FileRdbReader(fd, size);
      const views: [Buffer, Buffer][] = [];
      lengths.forEach((_, i) => {
        if (i % 3 === 0) views.push([whole.stringBytes(), windowed.stringBytes()]);
        else expect(windowed.string()).toBe(whole.string());
        expect(windowed.pos).toBe(whole.pos);
      });
      // Views handed out early still hold their bytes after many windows have come and gone.
      for (const [a, b] of views) expect(b.equals(a)).toBe(true);
      expect(windowed.checksumBefore(size)).toEqual(crc64(bytes));
      expect(windowed.checksumBefore(size)).toEqual(whole.checksumBefore(size));
    } finally {
      fs.closeSync(fd);
    }
  });

  test('a file that ends inside a value is unexpected end of data at that value', () => {
    const w = new RdbWriter(false);
    w.string('x'.repeat(3_000_000));
    const bytes = Buffer.from(w.result()).subarray(0, 2_000_000);
    const { fd, size } = fileOf(bytes);
    try {
      const r = new FileRdbReader(fd, size);
      expect(() => r.string()).toThrow('unexpected end of data at offset 5');
    } finally {
      fs.closeSync(fd);
    }
  });
});
