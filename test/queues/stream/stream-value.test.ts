import { describe, expect, test } from 'vitest';
import { Group } from '../../../src/queues/stream/group.js';
import { formatId, type StreamId } from '../../../src/queues/stream/id.js';
import { radixTreeNodes } from '../../../src/queues/stream/rax-nodes.js';
import { constants } from 'node:buffer';
import { entryFits, StreamValue } from '../../../src/queues/stream/stream-value.js';

const LIMITS = { maxBytes: 4096, maxEntries: 3 };
const id = (ms: number, seq = 0): StreamId => ({ ms, seq });

function build(n: number): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= n; i++) s.append(id(i), ['f', String(i)], LIMITS);
  return s;
}

const commands = (s: { rebuildCommands(key: string): Iterator<string[]> }): string[] => {
  const out: string[] = [];
  const it = s.rebuildCommands('k');
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value.join(' '));
  return out;
};

describe('the stream value', () => {
  test('walks that start where the last one stopped, or anywhere else, give what a walk from the start gives, through deletions, appends and trims', () => {
    const s = new StreamValue();
    const limits = { maxBytes: 4096, maxEntries: 100 };
    let model: number[] = [];
    let next = 1;
    const add = (n: number) => {
      for (let i = 0; i < n; i++, next++) {
        s.append(id(next), ['f', String(next)], limits);
        model.push(next);
      }
    };
    add(350);
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let start = 1;
    for (let step = 0; step < 2_000; step++) {
      // Mostly readers of new entries, ten after the last; now and then a jump back, a deletion, more entries or a trim.
      const r = rand(20);
      if (r === 0) start = model[0] ?? 1;
      else if (r === 1 && model.length > 0) {
        const victim = model[rand(model.length)];
        s.delete(id(victim));
        model = model.filter((x) => x !== victim);
      } else if (r === 2) add(1 + rand(30));
      else if (r === 3) {
        s.trim('maxlen', 300, id(0), false, 0);
        model = model.slice(-300);
      }
      const got: number[] = [];
      for (const e of s.range(id(start))) {
        got.push(Number(e.id.ms));
        if (got.length === 10) break;
      }
      expect(got).toEqual(model.filter((x) => x >= start).slice(0, 10));
      start = got.length === 10 ? got[9] + 1 : start;
      if (got.length < 10) add(10);
    }
  });

  test('a snapshot keeps rebuilding the stream as it was while the stream goes on changing', () => {
    const s = build(7);
    const g = new Group('g', id(2), 2);
    s.groups = new Map([['g', g]]);
    const snap = s.snapshot();
    const before = commands(snap);
    s.append(id(8), ['f', '8'], LIMITS);
    s.delete(id(3));
    s.trim('maxlen', 3, id(0), false, 0);
    g.lastId = id(8);
    s.groups.delete('g');
    expect(commands(snap)).toEqual(before);
    expect(before).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `XADD k ${i + 1}-0 f ${i + 1}`),
      'XSETID k 7-0 ENTRIESADDED 7 MAXDELETEDID 0-0',
      'XGROUP CREATE k g 2-0 ENTRIESREAD 2',
    ]);
    expect(Array.from(s.range(), (e) => formatId(e.id))).toEqual(['6-0', '7-0', '8-0']);
  });

  test('a clone and its original change independently, block by block', () => {
    const s = build(6);
    const copy = s.clone();
    copy.delete(id(1));
    s.append(id(7), ['f', '7'], LIMITS);
    copy.append(id(9), ['other', 'x'], LIMITS);
    expect(Array.from(s.range(), (e) => formatId(e.id))).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0', '6-0', '7-0']);
    expect(Array.from(copy.range(), (e) => [formatId(e.id), e.reader.pairs()])).toEqual([
      ['2-0', ['f', '2']], ['3-0', ['f', '3']], ['4-0', ['f', '4']], ['5-0', ['f', '5']], ['6-0', ['f', '6']], ['9-0', ['other', 'x']],
    ]);
  });

  test('an empty stream rebuilds as XADD MAXLEN 0 of a dummy entry, then XSETID', () => {
    const s = build(1);
    s.delete(id(1));
    s.maxDeletedId = id(1);
    expect(commands(s.snapshot())).toEqual(['XADD k MAXLEN 0 0-1 x y', 'XSETID k 1-0 ENTRIESADDED 1 MAXDELETEDID 1-0']);
  });

  test("an entry fits a node only within V8's longest string, length prefixes included", () => {
    expect(entryFits(2, 2)).toBe(true);
    expect(entryFits(2, constants.MAX_STRING_LENGTH - 200)).toBe(true);
    expect(entryFits(2, constants.MAX_STRING_LENGTH - 50)).toBe(false);
  });

  test("the radix tree's node count follows Redis's compressed nodes", () => {
    const key = (ms: number) => String.fromCharCode(0, 0, 0, 0, 0, 0, ms >> 8, ms & 255, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(radixTreeNodes([])).toBe(1);
    expect(radixTreeNodes([key(1)])).toBe(2);
    // A shared prefix node, a fork, and two tails with their leaves.
    expect(radixTreeNodes([key(1), key(2)])).toBe(6);
    // What redis-server 7.2 reports for IDs 1-0, 2-0 and 258-0 in nodes of one entry.
    expect(radixTreeNodes([key(1), key(2), key(258)])).toBe(9);
  });
});
