import { describe, expect, test } from 'vitest';
import { LuaEngine, protectRecursively } from '../../../src/scripting/lua/engine.js';
import { LuaError } from '../../../src/scripting/lua/errors.js';
import { LuaSyntaxError } from '../../../src/scripting/lua/parse.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';

/** The host API: what a server builds EVAL, FCALL and redis.call on. */

function run(lua: LuaEngine, source: string, chunkName = '@user_script'): LuaValue[] {
  return lua.call(lua.load(lua.compile(source, chunkName)));
}

function luaError(f: () => unknown): LuaError {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return e;
    throw e;
  }
  throw new Error('expected a LuaError');
}

describe('compiling', () => {
  const lua = new LuaEngine();

  test('a syntax error is a LuaSyntaxError with Lua 5.1 message and the chunk position', () => {
    expect(() => lua.compile('local x y', '@user_script')).toThrow(new LuaSyntaxError("user_script:1: '=' expected near '<eof>'"));
    expect(() => lua.compile('x = = 1', '=lib')).toThrow(new LuaSyntaxError("lib:1: unexpected symbol near '='"));
    expect(() => lua.compile('return return', 'return return')).toThrow(
      new LuaSyntaxError(`[string "return return"]:1: unexpected symbol near 'return'`),
    );
  });

  test('a NUL right after a number is a syntax error (Redis accepts it; a known difference, docs/commands.md)', () => {
    expect(() => lua.compile('x = 1\0', '@user_script')).toThrow(new LuaSyntaxError('user_script:1: unexpected symbol'));
  });

  test('string.dump gives only the 12-byte header of a binary chunk, no bytecode (a known difference, docs/commands.md)', () => {
    expect(run(lua, 'return #string.dump(function() return 1 end)')).toEqual([12]);
  });

  test('a compiled chunk can be loaded any number of times; each load is a new main function', () => {
    const chunk = lua.compile('return 40 + 2');
    const a = lua.load(chunk);
    const b = lua.load(chunk);
    expect(a).not.toBe(b);
    expect(lua.call(a)).toEqual([42]);
    expect(lua.call(b)).toEqual([42]);
  });

  test('the main chunk is a vararg function: call passes its arguments as ...', () => {
    const main = lua.load(lua.compile('return select("#", ...), ...'));
    expect(lua.call(main, ['a', undefined, 3])).toEqual([3, 'a', undefined, 3]);
  });
});

describe('calling', () => {
  test('call returns every result as an array, nothing as an empty one', () => {
    const lua = new LuaEngine();
    expect(run(lua, 'return 1, "two", nil, true')).toEqual([1, 'two', undefined, true]);
    expect(run(lua, 'local x = 1')).toEqual([]);
  });

  test('host functions take Lua values and return one value or an array of values', () => {
    const lua = new LuaEngine();
    lua.setGlobal('pair', (a: LuaValue, b: LuaValue) => [b, a]);
    lua.setGlobal('count', (...args: LuaValue[]) => args.length);
    expect(run(lua, 'local a, b = pair(1, 2) return a, b, count(nil, nil), count()')).toEqual([2, 1, 2, 0]);
  });

  test('a host function raises a Lua error with any value; it carries the calling line', () => {
    const lua = new LuaEngine();
    const err = new LuaTable();
    err.rawSet('err', 'ERR boom');
    lua.setGlobal('fail', () => {
      throw lua.error(err);
    });
    const e = luaError(() => run(lua, '\n\nfail()'));
    expect(e.value).toBe(err);
    expect(e.site?.line).toBe(3);
    expect(e.site?.chunk.source).toBe('@user_script');
    expect(run(lua, 'local ok, e = pcall(fail) return ok, e.err')).toEqual([false, 'ERR boom']);
  });

  test('a host function may call back into Lua; the state is restored after', () => {
    const lua = new LuaEngine();
    const square = lua.load(lua.compile('local x = ... return x * x'));
    lua.setGlobal('square', (x: LuaValue) => lua.call(square, [x])[0]);
    expect(run(lua, 'return square(3) + square(4)')).toEqual([25]);
    expect(luaError(() => run(lua, '\nreturn square("x")')).value).toBe("user_script:1: attempt to perform arithmetic on local 'x' (a string value)");
  });

  test('a JavaScript failure in a host function becomes a Lua error, catchable by pcall', () => {
    const lua = new LuaEngine();
    lua.setGlobal('broken', () => {
      throw new TypeError('oops');
    });
    expect(run(lua, 'local ok, e = pcall(broken) return ok, e')).toEqual([false, 'user_script:1: internal error: oops']);
    expect(luaError(() => run(lua, 'broken()')).value).toBe('user_script:1: internal error: oops');
  });
});

