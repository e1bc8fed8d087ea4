import { LuaTable, type LuaEngine, type LuaError } from './lua/index.js';

/**
 * The error reply of a script that raised an error, as Redis's error
 * handler and luaCallFunction word it: the error table's `err` (a value
 * that is not a table becomes "ERR " and its tostring), then, where the
 * error happened in Lua code, " script: <sha or function>, on
 * @user_script:<line>.". `counted` tells that the error statistics counted
 * it already (a command's error passed on by redis.call).
 */
export function scriptErrorMessage(lua: LuaEngine, e: LuaError, name: string): { message: string; counted: boolean } {
  const v = e.value;
  let message: string;
  let counted = false;
  if (v instanceof LuaTable) {
    const err = v.getStr('err');
    // Redis 7.2 crashes on an error table without err; Sluice names what is missing instead.
    message = typeof err === 'string' || typeof err === 'number' ? lua.tostring(err) : 'ERR error table without an err field';
    counted = v.getStr('ignore_error_stats_update') === true;
  } else {
    message = 'ERR ' + lua.tostring(v);
  }
  const site = e.site;
  if (site !== null) message += ` script: ${name}, on ${site.chunk.source}:${site.line}.`;
  return { message, counted };
}
