import { createRequire } from 'node:module';
import luaparse from 'luaparse';
import { describe, expect, test } from 'vitest';
import { parseLua } from '../../../src/scripting/lua/parse.js';
import { luaSyntaxMessage, withinSyntaxLevels } from '../../../src/scripting/lua/syntax-errors.js';

/**
 * parseLua lexes an accepted source again for Lua's late errors (a numeral
 * running into letters, more than 200 syntax levels) only where
 * withinSyntaxLevels cannot rule them out: the answer must be the one the
 * second lexing gives, and BullMQ's scripts must not need it.
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

function parsed(source: string): string {
  try {
    parseLua(source, 's');
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Expressions nested along one path, mixing what tooDeepAt counts: brackets, blocks, unary and right-associative chains, chains left pending by a statement before call statements. */
function nested(seed: number): string {
  let s = seed;
  const pick = <T>(a: readonly T[]): T => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return a[(s >> 16) % a.length];
  };
  const before = () => pick(['', 'x = -a ', 'x = -a .. -b f() ', 'y = not c g() h() ', 'repeat until -q ']);
  const wraps: ((x: string) => string)[] = [
    (x) => `(${x})`,
    (x) => `- ${x}`,
    (x) => `not ${x}`,
    (x) => `a .. ${x}`,
    (x) => `a ^ ${x}`,
    (x) => `f(1, ${x})`,
    (x) => `{k = ${x}}`,
    (x) => `{[${x}] = 1}`,
    (x) => `t[${x}]`,
    (x) => `-a .. -b == ${x}`,
    (x) => `a + ${x}`,
    (x) => `( --[[ ( ]] ${x})`,
    (x) => `function() ${before()}return ${x} end`,
    (x) => `function() ${before()}while true do ${before()}v = ${x} end end`,
    (x) => `function() ${before()}repeat ${before()}v = ${x} until 1 end`,
    (x) => `-a .. function() ${before()}v = -b .. ${x} end`,
  ];
  let x = pick(['1', 'a', '"s"']);
  const levels = 60 + ((s >> 16) % 160);
  for (let k = 0; k < levels; k++) x = pick(wraps)(x);
  return `${before()}v = ${x}`;
}

describe('late syntax errors', () => {
  test("BullMQ's scripts are shown shallow enough from their tree", () => {
    for (const { content } of scripts) expect(withinSyntaxLevels(luaparse.parse(content, OPTIONS as unknown as luaparse.Options), content)).toBe(true);
  });

  test('parseLua answers as lexing again does, near and past 200 levels', () => {
    let deep = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const source = nested(seed);
      const expected = lexedAgain(source);
      if (expected.endsWith('too many syntax levels')) deep++;
      if (expected !== 'refused') expect(parsed(source), source).toBe(expected);
    }
    expect(deep).toBeGreaterThan(50);
  });

  test('parseLua answers as lexing again does where tooDeepAt counts more than the tree is deep', () => {
    for (let k = 60; k <= 120; k += 3) {
      const sources = [
        `x = ${'('.repeat(2 * k)}1${')'.repeat(2 * k)}`,
        `x = ${'-a .. -b == '.repeat(k)}c`,
        `x = ${'-a .. '.repeat(k)}b f() g "s" ${'('.repeat(k + 40)}h${')'.repeat(k + 40)}()`,
        `x = ${'- '.repeat(k - 20)}a f() g(${'('.repeat(219 - k)}h${')'.repeat(219 - k)})`,
        `x = ${'not '.repeat(k)}b repeat until ${'- '.repeat(k)}c function m() ${'do '.repeat(k >> 1)}${'end '.repeat(k >> 1)}end`,
      ];
      for (const source of sources) expect(parsed(source), source).toBe(lexedAgain(source));
    }
  });

  test('a numeral Lua reads otherwise than luaparse is lexed again', () => {
    expect(parsed('local a = 1x = 2')).toBe("s:1: malformed number near '1x'");
    expect(parsed('x = 0x1p-4')).toBe("s:1: malformed number near '0x1p'");
    expect(parsed('x = 0x10 + 1e5 + .5 + 5.')).toBe('ok');
  });
});
