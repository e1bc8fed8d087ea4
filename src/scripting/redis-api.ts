import { errorTable } from './lua-reply.js';
import { LuaTable, stringToNumber, type LuaEngine, type LuaFunction, type LuaResult, type LuaValue } from './lua/index.js';
import { REPL_ALL, REPL_AOF, REPL_REPLICA } from './run-context.js';
import { sha1hex } from './sha1.js';

/** Redis's log levels as scripts name them (LL_DEBUG … LL_WARNING). */
export const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the `redis` table's functions do to the server, provided by Scripting. */
export interface RedisApiHost {
  /** redis.call (raise) and redis.pcall: runs a command, its reply as a Lua value. */
  command(args: LuaValue[], raise: boolean): LuaResult;
  /** redis.acl_check_cmd: whether the caller may run this command line. */
  aclCheck(args: LuaValue[]): LuaResult;
  setResp(proto: 2 | 3): void;
  setRepl(flags: number): void;
  log(level: LogLevel, message: string): void;
  readonly version: string;
}

/** Lua's lua_tonumber: numbers and numeric strings, anything else 0. */
export function looseNumber(v: LuaValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v) ?? 0;
  return 0;
}

/** An error raised as Redis's luaPushError + lua_error: a table {err = "ERR <message>"}. */
export function raiseError(lua: LuaEngine, message: string): never {
  throw lua.error(errorTable('ERR ' + message));
}

/** redis.REDIS_VERSION_NUM: 0x00MMmmpp. */
function versionNum(version: string): number {
  const [major, minor, patch] = version.split('.').map(Number);
  return (major << 16) | (minor << 8) | patch;
}

/**
 * The `redis` table EVAL scripts see (luaRegisterRedisAPI plus the debugger
 * stubs eval.c adds): calls into the server, reply helpers, logging,
 * replication and protocol switches, version constants.
 */
export function redisApi(lua: LuaEngine, host: RedisApiHost): LuaTable {
  const t = new LuaTable();
  const fn = (name: string, f: LuaFunction) => t.rawSet(name, f);
  fn('call', (...args) => host.command(args, true));
  fn('pcall', (...args) => host.command(args, false));
  fn('log', function (level: LuaValue, ...parts: LuaValue[]) {
    if (arguments.length < 2) raiseError(lua, 'redis.log() requires two arguments or more.');
    if (typeof level !== 'number' && (typeof level !== 'string' || stringToNumber(level) === undefined)) {
      raiseError(lua, 'First argument must be a number (log level).');
    }
    const n = Math.trunc(looseNumber(level));
    if (n < 0 || n > 3) raiseError(lua, 'Invalid debug level.');
    const words: string[] = [];
    for (const p of parts) {
      if (typeof p === 'string') words.push(p);
      else if (typeof p === 'number') words.push(lua.tostring(p));
    }
    host.log(LOG_LEVELS[n], words.join(' '));
    return [];
  });
  LOG_LEVELS.forEach((name, i) => t.rawSet(`LOG_${name.toUpperCase()}`, i));
  t.rawSet('REDIS_VERSION_NUM', versionNum(host.version));
  t.rawSet('REDIS_VERSION', host.version);
  fn('setresp', function (proto: LuaValue) {
    if (arguments.length !== 1) raiseError(lua, 'redis.setresp() requires one argument.');
    const n = Math.trunc(looseNumber(proto));
    if (n !== 2 && n !== 3) raiseError(lua, 'RESP version must be 2 or 3.');
    host.setResp(n);
    return [];
  });
  fn('sha1hex', function (s: LuaValue) {
    if (arguments.length !== 1) raiseError(lua, 'wrong number of arguments');
    return sha1hex(typeof s === 'string' ? s : typeof s === 'number' ? lua.tostring(s) : '');
  });
  fn('error_reply', function (s: LuaValue) {
    if (arguments.length !== 1 || typeof s !== 'string') return errorTable('ERR wrong number or type of arguments');
    return errorTable(s.startsWith('-') ? s.slice(1) : s);
  });
  fn('status_reply', function (s: LuaValue) {
    if (arguments.length !== 1 || typeof s !== 'string') return errorTable('ERR wrong number or type of arguments');
    const r = new LuaTable(0, 1);
    r.rawSet('ok', s);
    return r;
  });
  fn('set_repl', function (flags: LuaValue) {
    if (arguments.length !== 1) raiseError(lua, 'redis.set_repl() requires one argument.');
    const n = Math.trunc(looseNumber(flags));
    if ((n & ~REPL_ALL) !== 0) raiseError(lua, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    host.setRepl(n);
    return [];
  });
  t.rawSet('REPL_NONE', 0);
  t.rawSet('REPL_AOF', REPL_AOF);
  t.rawSet('REPL_SLAVE', REPL_REPLICA);
  t.rawSet('REPL_REPLICA', REPL_REPLICA);
  t.rawSet('REPL_ALL', REPL_ALL);
  fn('acl_check_cmd', (...args) => host.aclCheck(args));
  // The Lua debugger (SCRIPT DEBUG) does not exist in Sluice: breakpoints never stop, debug output goes nowhere.
  fn('breakpoint', () => false);
  fn('debug', () => []);
  fn('replicate_commands', () => true);
  return t;
}
