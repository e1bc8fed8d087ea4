import { describe, expect, test } from 'vitest';
import { LuaEngine, protectRecursively } from '../../../src/scripting/lua/engine.js';
import { LuaError } from '../../../src/scripting/lua/errors.js';
import { LuaSyntaxError } from '../../../src/scripting/lua/errors.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaFunction, LuaValue } from '../../../src/scripting/lua/value.js';

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

describe('tail calls', () => {
  test('a tail call does not grow the stack: a million of them return, and a chain through a method too', () => {
    const lua = new LuaEngine();
    expect(run(lua, 'local function f(n, acc) if n == 0 then return acc end return f(n - 1, acc + 1) end return f(1e6, 0)')).toEqual([1e6]);
    const method = 'local o = {} function o:m(n) if n == 0 then return self end return self:m(n - 1) end return o:m(1e6) == o';
    expect(run(lua, method)).toEqual([true]);
  });

  test('endless tail recursion runs until the hook stops it, not into "stack overflow"', () => {
    const lua = new LuaEngine();
    let checks = 0;
    lua.setHook(() => {
      if (++checks === 50) throw lua.error('Script killed by user with SCRIPT KILL...');
    }, 10000);
    expect(luaError(() => run(lua, 'local function f(n) return f(n + 1) end return f(1)')).value).toBe('Script killed by user with SCRIPT KILL...');
    expect(checks).toBe(50);
  });

  test('a tail call made by a host function calling Lua is made before the host sees the results', () => {
    const lua = new LuaEngine();
    const main = lua.load(lua.compile('local function g(x) return x * 2 end local function f(n, x) if n == 0 then return g(x) end return f(n - 1, x) end return f'));
    const [f] = lua.call(main);
    expect(lua.call(f as LuaFunction, [100, 21])).toEqual([42]);
  });
});

describe('coroutines', () => {
  test('a chunk compiles no generators until a coroutine runs its code', () => {
    const lua = new LuaEngine();
    const chunk = lua.compile('local function f() return coroutine.yield(1) end return coroutine.wrap(f)()');
    expect(chunk.js).not.toContain('function*');
    expect(lua.call(lua.load(chunk))).toEqual([1]);
  });

  test('a coroutine over a chunk loaded in another environment reads that environment', () => {
    const lua = new LuaEngine();
    const env = new LuaTable();
    const mt = new LuaTable();
    mt.rawSet('__index', lua.globals);
    env.metatable = mt;
    const main = lua.load(lua.compile('y = 5 local co = coroutine.wrap(function() coroutine.yield(y) y = y + 1 return y end) return co(), co()'), env);
    expect(lua.call(main)).toEqual([5, 6]);
    expect(env.getStr('y')).toBe(6);
    expect(lua.globals.getStr('y')).toBeUndefined();
  });

  test('the hook runs inside a coroutine, and a kill there stops the script that resumed it', () => {
    const lua = new LuaEngine();
    let killed = false;
    lua.setHook(() => {
      if (killed) throw lua.error('killed');
    }, 1000);
    const main = lua.load(lua.compile('local co = coroutine.create(function() while true do end end) return coroutine.resume(co)'));
    killed = true;
    expect(luaError(() => lua.call(main)).value).toBe('killed');
  });

  test('a coroutine yielding forever to a loop that resumes it is stopped by the hook', () => {
    const lua = new LuaEngine();
    // A table, as Redis's kill error is: coroutine.wrap passes it on as it is (a message would get a position).
    const stop = new LuaTable();
    let checks = 0;
    lua.setHook(() => {
      if (++checks >= 20) throw lua.error(stop);
    }, 1000);
    expect(luaError(() => run(lua, 'local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end')).value).toBe(stop);
  });

  test('unbounded recursion inside a coroutine is a "stack overflow" that resume returns; the state is whole after', () => {
    const lua = new LuaEngine();
    const script = 'local co = coroutine.create(function() local function f() return 1 + f() end return f() end) local ok, e = coroutine.resume(co) return ok, e, coroutine.status(co)';
    expect(run(lua, script)).toEqual([false, 'user_script:1: stack overflow', 'dead']);
    expect(lua.state.depth).toBe(0);
    expect(lua.state.co).toBeNull();
    expect(luaError(() => run(lua, 'local function g() error("x", 2) end\nlocal function f()\n  g()\nend\nf()')).value).toBe('user_script:3: x');
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
