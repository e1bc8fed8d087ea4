import { describe, expect, test } from 'vitest';
import { EVAL_SCRIPTS_LIMIT, ScriptCache, type CachedScript } from '../../src/scripting/script-cache.js';
import type { LuaFunction } from '../../src/scripting/lua/index.js';

const fn = (() => []) as unknown as LuaFunction;
/** The cache keeps what it is given: the chunk is never looked at here. */
const chunk = {} as CachedScript['chunk'];

function script(n: number, evictable = true): CachedScript {
  const sha = n.toString(16).padStart(40, '0');
  return { sha, body: `return ${n}`, flags: {} as CachedScript['flags'], fn, chunk, generation: 0, evictable };
}

/** A cache filled to the limit with scripts EVAL added, and those scripts, oldest first. */
function full(): { cache: ScriptCache; added: CachedScript[] } {
  const cache = new ScriptCache();
  const added = Array.from({ length: EVAL_SCRIPTS_LIMIT }, (_, i) => script(i + 1));
  for (const s of added) cache.add(s);
  return { cache, added };
}

function bytes(scripts: CachedScript[]): number {
  return scripts.reduce((sum, s) => sum + s.body.length + s.sha.length, 0);
}

describe('the scripts cache', () => {
  test('past the limit the script EVAL used least recently goes, not the one added first', () => {
    const { cache, added } = full();
    // The first script is used again, so the second is now the least recently used.
    expect(cache.get(added[0].sha)).toBe(added[0]);
    cache.add(script(EVAL_SCRIPTS_LIMIT + 1));
    expect(cache.has(added[0].sha)).toBe(true);
    expect(cache.has(added[1].sha)).toBe(false);
    cache.add(script(EVAL_SCRIPTS_LIMIT + 2));
    expect(cache.has(added[2].sha)).toBe(false);
    expect(cache.size).toBe(EVAL_SCRIPTS_LIMIT);
  });

  test('peek does not count as a use', () => {
    const { cache, added } = full();
    expect(cache.peek(added[0].sha)).toBe(added[0]);
    cache.add(script(EVAL_SCRIPTS_LIMIT + 1));
    expect(cache.has(added[0].sha)).toBe(false);
  });

  test('a pinned script (SCRIPT LOAD) and a loaded one never go, nor count toward the limit', () => {
    const cache = new ScriptCache();
    const loaded = script(1, false);
    const pinned = script(2);
    cache.add(loaded);
    cache.add(pinned);
    cache.pin(pinned);
    expect(pinned.evictable).toBe(false);
    for (let i = 0; i < EVAL_SCRIPTS_LIMIT * 2; i++) cache.add(script(100 + i));
    expect(cache.get(loaded.sha)).toBe(loaded);
    expect(cache.get(pinned.sha)).toBe(pinned);
    expect(cache.size).toBe(EVAL_SCRIPTS_LIMIT + 2);
  });

  test('the bytes held follow what is added, evicted and flushed', () => {
    const cache = new ScriptCache();
    const added = Array.from({ length: EVAL_SCRIPTS_LIMIT + 3 }, (_, i) => script(i + 1));
    for (const s of added) cache.add(s);
    expect(cache.bodyBytes).toBe(bytes(added.slice(3)));
    cache.clear();
    expect(cache.bodyBytes).toBe(0);
    expect(cache.size).toBe(0);
    // A cleared cache keeps order again from scratch.
    for (const s of added.slice(0, 2)) cache.add(s);
    cache.get(added[0].sha);
    for (let i = 0; i < EVAL_SCRIPTS_LIMIT - 1; i++) cache.add(script(1000 + i));
    expect(cache.has(added[0].sha)).toBe(true);
    expect(cache.has(added[1].sha)).toBe(false);
  });
});
