import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { parseLua, parseWithLuaparse } from '../../../src/scripting/lua/parse.js';
import { parseQuickly } from '../../../src/scripting/lua/parser/parser.js';
import { ALL_CASES } from './cases/index.js';
import { nested } from './helpers/nesting.js';
import { program, script } from './helpers/random-lua.js';

/**
 * The quick parser makes luaparse's tree (nodes, fields, ranges, literal
 * values as Lua reads them, comments), so that the code generator sees no
 * difference, and gives up on whatever it does not take, which then goes
 * through luaparse and its error messages.
 */
const require = createRequire(import.meta.url);
const bullmq = Object.values(require('bullmq/dist/cjs/scripts/index.js') as Record<string, { name: string; content: string }>);

function luaparseTree(source: string): unknown {
  try {
    return parseWithLuaparse(source, 's');
  } catch {
    return null;
  }
}

describe('the quick parser', () => {
  test("makes luaparse's tree for every recorded case luaparse takes, and gives up on the others", () => {
    let taken = 0;
    let beyondLuaparse = 0;
    for (const cases of Object.values(ALL_CASES)) {
      for (const c of cases) {
        const quick = parseQuickly(c.script);
        const expected = luaparseTree(c.script);
        if (expected === null) {
          // Refused by luaparse: the quick parser takes only a chunk Redis compiled (Lua 5.1's `break;`).
          if (quick?.chunk !== undefined) {
            expect(JSON.stringify(c.expect), c.script).not.toContain('Error compiling script');
            beyondLuaparse++;
          }
          continue;
        }
        expect(quick, c.script).not.toBeNull();
        if (quick!.chunk === undefined) {
          // A `[[` inside a `[[ ]]`: luaparse takes it, Lua (and so the recorded reply) refuses it.
          expect(JSON.stringify(c.expect), c.script).toContain(`user_script:${quick!.line}: ${quick!.message}`.replace(/"/g, '\\"'));
          continue;
        }
        expect(quick!.chunk, c.script).toEqual(expected);
        taken++;
      }
    }
    expect(taken).toBeGreaterThan(1000);
    expect(beyondLuaparse).toBeGreaterThan(0);
  });

  test("takes every one of BullMQ's scripts, with luaparse's tree", () => {
    for (const { name, content } of bullmq) {
      const quick = parseQuickly(content);
      expect(quick?.chunk, name).toBeDefined();
      expect(quick!.chunk, name).toEqual(luaparseTree(content));
    }
  });

  test("makes luaparse's tree for random expressions and programs, and for deep nests within Lua's levels", () => {
    const sources: string[] = [];
    for (let seed = 1; seed <= 400; seed++) sources.push(script(seed), program(seed));
    for (let seed = 1; seed <= 300; seed++) sources.push(nested(seed));
    let compared = 0;
    for (const source of sources) {
      const quick = parseQuickly(source);
      if (quick?.chunk === undefined) continue;
      expect(quick.chunk, source).toEqual(luaparseTree(source));
      compared++;
    }
    expect(compared).toBeGreaterThan(850);
  });

  test('literals come out as Lua reads them: escapes, long strings with their line breaks as \\n, numerals by strtod', () => {
    const src = 'return "a\\65\\n\\\r\nb\\q", [==[\r\nx\r\ny\n\rz]==], 0x1F, 1e2, .5, 3., true, nil, ... --[[c]] -- d';
    const chunk = parseQuickly(src)!.chunk!;
    const values = (chunk.body[0] as unknown as { arguments: { value: unknown }[] }).arguments.map((a) => a.value);
    expect(values).toEqual(['aA\n\nbq', 'x\ny\nz', 31, 100, 0.5, 3, true, null, '...']);
    expect(chunk.comments?.map((c) => (c as unknown as { raw: string }).raw)).toEqual(['--[[c]]', '-- d']);
    expect(chunk).toEqual(luaparseTree(src));
  });

  test('gives up on what Lua or luaparse refuses, and where the two read the source differently', () => {
    const refused = [
      'x = = 1',
      'break',
      'while true do local f = function() break end end',
      'local function f() return ... end',
      'return 1 x = 2',
      'x = [=[a]]',
      'x = "unfinished',
      'x = "a\nb"',
      'x = "\\300"',
      'x = 0x1p-4', // luaparse reads a hexadecimal exponent; Lua's numeral stops at the 'p'
      'x = 3..2',
      'x = 1x',
      'f\n(1)', // Lua's ambiguous syntax (function call x new statement)
      'x = f[[a\nb]](1)', // the same, the line break within the string before '('
      'x = f"a\\\nb"(1)',
      'f --[[ a\n ]] (1)',
      'x = 1 // 2',
      'x = a ~ b',
      'x = a & b',
      'x = `',
      'x = "\u0100"',
      'f(,1)',
      't = {,}',
      'local t = {1 ""}',
      'a.b:c = 1',
      '(f) = 1',
    ];
    for (const source of refused) expect(parseQuickly(source), source).toBeNull();
  });

  test('takes what Lua 5.1 takes at the edges', () => {
    const taken = ['goto = 1', 'return', 'return;', 'do end', 'f{} f"" f[[x]]', 'local a <const> = 1'];
    // A first line starting with '#' is blanked, as luaparse does.
    expect(parseQuickly('#!/usr/bin/lua\nreturn 1')?.chunk).toEqual(luaparseTree('#!/usr/bin/lua\nreturn 1'));
    expect(parseQuickly('while true do break; end')?.chunk).toBeDefined();
    expect(parseQuickly(taken[0])?.chunk).toBeDefined();
    for (const source of taken.slice(1, 5)) expect(parseQuickly(source)?.chunk, source).toEqual(luaparseTree(source));
    // Lua 5.4's attribs are a syntax error in 5.1.
    expect(parseQuickly(taken[5])).toBeNull();
    // A call's '(' on the line its callee ends on, a string or a comment between them.
    for (const source of ['x = f[[a\nb]]\n.c(1)', 'x = f[[ab]](1)', 'f --[[ a ]] (1)', 'f"a"(1)']) {
      expect(parseQuickly(source)?.chunk, source).toEqual(luaparseTree(source));
    }
  });

  test("a [[ inside a [[ ]] string or comment is Lua's lexical error where the parse reaches it, after any syntax error before it", () => {
    const nesting = (line: number) => ({ line, message: "nesting of [[...]] is deprecated near '['" });
    expect(parseQuickly('return [[a [[b]]')).toEqual(nesting(1));
    expect(parseQuickly('local x = 1\n--[[ a\n[[ b ]] return x')).toEqual(nesting(3));
    expect(parseQuickly('return 1 + [[a [[b]] + = 2')).toEqual(nesting(1));
    // The syntax error comes first: luaparse's to word.
    expect(parseQuickly('x = = [[a [[b]]')).toBeNull();
    expect(parseQuickly('return [=[a [[b]=]')?.chunk).toBeDefined();
  });

  test("a chunk nested past Lua's 200 levels is answered with the line Lua reports it on", () => {
    const tooDeep = (line: number) => ({ line, message: 'chunk has too many syntax levels' });
    expect(parseQuickly('x = ' + '- '.repeat(199) + '1')).toEqual(tooDeep(1));
    expect(parseQuickly('x = ' + '- '.repeat(198) + '1')?.chunk).toBeDefined();
    // The 200th block is entered standing on the first 'end', a line below its 'do'.
    expect(parseQuickly('do\n'.repeat(200) + 'end\n'.repeat(200))).toEqual(tooDeep(201));
    expect(parseQuickly('do\n'.repeat(199) + 'end\n'.repeat(199))?.chunk).toBeDefined();
  });

  test('a chunk of more tokens than the heap holds trees for is refused, before any tree is made, whatever follows', () => {
    const statements = 'a = 1\n'.repeat(100);
    const refused = { line: 17, message: 'chunk has more than 50 tokens, more than Sluice compiles' };
    expect(parseQuickly(statements, 50)).toEqual(refused);
    // A lexical or syntax error past the limit is never reached, so luaparse never parses the chunk.
    expect(parseQuickly(statements + '$', 50)).toEqual(refused);
    expect(parseQuickly(statements + 'x = = 1', 50)).toEqual(refused);
    expect(() => parseLua(statements, 'user_script', 50)).toThrow('user_script:17: chunk has more than 50 tokens, more than Sluice compiles');
    // The end of input is a token too: 300 and one.
    expect(parseQuickly(statements, 301)?.chunk).toBeDefined();
    expect(parseQuickly(statements, 300)).toEqual({ line: 101, message: 'chunk has more than 300 tokens, more than Sluice compiles' });
    // A lexical error before the limit is luaparse's to word; a syntax error is found only in a chunk within it.
    expect(parseQuickly('x = $\n' + statements, 50)).toBeNull();
    expect(parseQuickly('x = = 1\n' + statements, 50)).toEqual({ line: 17, message: refused.message });
  });
});
