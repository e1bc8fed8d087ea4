import { describe, expect, it } from 'vitest';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { fillStringKeys, MAX_PAIRS } from '../../../src/scripting/lua/table-fill.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { seededInts } from '../../helpers/seeded.js';

/** What a table's layout is made of, and its traversal. */
function layout(t: LuaTable): unknown {
  const order: LuaValue[] = [];
  for (let e = t.next(undefined); e !== null; e = t.next(e[0])) order.push(e[0], e[1]);
  return { nk: t.nk, nv: t.nv, nn: t.nn, nh: t.nh, lastfree: t.lastfree, index: t.index === null ? null : [...t.index].sort(), shape: t.shape, order };
}

function oneByOne(keys: LuaValue[], values: LuaValue[]): LuaTable {
  const t = new LuaTable();
  for (let i = 0; i < keys.length; i++) t.rawSet(keys[i], values[i]);
  return t;
}

describe('fillStringKeys: string keys placed at once as rawSet places them one by one', () => {
  it('leaves the same node vector, chains, lastfree and next order for random keys at every count up to 300', () => {
    const int = seededInts(7);
    for (let n = 1; n <= 300; n++) {
      // Short keys from a small alphabet collide often in small vectors; some are long.
      const seen = new Set<string>();
      const keys: string[] = [];
      while (keys.length < n) {
        const len = int(10) < 9 ? 1 + int(4) : 20 + int(60);
        let k = '';
        for (let j = 0; j < len; j++) k += String.fromCharCode(97 + int(6));
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
      const values = keys.map((_, i) => i);
      const filled = new LuaTable();
      expect(fillStringKeys(filled, keys, values, n)).toBe(true);
      expect(layout(filled), `${n} keys`).toEqual(layout(oneByOne(keys, values)));
    }
  });

  it('declines, setting nothing, a key that is not a string, a nil value, a key given twice, more than MAX_PAIRS pairs', () => {
    const cases: [LuaValue[], LuaValue[]][] = [
      [['a', 1, 'b'], [1, 2, 3]],
      [['a', 'b'], [1, undefined]],
      [['a', 'b', 'a'], [1, 2, 3]],
      [Array.from({ length: MAX_PAIRS + 1 }, (_, i) => `k${i}`), Array.from({ length: MAX_PAIRS + 1 }, (_, i) => i)],
    ];
    for (const [keys, values] of cases) {
      const t = new LuaTable();
      expect(fillStringKeys(t, keys, values, keys.length)).toBe(false);
      expect(t.nk).toBeNull();
    }
    const t = new LuaTable();
    expect(fillStringKeys(t, [], [], 0)).toBe(true);
    expect(t.next(undefined)).toBeNull();
  });
});
