import { describe, expect, test } from 'vitest';
import { LineWriter } from '../../src/server/log-writer.js';

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
});
