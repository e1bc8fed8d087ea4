import { LuaTable } from './table.js';
import { LuaThread } from './thread.js';

/**
 * Lua values as the engine represents them in JavaScript:
 *
 *   nil       undefined
 *   boolean   boolean
 *   number    number (a double, as Lua 5.1's lua_Number)
 *   string    string, one char per byte (0..255), Sluice's byte strings
 *   table     LuaTable
 *   function  LuaFunction: a compiled Lua closure or a host function
 *   userdata  LuaUserdata
 *   thread    LuaThread (a coroutine)
 *
 * No Lua value is a JavaScript array, which is what lets a function's result
 * be either one value or an array of values (see LuaFunction).
 */
export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | LuaUserdata | LuaThread;

/**
 * Userdata, which scripts only meet as cjson.null (a light userdata for
 * C's NULL) and newproxy()'s objects.
 */
export class LuaUserdata {
  metatable: LuaTable | null = null;
  /** A light userdata holding NULL prints as "userdata: (nil)". */
  constructor(readonly isNull = false) {}
}

/**
 * The one calling convention, for compiled Lua functions, the libraries and
 * the host's functions alike: arguments are positional (their count is
 * `arguments.length`, so an explicit nil counts), and the result is either a
 * single value (exactly one result, possibly nil) or an array holding any
 * number of results. Most calls return one value, so they allocate nothing.
 * A function raises a Lua error by throwing a LuaError.
 */
export type LuaFunction = (...args: LuaValue[]) => LuaResult;

/** What a LuaFunction returns: one value, or an array of values. */
export type LuaResult = LuaValue | LuaValue[];

/** The shared result of functions that return nothing. Never mutate it. */
export const NONE: LuaValue[] = Object.freeze([]) as unknown as LuaValue[];

/** The first result of a call (nil when there is none), as a single-value context takes it. */
export function first(r: LuaResult): LuaValue {
  return Array.isArray(r) ? r[0] : r;
}

/** All results of a call as an array (a fresh array only when the call returned one value). */
export function results(r: LuaResult): LuaValue[] {
  return Array.isArray(r) ? r : [r];
}

/**
 * The name every compiled Lua function has (named function expressions,
 * see compiler/functions.ts): what tells a Lua function from a library
 * function, which Lua treats apart (coroutine.create, string.dump, tail
 * calls), at no cost to making closures.
 */
export const LUA_FUNCTION_NAME = '$L';

export function isLuaFunction(f: LuaValue): boolean {
  return typeof f === 'function' && f.name === LUA_FUNCTION_NAME;
}

/** Lua's type(): nil, boolean, number, string, table, function, userdata or thread. */
export function typeName(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    default:
      return v instanceof LuaTable ? 'table' : v instanceof LuaThread ? 'thread' : 'userdata';
  }
}

/** Lua's truth: everything but nil and false. */
export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}
