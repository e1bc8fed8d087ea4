import { describe, expect, test } from 'vitest';
import { Group } from '../../../src/queues/stream/group.js';
import { formatId, type StreamId } from '../../../src/queues/stream/id.js';
import { radixTreeNodes } from '../../../src/queues/stream/rax-nodes.js';
import { constants } from 'node:buffer';
import { entryFits, StreamValue } from '../../../src/queues/stream/stream.js';

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
    expect(entryFits(['f', 'v'], 2)).toBe(true);
    expect(entryFits(['f', 'v'], constants.MAX_STRING_LENGTH - 200)).toBe(true);
    expect(entryFits(['f', 'v'], constants.MAX_STRING_LENGTH - 50)).toBe(false);
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
