import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LineWriter, logWriter } from '../../src/server/log-writer.js';

describe('LineWriter', () => {
  test('lines wait, in order, for a reader that is behind, and past 16 MiB of them new ones are dropped', () => {
    const batches: string[] = [];
    // A reader that takes the first batch and never finishes reading it.
    const w = new LineWriter({ write: (data) => batches.push(data.toString()), writeSync: (data) => batches.push(data.toString()) });
    w.write('first\n');
    const line = 'x'.repeat(1023) + '\n';
    for (let i = 0; i < 20 * 1024; i++) w.write(line);
    w.write('dropped\n');
    w.flushSync();
    expect(batches[0]).toBe('first\n');
    expect(batches[1].length).toBe(16 * 1024 * 1024);
    expect(batches[1].endsWith(line)).toBe(true);
    expect(batches[1]).not.toContain('dropped');
  });

  test('a logfile has each line appended before write returns, as Redis appends each line before going on', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-log-'));
    try {
      const file = path.join(dir, 'server.log');
      const w = logWriter(file);
      for (let i = 0; i < 50; i++) {
        w.write(`line ${i}\n`);
        // Read at once: no event-loop turn, no thread-pool write in between.
        expect(readFileSync(file, 'utf8').split('\n').at(-2)).toBe(`line ${i}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
