/**
 * The Lua 5.1 engine for Redis scripting: compile once, run many times.
 * See engine.ts for how a host (EVAL, FCALL, redis.call) uses it.
 */
export { CompiledChunk } from './compile.js';
export { errorMetatable, GlobalRef, LuaEngine, protectRecursively } from './engine.js';
export { LuaError, LuaSyntaxError } from './errors.js';
export { JSON_NULL } from './lib/cjson-config.js';
export { Rand48 } from './lib/rand48.js';
export { stringToNumber } from './string-to-number.js';
export type { ChunkInfo, Site } from './site.js';
export { LuaTable } from './table.js';
export { LuaThread } from './thread.js';
export { first, LuaUserdata, NONE, results, typeName, type LuaFunction, type LuaResult, type LuaValue } from './value.js';
