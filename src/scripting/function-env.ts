import { errorTable } from './lua-reply.js';
import { errorMetatable, LuaError, LuaSyntaxError, LuaTable, NONE, protectRecursively, type LuaEngine, type LuaResult, type LuaValue } from './lua/index.js';
import { openBase } from './lua/lib/base.js';
import { raiseError } from './redis-api.js';
import type { FunctionInfo, Library } from './library-set.js';
import { validName } from './library-metadata.js';
import { COMPAT_FLAGS, FLAG_NAMES, type ScriptFlags } from './shebang.js';

/** Lua calls and loop iterations between two looks at the clock while a library loads. */
const LOAD_HOOK_EVERY = 10000;

/** What EVAL's `redis` table has and a function's does not: eval.c adds the debugger's entries. */
const EVAL_ONLY = new Set(['breakpoint', 'debug', 'replicate_commands']);

/** Globals EVAL sets for each script, which functions never see. */
const EVAL_GLOBALS = new Set(['KEYS', 'ARGV']);

/**
 * The Lua side of functions (Redis's function_lua.c), on the scripting
 * engine. Redis gives functions a Lua state of their own whose globals are
 * an empty readonly table reading through its metatable: at run time the
 * real globals (the libraries and the `redis` API, no KEYS or ARGV), while
 * a library loads only `redis.register_function`, `redis.log`, the log
 * levels and the version. Sluice builds the same: every library's code runs
 * over `globals`, whose metatable's __index is switched for the load. No
 * library can keep state in globals, so libraries need no environments of
 * their own.
 */
export class FunctionEnv {
  /** The globals of all library code and of the functions it defines. */
  private readonly globals = new LuaTable();
  private readonly meta = new LuaTable();
  /** What functions see when they run. */
  private readonly runtime = new LuaTable();
  /** What library code sees while it loads. */
  private readonly loadApi = new LuaTable();
  /** The library loading now, which redis.register_function adds to. */
  private loading: Library | null = null;

  constructor(private readonly lua: LuaEngine) {
    const S = lua.state;
    const evalGlobals = lua.globals;
    const runtime = this.runtime;
    for (let e = evalGlobals.next(undefined); e !== null; e = evalGlobals.next(e[0])) {
      if (!EVAL_GLOBALS.has(e[0] as string)) runtime.rawSet(e[0], e[1]);
    }
    const evalRedis = evalGlobals.getStr('redis') as LuaTable;
    const redis = new LuaTable();
    for (let e = evalRedis.next(undefined); e !== null; e = evalRedis.next(e[0])) {
      if (!EVAL_ONLY.has(e[0] as string)) redis.rawSet(e[0], e[1]);
    }
    runtime.rawSet('redis', redis);
    // Chunks compiled at run time (loadstring) get the functions' globals, and _G names theirs, not EVAL's.
    const base = openBase(S, { globals: runtime, load: (source, name) => lua.load(lua.compile(source, name), this.globals) });
    for (const name of ['_G', 'load', 'loadstring', 'getfenv']) runtime.rawSet(name, base[name]);
    runtime.metatable = errorMetatable(S);
    protectRecursively(runtime);

    const loadRedis = new LuaTable();
    loadRedis.rawSet('register_function', (...args: LuaValue[]) => this.registerFunction(args));
    for (const name of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
      loadRedis.rawSet(name, evalRedis.getStr(name));
    }
    loadRedis.metatable = errorMetatable(S);
    this.loadApi.rawSet('redis', loadRedis);
    this.loadApi.metatable = errorMetatable(S);
    protectRecursively(this.loadApi);

    this.meta.rawSet('__index', runtime);
    this.meta.readonly = true;
    this.globals.metatable = this.meta;
    this.globals.readonly = true;
  }

  /**
   * Compiles a library's code and runs it so that it registers its
   * functions into `lib` (luaEngineCreate). Returns Redis's error, without
   * its ERR, or null. Past `timeoutMs` (0: none) the code is stopped.
   */
  load(lib: Library, code: string, timeoutMs: number): string | null {
    const lua = this.lua;
    let main;
    try {
      main = lua.load(lua.compile(code, '@user_function', true), this.globals);
    } catch (e) {
      if (e instanceof LuaSyntaxError) return `Error compiling function: ${e.message}`;
      throw e;
    }
    const { hook, hookEvery } = lua.state;
    const start = performance.now();
    lua.setHook(() => {
      if (timeoutMs > 0 && performance.now() - start > timeoutMs) throw lua.error(errorTable('ERR FUNCTION LOAD timeout'));
    }, LOAD_HOOK_EVERY);
    this.meta.rawSet('__index', this.loadApi);
    this.loading = lib;
    try {
      lua.call(main);
      return null;
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      return `Error registering functions: ${this.loadError(e.value)}`;
    } finally {
      this.loading = null;
      this.meta.rawSet('__index', this.runtime);
      lua.setHook(hook, hookEvery);
    }
  }

