import { createRequire } from 'node:module';
import luaparse from 'luaparse';
import { describe, expect, test } from 'vitest';
import { parseLua, parseWithLuaparse } from '../../../src/scripting/lua/parse.js';
import { luaSyntaxMessage, withinSyntaxLevels } from '../../../src/scripting/lua/syntax-errors.js';
import { nearLimit, nested } from './helpers/nesting.js';

/**
 * Where the quick parser gives up, luaparse parses, and the source it
 * accepts is lexed again for Lua's late errors (a numeral running into
 * letters, more than 200 syntax levels) only where withinSyntaxLevels
 * cannot rule them out: the answer must be the one the second lexing
 * gives, and BullMQ's scripts must not need it. (What Lua itself answers
 * past 200 levels, the quick parser's count, is held to redis-server in
 * syntax-levels.differential.test.ts.)
 */
const require = createRequire(import.meta.url);
const scripts = Object.values(require('bullmq/dist/cjs/scripts/index.js') as Record<string, { content: string }>);
const OPTIONS = { luaVersion: '5.1', encodingMode: 'pseudo-latin1', ranges: true, comments: true, scope: false } as const;

/** What parseLua answered before it skipped the second lexing: ok, or the error luaSyntaxMessage finds in an accepted source. */
function lexedAgain(source: string): string {
  try {
    luaparse.parse(source, OPTIONS as unknown as luaparse.Options);
  } catch {
    return 'refused';
  }
  const late = luaSyntaxMessage(source, null);
  return late === null ? 'ok' : `s:${late.line}: ${late.message}`;
}

function parsed(source: string, parse = parseWithLuaparse): string {
  try {
    parse(source, 's');
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('late syntax errors', () => {
  test("BullMQ's scripts are shown shallow enough from their tree", () => {
    for (const { content } of scripts) expect(withinSyntaxLevels(luaparse.parse(content, OPTIONS as unknown as luaparse.Options), content)).toBe(true);
  });

  test('the luaparse path answers as lexing again does, near and past 200 levels', () => {
    let deep = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const source = nested(seed);
      const expected = lexedAgain(source);
      if (expected.endsWith('too many syntax levels')) deep++;
      if (expected !== 'refused') expect(parsed(source), source).toBe(expected);
    }
    expect(deep).toBeGreaterThan(50);
  });

  test('the luaparse path answers as lexing again does where tooDeepAt counts more than the tree is deep', () => {
    for (const source of nearLimit()) expect(parsed(source), source).toBe(lexedAgain(source));
  });

  test('a numeral Lua reads otherwise than luaparse is lexed again', () => {
    expect(parsed('local a = 1x = 2', parseLua)).toBe("s:1: malformed number near '1x'");
    expect(parsed('x = 0x1p-4', parseLua)).toBe("s:1: malformed number near '0x1p'");
    expect(parsed('x = 0x10 + 1e5 + .5 + 5.', parseLua)).toBe('ok');
  });
});
