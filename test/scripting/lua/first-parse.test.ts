import { expect, test } from 'vitest';
import { parseLua } from '../../../src/scripting/lua/parse.js';

/**
 * luaparse keeps its last token from one parse to the next and reads it
 * when a chunk's very first character is no token of Lua's; a process's
 * first parse has none. Valid chunks no longer reach luaparse, so a fresh
 * server's first luaparse parse may well be such a chunk (loadstring of
 * string.dump's output, in Redis's own suite). This file runs in a process
 * of its own: these are its first parses.
 */
test("a chunk whose first character is no token of Lua's is refused as Lua refuses it, also as a process's first parse", () => {
  const dump = '\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00';
  expect(() => parseLua(dump, 'c')).toThrow("c:1: unexpected symbol near 'char(27)'");
  expect(() => parseLua('-- a comment\n\n  \x01abc', 'c')).toThrow("c:3: unexpected symbol near 'char(1)'");
  expect(() => parseLua(dump, 'c')).toThrow("c:1: unexpected symbol near 'char(27)'");
});
