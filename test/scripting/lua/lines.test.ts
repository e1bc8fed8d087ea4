import luaparse from 'luaparse';
import { describe, expect, test } from 'vitest';
import { LineIndex } from '../../../src/scripting/lua/compiler/lines.js';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { LuaError } from '../../../src/scripting/lua/errors.js';

/**
 * The compiler parses without luaparse's `locations` and finds a node's
 * lines from its range (compiler/lines.ts): they must be the lines
 * luaparse's locations would have given.
 */

type Located = { type: string; loc?: { start: { line: number }; end: { line: number } }; range?: [number, number] };

function nodesOf(source: string): Located[] {
  const nodes: Located[] = [];
  luaparse.parse(source, {
    luaVersion: '5.1',
    encodingMode: 'pseudo-latin1',
    locations: true,
    ranges: true,
    scope: false,
    onCreateNode: (node: luaparse.Node) => void nodes.push(node as Located),
  } as unknown as luaparse.Options);
  return nodes;
}

const SOURCES = [
  'local a = 1\nlocal b = a +\n  2\nreturn b',
  'local s = [[\r\nfirst\r\nsecond]] .. x\r\nreturn s',
  'local s = [==[\n\ra]]\n\r]==]\rreturn #s + y',
  'local s = "a\\\r\nb" .. "c\\\n\rd"\n\n\nreturn s .. t',
  '--[[ a\n long\r\n comment ]] local x = {\n1,\r2,\n\r3}\nreturn x[1] + x.y',
  '\r\r\n\n\r\rreturn f(\n1,\n2\n)',
];

describe('lines from ranges', () => {
  for (const source of SOURCES) {
    test(`agree with luaparse's locations: ${JSON.stringify(source).slice(0, 40)}`, () => {
      const lines = new LineIndex(source);
      for (const node of nodesOf(source)) {
        if (node.range === undefined || node.loc === undefined) continue;
        expect([node.type, lines.lineAt(node.range[0]), lines.lineAt(node.range[1])]).toEqual([node.type, node.loc.start.line, node.loc.end.line]);
      }
    });
  }

  test('a runtime error after a multi-line long string names the line it is on', () => {
    const lua = new LuaEngine();
    const chunk = lua.compile('local s = [[\r\n\r\nx]]\n\rreturn s + {}', '@user_script');
    try {
      lua.call(lua.load(chunk));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LuaError);
      expect((e as LuaError).value).toBe('user_script:4: attempt to perform arithmetic on local \'s\' (a string value)');
    }
  });
});