describe('limits', () => {
  test('unbounded recursion is a "stack overflow" Lua error, not a crash', () => {
    const lua = new LuaEngine();
    expect(luaError(() => run(lua, 'local function f() return 1 + f() end return f()')).value).toBe('user_script:1: stack overflow');
    expect(run(lua, 'local function f(n) return n == 0 and 0 or 1 + f(n - 1) end return f(1000)')).toEqual([1000]);
  });

  test('recursion through pcall stops at Lua\'s 200 nested C calls', () => {
    const lua = new LuaEngine();
    expect(run(lua, 'local n = 0 local function f() n = n + 1 local ok, e = pcall(f) return e end return f(), n')).toEqual([
      'C stack overflow',
      199,
    ]);
  });

  test('a string past what V8 can hold is "not enough memory"', () => {
    const lua = new LuaEngine();
    expect(luaError(() => run(lua, "return string.rep('x', 2^30)")).value).toBe('user_script:1: not enough memory');
    const big = "local s = string.rep('x', 2^28) return #(s .. s .. s)";
    expect(luaError(() => run(lua, big)).value).toBe('not enough memory');
  });
});

describe('the interrupt hook', () => {
  test('runs while a script loops, and stops it by throwing', () => {
    const lua = new LuaEngine();
    let calls = 0;
    lua.setHook(() => {
      if (++calls === 5) throw lua.error('Script killed by user with SCRIPT KILL...');
    }, 1000);
    const e = luaError(() => run(lua, 'local n = 0\nwhile true do\n  n = n + 1\nend'));
    expect(e.value).toBe('Script killed by user with SCRIPT KILL...');
    expect(e.site?.line).toBe(2);
    expect(calls).toBe(5);
  });

  test('counts calls too, so recursion without loops is interruptible', () => {
    const lua = new LuaEngine();
    let calls = 0;
    lua.setHook(() => {
      calls++;
      throw lua.error('stop');
    }, 100);
    expect(luaError(() => run(lua, 'local function f(n) if n > 0 then return f(n - 1) end end for i = 1, 1e9 do f(10) end')).value).toBe('stop');
    expect(calls).toBeGreaterThan(0);
  });

  test('once it has thrown it runs at every check, so pcall cannot keep a killed script alive', () => {
    const lua = new LuaEngine();
    let killed = false;
    let checks = 0;
    lua.setHook(() => {
      checks++;
      if (killed) throw lua.error('killed');
    }, 1000);
    const main = lua.load(lua.compile('local n = 0 while true do n = n + 1 pcall(function() while true do end end) end'));
    killed = true;
    expect(luaError(() => lua.call(main)).value).toBe('killed');
    expect(checks).toBeGreaterThan(1);
  });
});

describe("Redis's sandbox", () => {
  test('globals become readonly and reading an unknown global raises', () => {
    const lua = new LuaEngine();
    lua.sandbox();
    expect(luaError(() => run(lua, 'x = 1')).value).toBe('user_script:1: Attempt to modify a readonly table');
    expect(luaError(() => run(lua, 'return nope')).value).toBe("user_script:1: Script attempted to access nonexistent global variable 'nope'");
    expect(luaError(() => run(lua, 'string.x = 1')).value).toBe('user_script:1: Attempt to modify a readonly table');
  });

  test('the host still sets globals past the protection, directly or through a GlobalRef', () => {
    const lua = new LuaEngine();
    lua.sandbox();
    lua.setGlobal('KEYS', LuaTable.fromArray(['k']));
    const argv = lua.globalRef('ARGV');
    argv.set(LuaTable.fromArray(['a', 'b']));
    expect(run(lua, 'return KEYS[1], #ARGV, ARGV[2]')).toEqual(['k', 2, 'b']);
    argv.set(LuaTable.fromArray(['c']));
    expect(run(lua, 'return ARGV[1]')).toEqual(['c']);
  });

  test('protectRecursively makes a host table and what it reaches readonly', () => {
    const lua = new LuaEngine();
    const redis = new LuaTable();
    const inner = new LuaTable();
    redis.rawSet('inner', inner);
    protectRecursively(redis);
    lua.setGlobal('redis', redis);
    expect(inner.readonly).toBe(true);
    expect(luaError(() => run(lua, 'redis.inner.x = 1')).value).toBe('user_script:1: Attempt to modify a readonly table');
  });

  test('a chunk can run over another environment, as FUNCTION libraries do', () => {
    const lua = new LuaEngine();
    lua.sandbox();
    const env = new LuaTable();
    const mt = new LuaTable();
    mt.rawSet('__index', lua.globals);
    env.metatable = mt;
    const main = lua.load(lua.compile('y = 7 return y, type(string)', '@user_function'), env);
    expect(lua.call(main)).toEqual([7, 'table']);
    expect(env.getStr('y')).toBe(7);
    expect(lua.globals.getStr('y')).toBeUndefined();
  });
});

describe('values for the host', () => {
  test('tables: arrays read with getInt up to the first nil, fields with getStr', () => {
    const lua = new LuaEngine();
    const [t] = run(lua, "return {1, 'two', nil, 4, err = 'e', ok = 'fine'}") as [LuaTable];
    expect(t.getInt(1)).toBe(1);
    expect(t.getInt(2)).toBe('two');
    expect(t.getInt(3)).toBeUndefined();
    expect(t.getStr('err')).toBe('e');
    expect(t.length()).toBe(4);
  });

  test('tostring follows Lua, __tostring included', () => {
    const lua = new LuaEngine();
    expect(lua.tostring(10 / 2)).toBe('5');
    expect(lua.tostring(undefined)).toBe('nil');
    const [t] = run(lua, "return setmetatable({}, {__tostring = function() return 'custom' end})");
    expect(lua.tostring(t)).toBe('custom');
  });
});
