import { describe, expect, test } from 'vitest';
import { ReplicationBacklog } from '../../src/replication/backlog.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('the replication backlog', () => {
  test('holds the stream from the offset after the one it was created at', () => {
    const b = new ReplicationBacklog(16, 100);
    expect([b.firstOffset, b.lastOffset, b.histlen]).toEqual([101, 100, 0]);
    b.feed(bytes('hello'));
    expect([b.firstOffset, b.lastOffset, b.histlen]).toEqual([101, 105, 5]);
    expect(b.from(101).toString()).toBe('hello');
    expect(b.from(104).toString()).toBe('lo');
    expect(b.from(106).length).toBe(0);
    expect(b.holds(100)).toBe(false);
    expect(b.holds(107)).toBe(false);
  });

  test('keeps only the newest `size` bytes as it wraps, and reads across the wrap', () => {
    const b = new ReplicationBacklog(8, 0);
    b.feed(bytes('abcdef'));
    b.feed(bytes('ghijk'));
    expect([b.firstOffset, b.lastOffset, b.histlen]).toEqual([4, 11, 8]);
    expect(b.from(4).toString()).toBe('defghijk');
    expect(b.from(9).toString()).toBe('ijk');
    expect(() => b.from(3)).toThrow(RangeError);
  });

  test('a feed longer than the backlog leaves its tail', () => {
    const b = new ReplicationBacklog(4, 0);
    b.feed(bytes('xy'));
    b.feed(bytes('0123456789'));
    expect(b.from(b.firstOffset).toString()).toBe('6789');
    expect(b.firstOffset).toBe(9);
  });

  test('resizing keeps the newest history that fits', () => {
    const b = new ReplicationBacklog(8, 0);
    b.feed(bytes('abcdefghij'));
    b.resize(4);
    expect(b.from(b.firstOffset).toString()).toBe('ghij');
    b.resize(16);
    b.feed(bytes('KLM'));
    expect(b.from(b.firstOffset).toString()).toBe('ghijKLM');
  });

  test('matches a plain copy of the stream over random feeds and sizes', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 200; round++) {
      const size = 1 + rnd(64);
      const b = new ReplicationBacklog(size, 0);
      let all = '';
      for (let i = 0; i < 20; i++) {
        const chunk = 'x'.repeat(rnd(40)).replace(/x/g, () => String.fromCharCode(97 + rnd(26)));
        b.feed(bytes(chunk));
        all += chunk;
        const held = all.slice(Math.max(0, all.length - size));
        expect(b.from(b.firstOffset).toString()).toBe(held);
      }
    }
  });
});
