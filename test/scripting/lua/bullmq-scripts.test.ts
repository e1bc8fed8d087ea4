import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';

/**
 * BullMQ's Lua scripts (the bullmq package's own, includes resolved, as
 * BullMQ sends them with EVALSHA) compile, and every library function they
 * call exists in the engine's globals as Redis sets them up.
 */
const require = createRequire(import.meta.url);
const scripts = Object.values(require('bullmq/dist/cjs/scripts/index.js') as Record<string, { name: string; content: string; keys: number }>);

describe("BullMQ's scripts", () => {
  const lua = new LuaEngine();

  test('there are scripts to check', () => {
    expect(scripts.length).toBeGreaterThan(50);
  });

  for (const script of scripts) {
    test(`${script.name} compiles and calls only library functions that exist`, () => {
      const chunk = lua.compile(script.content, '@user_script');
      expect(typeof lua.load(chunk)).toBe('function');
      const calls = new Set<string>();
      for (const m of script.content.matchAll(/\b(string|table|math|cjson|cmsgpack|bit|struct)\.([A-Za-z_]\w*)/g)) {
        calls.add(`${m[1]}.${m[2]}`);
      }
      for (const call of calls) {
        const [lib, fn] = call.split('.');
        const table = lua.globals.getStr(lib);
        expect(table, lib).toBeInstanceOf(LuaTable);
        expect(typeof (table as LuaTable).getStr(fn), call).toBe('function');
      }
      for (const m of script.content.matchAll(/(?<![.:\w])(assert|error|getmetatable|ipairs|next|pairs|pcall|xpcall|rawequal|rawget|rawset|select|setmetatable|tonumber|tostring|type|unpack|loadstring)\s*\(/g)) {
        expect(typeof lua.globals.getStr(m[1]), m[1]).toBe('function');
      }
    });
  }
});