  /** luaExtractErrorInformation without a handler: a string is prefixed with ERR, a table gives its err. */
  private loadError(v: LuaValue): string {
    if (v instanceof LuaTable) {
      const err = v.getStr('err');
      return typeof err === 'string' || typeof err === 'number' ? this.lua.tostring(err) : '(null)';
    }
    return 'ERR ' + this.lua.tostring(v);
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=…, callback=…, flags=…, description=…}. */
  private registerFunction(args: LuaValue[]): LuaResult {
    const lib = this.loading;
    if (lib === null) raiseError(this.lua, 'redis.register_function can only be called on FUNCTION LOAD command');
    let reg: Registration;
    if (args.length === 1) reg = this.namedArgs(args[0]);
    else if (args.length === 2) reg = this.positionalArgs(args[0], args[1]);
    else raiseError(this.lua, 'wrong number of arguments to redis.register_function');
    if (!validName(reg.name)) {
      raiseError(this.lua, 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
    }
    if (lib.functions.has(reg.name)) raiseError(this.lua, 'Function already exists in the library');
    lib.functions.set(reg.name, { ...reg, library: lib });
    return NONE;
  }

  private positionalArgs(name: LuaValue, callback: LuaValue): Registration {
    const n = this.str(name);
    if (n === null) raiseError(this.lua, 'first argument to redis.register_function must be a string');
    if (typeof callback !== 'function') raiseError(this.lua, 'second argument to redis.register_function must be a function');
    return { name: n, description: null, flags: { ...COMPAT_FLAGS, compat: false }, fn: callback };
  }

  private namedArgs(t: LuaValue): Registration {
    const lua = this.lua;
    if (!(t instanceof LuaTable)) {
      raiseError(lua, 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
    }
    let name: string | null = null;
    let description: string | null = null;
    let fn: Registration['fn'] | null = null;
    let flags: ScriptFlags = { ...COMPAT_FLAGS, compat: false };
    for (let e = t.next(undefined); e !== null; e = t.next(e[0])) {
      const key = this.str(e[0]);
      if (key === null) raiseError(lua, 'named argument key given to redis.register_function is not a string');
      const v = e[1];
      switch (key.toLowerCase()) {
        case 'function_name':
          name = this.str(v);
          if (name === null) raiseError(lua, 'function_name argument given to redis.register_function must be a string');
          break;
        case 'description':
          description = this.str(v);
          if (description === null) raiseError(lua, 'description argument given to redis.register_function must be a string');
          break;
        case 'callback':
          if (typeof v !== 'function') raiseError(lua, 'callback argument given to redis.register_function must be a function');
          fn = v;
          break;
        case 'flags':
          if (!(v instanceof LuaTable)) raiseError(lua, 'flags argument to redis.register_function must be a table representing function flags');
          flags = this.flags(v);
          break;
        default:
          raiseError(lua, 'unknown argument given to redis.register_function');
      }
    }
    if (name === null) raiseError(lua, 'redis.register_function must get a function name argument');
    if (fn === null) raiseError(lua, 'redis.register_function must get a callback argument');
    return { name, description, flags, fn };
  }

  /** luaRegisterFunctionReadFlags: the array part up to the first nil, each a flag name in any case. */
  private flags(t: LuaTable): ScriptFlags {
    const flags: ScriptFlags = { ...COMPAT_FLAGS, compat: false };
    for (let j = 1; ; j++) {
      const v = t.getInt(j);
      if (v === undefined) return flags;
      const name = this.str(v);
      const field = name === null ? undefined : FLAG_NAMES[name.toLowerCase() as keyof typeof FLAG_NAMES];
      if (field === undefined) raiseError(this.lua, 'unknown flag given');
      flags[field] = true;
    }
  }

  /** lua_isstring and lua_tostring: strings, and numbers as Lua writes them. */
  private str(v: LuaValue): string | null {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return this.lua.tostring(v);
    return null;
  }
}

type Registration = Omit<FunctionInfo, 'library'>;
