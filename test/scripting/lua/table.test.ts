import { describe, expect, test } from 'vitest';
import { LuaError } from '../../../src/scripting/lua/errors.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';

/**
 * LuaTable against a plain Map as the model: random assignments of keys of
 * every kind (small and large integers, floats, strings, booleans, tables),
 * deletions by nil, and after each step the same lookups, a border for #,
 * and a traversal that visits each key once.
 */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const objects = [new LuaTable(), new LuaTable(), () => 1];

function randomKey(r: () => number): LuaValue {
  const p = r();
  if (p < 0.45) return 1 + Math.floor(r() * 40);
  if (p < 0.55) return Math.floor(r() * 2 ** 40) - 2 ** 39;
  if (p < 0.65) return Math.floor(r() * 100) / 4;
  if (p < 0.85) return 'k' + Math.floor(r() * 30);
  if (p < 0.9) return r() < 0.5;
  return objects[Math.floor(r() * objects.length)];
}

function check(t: LuaTable, model: Map<LuaValue, LuaValue>): void {
  for (const [k, v] of model) expect(t.get(k)).toBe(v);
  const n = t.length();
  if (n === 0) expect(t.get(1)).toBeUndefined();
  else {
    expect(t.get(n)).not.toBeUndefined();
    expect(t.get(n + 1)).toBeUndefined();
  }
  const seen = new Map<LuaValue, LuaValue>();
  for (let e = t.next(undefined); e !== null; e = t.next(e[0])) {
    expect(seen.has(e[0])).toBe(false);
    seen.set(e[0], e[1]);
  }
  expect(seen).toEqual(model);
}

describe('LuaTable', () => {
  test('behaves as a map with borders for # under thousands of random assignments', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const t = new LuaTable();
      const model = new Map<LuaValue, LuaValue>();
      for (let step = 0; step < 300; step++) {
        const k = randomKey(r);
        const v: LuaValue = r() < 0.3 ? undefined : step;
        t.set(k, v);
        if (v === undefined) model.delete(typeof k === 'number' && Object.is(k, -0) ? 0 : k);
        else model.set(typeof k === 'number' && Object.is(k, -0) ? 0 : k, v);
        if (step % 25 === 0) check(t, model);
      }
      check(t, model);
    }
  });

  test('1 and 1.0 are one key, as are 0 and -0; nil and NaN cannot be keys', () => {
    const t = new LuaTable();
    t.set(1, 'a');
    t.set(1.0, 'b');
    t.set(-0, 'z');
    expect(t.get(1)).toBe('b');
    expect(t.get(0)).toBe('z');
    expect(() => t.set(undefined, 1)).toThrow(new LuaError('table index is nil'));
    expect(() => t.set(NaN, 1)).toThrow(new LuaError('table index is NaN'));
    expect(t.get(NaN)).toBeUndefined();
  });

  test('a readonly table refuses set but not rawSet (the host filling its own tables)', () => {
    const t = new LuaTable();
    t.readonly = true;
    expect(() => t.set('x', 1)).toThrow(new LuaError('Attempt to modify a readonly table'));
    t.rawSet('x', 1);
    expect(t.getStr('x')).toBe(1);
  });

  test('a sequence grows its array part as Lua does, doubling', () => {
    const t = new LuaTable();
    const sizes: number[] = [];
    for (let i = 1; i <= 17; i++) {
      t.set(i, i);
      sizes.push(t.arr.length);
    }
    expect(sizes).toEqual([1, 2, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 32]);
    expect(t.nodeSize()).toBe(0);
    expect(t.length()).toBe(17);
  });

  test("next raises Lua's error for a key the table does not hold", () => {
    const t = LuaTable.fromArray([1, 2]);
    expect(() => t.next('nope')).toThrow(new LuaError("invalid key to 'next'"));
  });

  test('fromArray lays out 1..n in an array part of the next power of two (KEYS, ARGV, replies)', () => {
    const argv = ['EVAL', 'body', '2', 'k1', 'k2', 'a1', 'a2', 'a3'];
    const keys = LuaTable.fromArray(argv, 3, 5);
    const args = LuaTable.fromArray(argv, 5);
    expect([keys.length(), args.length()]).toEqual([2, 3]);
    expect([keys.arr.length, args.arr.length]).toEqual([2, 4]);
    expect([args.get(1), args.get(3), args.get(4)]).toEqual(['a1', 'a3', undefined]);
    const order: LuaValue[] = [];
    for (let e = args.next(undefined); e !== null; e = args.next(e[0])) order.push(e[1]);
    expect(order).toEqual(['a1', 'a2', 'a3']);
    expect(LuaTable.fromArray(argv, 8).length()).toBe(0);
    expect(LuaTable.fromArray(argv, 6, 4).length()).toBe(0);
  });

  test('a resize that fails midway (V8 out of stack) leaves the table as it was', () => {
    const t = new LuaTable();
    const model = new Map<LuaValue, LuaValue>();
    for (let i = 1; i <= 6; i++) model.set(i, `a${i}`);
    for (let i = 0; i < 8; i++) model.set(`k${i}`, i);
    for (const [k, v] of model) t.rawSet(k, v);
    const order: LuaValue[] = [];
    for (let e = t.next(undefined); e !== null; e = t.next(e[0])) order.push(e[0]);
    // The third entry put back throws, as a call at the stack's limit does.
    let calls = 0;
    const rawSet = t.rawSet.bind(t);
    t.rawSet = (k: LuaValue, v: LuaValue): void => {
      if (++calls === 3) throw new RangeError('Maximum call stack size exceeded');
      rawSet(k, v);
    };
    expect(() => t.resize(2, 32)).toThrow(RangeError);
    delete (t as { rawSet?: unknown }).rawSet;
    check(t, model);
    const after: LuaValue[] = [];
    for (let e = t.next(undefined); e !== null; e = t.next(e[0])) after.push(e[0]);
    expect(after).toEqual(order);
    // And it still grows as before.
    t.rawSet('k8', 8);
    model.set('k8', 8);
    check(t, model);
  });
});
