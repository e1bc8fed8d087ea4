import { describe, expect, test } from 'vitest';
import { ChunkCache, SHARED_CHUNKS } from '../../../src/scripting/lua/chunk-cache.js';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { raised } from './helpers/raised.js';
import { LuaSyntaxError } from '../../../src/scripting/lua/errors.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';

/** Compiled chunks shared by every engine in the process (chunk-cache.ts). */

describe('the shared chunk cache', () => {
  test('two engines compiling the same script get one compiled chunk, each running it over its own state', () => {
    const source = 'counter = (counter or 0) + 1; return counter';
    const a = new LuaEngine();
    const b = new LuaEngine();
    const chunk = a.compile(source, '@user_script');
    expect(b.compile(source, '@user_script')).toBe(chunk);
    const runA = a.load(chunk);
    expect(a.call(runA)).toEqual([1]);
    expect(a.call(runA)).toEqual([2]);
    expect(b.call(b.load(chunk))).toEqual([1]);
  });

  test('the chunk name is part of the key: error positions stay the name each caller gave', () => {
    const lua = new LuaEngine();
    const source = 'error("boom")';
    const asScript = lua.compile(source, '@user_script');
    const asFunction = lua.compile(source, '@user_function');
    expect(asFunction).not.toBe(asScript);
    expect(raised(() => lua.call(lua.load(asScript)))).toBe('user_script:1: boom');
    expect(raised(() => lua.call(lua.load(asFunction)))).toBe('user_function:1: boom');
  });

  test('a syntax error is raised on every compile, not remembered as a chunk', () => {
    const before = SHARED_CHUNKS.size;
    const lua = new LuaEngine();
    for (let i = 0; i < 2; i++) {
      expect(() => lua.compile('local x y -- chunk-cache test', '@user_script')).toThrow(
        new LuaSyntaxError("user_script:1: '=' expected near '<eof>'"),
      );
    }
    expect(SHARED_CHUNKS.size).toBe(before);
  });

  test('holds at most maxEntries chunks, dropping the least recently used', () => {
    const cache = new ChunkCache(3, 1 << 20);
    const first = cache.compile('return 1', '@c');
    cache.compile('return 2', '@c');
    cache.compile('return 3', '@c');
    expect(cache.compile('return 1', '@c')).toBe(first);
    cache.compile('return 4', '@c');
    expect(cache.size).toBe(3);
    // 'return 2' was the least recently used: compiled again; 'return 1' was kept.
    expect(cache.compile('return 1', '@c')).toBe(first);
  });

  test('holds at most maxBytes of source, and keeps no source larger than that', () => {
    const cache = new ChunkCache(100, 40);
    const big = `return '${'x'.repeat(40)}'`;
    const chunk = cache.compile(big, '@c');
    expect(cache.size).toBe(0);
    expect(cache.compile(big, '@c')).not.toBe(chunk);
    for (let i = 0; i < 10; i++) cache.compile(`return ${i}`, '@c');
    expect(cache.sourceBytes).toBeLessThanOrEqual(40);
    expect(cache.size).toBe(5);
    const lua = new LuaEngine();
    expect(lua.call(lua.load(cache.compile('return 9', '@c')))).toEqual([9]);
  });

  test('a cached chunk runs in each environment it is loaded into', () => {
    const lua = new LuaEngine();
    const chunk = lua.compile('return x', '@user_script');
    const env = new LuaTable();
    env.rawSet('x', 42);
    expect(lua.call(lua.load(chunk, env))).toEqual([42]);
    expect(lua.call(lua.load(lua.compile('return x', '@user_script')))).toEqual([undefined]);
  });
});
