import { describe, expect, test } from 'vitest';
import type * as L from 'luaparse';
import { compileLua, FIRST_FORM_RUNS } from '../../../src/scripting/lua/compile.js';
import { parseLua } from '../../../src/scripting/lua/parse.js';
import { parseFunctionQuickly } from '../../../src/scripting/lua/parser/parser.js';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { raised } from './helpers/raised.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { useSluice } from '../../helpers/fixture.js';
import { SHARED_CHUNKS } from '../../../src/scripting/lua/chunk-cache.js';
import { fromResp } from './helpers/plain.js';

/**
 * A script's first call runs its chunk's first form: the main function
 * generated, each nested function generated when first called, in the
 * scope it is written in (compiler/lazy.ts). These are the forms' own
 * properties; semantics.test.ts runs every recorded case in both forms.
 */
const lua = new LuaEngine();

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `source` in its first form in the turn that compiled it (whose
 * functions come from the chunk's own parse), then in a later turn (each
 * parsed again alone), then whole; expects the same results of all three.
 */
async function bothForms(source: string): Promise<LuaValue[]> {
  const chunk = compileLua(source, '@user_script', true);
  expect(chunk.isFirstForm).toBe(true);
  const first = lua.call(lua.load(chunk));
  const again = compileLua(source, '@user_script', true);
  await nextTurn();
  expect(lua.call(lua.load(again))).toEqual(first);
  chunk.makeWhole();
  expect(chunk.isFirstForm).toBe(false);
  expect(lua.call(lua.load(chunk))).toEqual(first);
  return first;
}

describe("a chunk's first form", () => {
  test('generates a nested function only when it is first called', () => {
    const chunk = compileLua('local function never() return "never ran" end\nlocal function once() return 1 end\nreturn once()', '@user_script', true);
    expect(chunk.js).toContain('C.lazy(');
    expect(chunk.js).not.toContain('"never ran"');
    expect(lua.call(lua.load(chunk))).toEqual([1]);
    chunk.makeWhole();
    expect(chunk.js).not.toContain('C.lazy(');
    expect(chunk.js).toContain('"never ran"');
  });

  test('closures share their upvalues with the scope they are written in, and loops make fresh ones', async () => {
    expect(
      await bothForms(`
        local n = 0
        local function bump(k) n = n + k; return n end
        local fs = {}
        for i = 1, 3 do fs[i] = function() return i * 10 + bump(1) end end
        local a, b, c = fs[1](), fs[2](), fs[3]()
        return a, b, c, n`),
    ).toEqual([11, 22, 33, 3]);
  });

  test('a name resolves to the local visible where the function is written: later and shadowing locals are not it', async () => {
    expect(
      await bothForms(`
        local x = 'outer'
        local function f() return x, g end
        local x = 'shadow'
        local g = 'later'
        local function h() local x = x .. '!'; return x end
        local a, b = f()
        return a, tostring(b), h()`),
    ).toEqual(['outer', 'nil', 'shadow!']);
  });

  test('recursion, methods, varargs and functions nested in functions', async () => {
    expect(
      await bothForms(`
        local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
        local t = {base = 100}
        function t:add(...) local s = self.base for _, v in ipairs({...}) do s = s + v end return s end
        local function adder(k) return function(v) return function() return v + k end end end
        return fact(10), t:add(1, 2, 3), adder(5)(6)(), select('#', (function(...) return ... end)(1, nil, 3))`),
    ).toEqual([3628800, 106, 11, 3]);
  });

  test('coroutines run its functions as generators, upvalue writes included', async () => {
    expect(
      await bothForms(`
        local log = {}
        local count = 0
        local function step(v) count = count + 1; log[#log + 1] = v; return coroutine.yield(v * 2) end
        local co = coroutine.wrap(function(a) local b = step(a); local c = step(b); return 'done', count end)
        local a, b = co(1), co(5)
        local c, d = co(7)
        return a, b, c, d, count, #log`),
    ).toEqual([2, 10, 'done', 2, 2, 2]);
  });

  test('errors name the same lines and values', () => {
    const source = 'local t = nil\nlocal function f()\n  return t.x\nend\nreturn f()';
    const first = compileLua(source, '@user_script', true);
    const whole = compileLua(source, '@user_script');
    expect(raised(() => lua.call(lua.load(first)))).toBe("user_script:3: attempt to index upvalue 't' (a nil value)");
    expect(raised(() => lua.call(lua.load(whole)))).toBe("user_script:3: attempt to index upvalue 't' (a nil value)");
  });

  test('an instance made before the chunk became whole still runs its functions', () => {
    const chunk = compileLua('local k = 2\nreturn function(v) return v * k end', '@user_script', true);
    const [f] = lua.call(lua.load(chunk));
    chunk.makeWhole();
    expect(lua.call(f as never, [21])).toEqual([42]);
  });

  test('a function an instance generated before the chunk became whole still generates the functions nested in it', async () => {
    const chunk = compileLua('local k = 3\nreturn function(v) return function(w) return v * k + w end end', '@user_script', true);
    const [outer] = lua.call(lua.load(chunk));
    const [inner] = lua.call(outer as never, [4]);
    chunk.makeWhole();
    await nextTurn();
    expect(lua.call(inner as never, [5])).toEqual([17]);
  });

  test('a function expression at the very start of the chunk is parsed alone too', async () => {
    expect(await bothForms('(function() end)()\nreturn (function(a) return a + 1 end)(1)')).toEqual([2]);
  });

  test("a function is parsed again from its own text, at its offsets, reading nothing before it (each first call costs its function's length, not its offset)", () => {
    const source = 'local t = {}\n' + '-- a comment\n'.repeat(1000) + 't.f = function(a, ...) return a, ... end\nlocal function g() return t.f(1) end\nreturn g()';
    const whole = parseLua(source, 's');
    const expression = ((whole.body[1] as L.AssignmentStatement).init[0]) as L.FunctionDeclaration;
    const statement = whole.body[2] as L.FunctionDeclaration;
    for (const [node, isExpression] of [[expression, true], [statement, false]] as const) {
      const [from, to] = (node as unknown as { range: [number, number] }).range;
      expect(parseFunctionQuickly(source, from, to, isExpression)).toEqual(node);
      // What comes before the function is never lexed: here, characters Lua refuses.
      const garbled = '$'.repeat(from) + source.slice(from);
      expect(parseFunctionQuickly(garbled, from, to, isExpression)).toEqual(node);
    }
  });

  test('is made whole when stored', () => {
    const chunk = compileLua('local function f() return 1 end return f()', '@user_script', true);
    chunk.stored();
    expect(chunk.isFirstForm).toBe(false);
  });
});

describe("EVAL's first form", () => {
  const sluice = useSluice({ conn: 'shared' });

  test(`serves ${FIRST_FORM_RUNS - 1} runs; the next finds the script made whole, with the same replies`, async () => {
    const script = "local function incr(k) return redis.call('INCR', k) end\nreturn {incr(KEYS[1]), tostring(ARGV[1])}";
    const replies: unknown[] = [];
    for (let i = 0; i < FIRST_FORM_RUNS + 1; i++) {
      replies.push(fromResp(await sluice.conn.call('EVAL', script, '1', 'first-form:n', 'a')));
      const chunk = SHARED_CHUNKS.compile(script, '@user_script');
      expect(chunk.isFirstForm).toBe(i < FIRST_FORM_RUNS - 1);
    }
    expect(replies).toEqual(Array.from({ length: FIRST_FORM_RUNS + 1 }, (_, i) => [i + 1, 'a']));
  });
});
