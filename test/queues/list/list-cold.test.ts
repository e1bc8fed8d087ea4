import { describe, expect, test } from 'vitest';
import { ListValue } from '../../../src/queues/list/list-value.js';
import { Rng } from '../../fuzz/rng.js';
import { heapKeptBy } from '../../helpers/gc.js';

/** list-max-listpack-size's default: 8 KiB nodes. */
const DEFAULT_FILL = -2;

/**
 * A list built whole (ListValue.of: loading, RESTORE, SORT STORE) starts
 * cold, packed into one string, and turns into a deque on first use. Every
 * answer must be the one a list built by pushes gives, before and after.
 */

function contents(l: ListValue): string[] {
  const out: string[] = [];
  l.each((e) => out.push(e));
  return out;
}

const rebuild = (l: ListValue): string[][] => [...{ [Symbol.iterator]: () => l.rebuildCommands('k') }];

describe('a list built whole', () => {
  test('reads, clones, snapshots and rebuild commands of a cold list give what a pushed list gives', () => {
    const elements = ['a', '', 'x'.repeat(40), '12345', 'é\x00', 'tail'];
    const cold = ListValue.of(elements, DEFAULT_FILL);
    const pushed = new ListValue();
    for (const e of elements) pushed.pushBack(e);
    expect(cold.length).toBe(6);
    expect(contents(cold)).toEqual(elements);
    expect(cold.encoding()).toBe(pushed.encoding());
    expect(rebuild(cold)).toEqual(rebuild(pushed));
    expect(contents(cold.clone())).toEqual(elements);
    expect(cold.get(2)).toBe('x'.repeat(40));
    expect(contents(cold)).toEqual(elements);
  });

  test('a clone of a cold list is independent of it once either is written', () => {
    const a = ListValue.of(['1', '2', '3'], DEFAULT_FILL);
    const b = a.clone();
    a.pushBack('4');
    b.pop(true);
    expect(contents(a)).toEqual(['1', '2', '3', '4']);
    expect(contents(b)).toEqual(['2', '3']);
  });

  test('over 8 KiB of elements it goes straight into a deque and is a quicklist, as a list pushed with the same elements', () => {
    const big = Array.from({ length: 10 }, (_, i) => String(i).repeat(1000));
    const cold = ListValue.of(big, DEFAULT_FILL);
    const pushed = new ListValue();
    pushed.growing(big.reduce((n, e) => n + e.length, 0), big.length, DEFAULT_FILL);
    for (const e of big) pushed.pushBack(e);
    expect(cold.encoding()).toBe('quicklist');
    expect(cold.encoding()).toBe(pushed.encoding());
  });

  test('thousands of random operation sequences on cold lists match a plain array', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const rng = new Rng(seed);
      const model = Array.from({ length: rng.int(12) + 1 }, () => String(rng.int(5)).repeat(rng.int(20)));
      const l = ListValue.of(model, DEFAULT_FILL);
      for (let op = 0; op < 20 && model.length > 0; op++) {
        const where = `seed ${seed} op ${op}`;
        const i = rng.int(model.length);
        const v = `v${rng.int(5)}`;
        switch (rng.int(9)) {
          case 0: l.pushBack(v); model.push(v); break;
          case 1: l.pushFront(v); model.unshift(v); break;
          case 2: expect(l.pop(true), where).toBe(model.shift()); break;
          case 3: expect(l.pop(false), where).toBe(model.pop()); break;
          case 4: l.set(i, v); model[i] = v; break;
          case 5: l.insert(i, v); model.splice(i, 0, v); break;
          case 6: l.removeAt(i); model.splice(i, 1); break;
          case 7: {
            const target = model[i];
            const removed = model.filter((x) => x === target).length;
            expect(l.removeEqual(target, 0, rng.chance(0.5)), where).toBe(removed);
            for (let k = model.length - 1; k >= 0; k--) if (model[k] === target) model.splice(k, 1);
            break;
          }
          default: expect(l.get(i), where).toBe(model[i]);
        }
        expect(l.length, where).toBe(model.length);
      }
      expect(contents(l), `seed ${seed}`).toEqual(model);
    }
  });
});

/** A new list made the way LPUSH or RPUSH made one before ListValue.pushed: empty, told its growth, then pushed to. */
function pushedOneByOne(elements: readonly string[], fill: number): ListValue {
  const l = new ListValue();
  l.growing(elements.reduce((n, e) => n + e.length, 0), elements.length, fill);
  for (const e of elements) l.pushBack(e);
  return l;
}

describe('a list created by one push of several elements', () => {
  const sixteen = (i: number): string => `e${String(i).padStart(15, '0')}`;

  test('holds the elements and reports the encoding of a list pushed one element at a time, under any fill', () => {
    const shapes: [string, string[], number][] = [
      ['four short elements, 8 KiB nodes', ['a', 'bb', '7', 'dddd'], -2],
      ['over 8 KiB, 8 KiB nodes', Array.from({ length: 10 }, (_, i) => String(i).repeat(1000)), -2],
      ['three elements, nodes of 2', ['a', 'b', 'c'], 2],
      ['two elements, nodes of 2', ['a', 'b'], 2],
      ['129 elements (more than a cold list keeps)', Array.from({ length: 129 }, (_, i) => sixteen(i)), -2],
      ['elements of 4 KiB, 4 KiB nodes', ['x'.repeat(2000), 'y'.repeat(2100)], -1],
    ];
    for (const [what, elements, fill] of shapes) {
      const made = ListValue.pushed(elements, fill);
      const reference = pushedOneByOne(elements, fill);
      expect(contents(made), what).toEqual(elements);
      expect(made.encoding(), what).toBe(reference.encoding());
      made.pop(false);
      reference.pop(false);
      made.shrunk(fill);
      reference.shrunk(fill);
      expect(made.encoding(), `${what}, after a pop`).toBe(reference.encoding());
      expect(contents(made), `${what}, after a pop`).toEqual(elements.slice(0, -1));
    }
  });

  test('10,000 lists of four 16-byte elements keep under 250 bytes a list on the heap (about 500 as deques)', () => {
    const n = 10_000;
    const { bytes, kept } = heapKeptBy(() => Array.from({ length: n }, (_, i) => ListValue.pushed([sixteen(4 * i), sixteen(4 * i + 1), sixteen(4 * i + 2), sixteen(4 * i + 3)], -2)));
    expect(kept[n - 1].get(3)).toBe(sixteen(4 * n - 1));
    expect(bytes / n).toBeLessThan(250);
  });
});
