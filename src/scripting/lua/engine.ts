import { SHARED_CHUNKS } from './chunk-cache.js';
import type { CompiledChunk } from './compile.js';
import { LuaError } from './errors.js';
import { openBase } from './lib/base.js';
import { openBit } from './lib/bit.js';
import { openCjson } from './lib/cjson.js';
import { openCmsgpack } from './lib/cmsgpack.js';
import { openCoroutine } from './lib/coroutine.js';
import { openMath } from './lib/math.js';
import { Rand48 } from './lib/rand48.js';
import { openString } from './lib/string.js';
import { openStruct } from './lib/struct.js';
import { openTable } from './lib/table.js';
import { rawToString, toStringMeta } from './lib/tostring.js';
import { asLuaError } from './protect.js';
import { LuaState, MAX_C_CALLS } from './state.js';
import { LuaTable } from './table.js';
import { settle } from './tail-calls.js';
import { results, type LuaFunction, type LuaValue } from './value.js';

/**
 * The host API: one Lua "state" as Redis keeps one (its globals with the
 * libraries Redis loads, the string metatable, the random generator), and
 * what a host needs to run scripts in it.
 *
 *   const lua = new LuaEngine();
 *   lua.globals.rawSet('redis', redisTable);   // the host's functions (LuaFunction)
 *   lua.sandbox();                              // Redis 7's protection of the globals
 *   const chunk = lua.compile(body, '@user_script');   // throws LuaSyntaxError; cache by SHA1
 *   const main = lua.load(chunk);                // once per chunk and environment
 *   lua.setGlobal('KEYS', LuaTable.fromArray(keys));  // past the protection, as Redis does
 *   const values = lua.call(main);               // LuaValue[]; throws LuaError
 *
 * Host functions take Lua values and return one value or an array of
 * values (see value.ts); they raise Lua errors by throwing `lua.error(v)`.
 * A LuaError carries the raised value and the site (chunk and line) that
 * was running, which Redis's error handler reports as "on @user_script:3".
 * The hook (setHook) runs every `every` Lua calls and loop iterations; it
 * may throw a LuaError to stop the script (busy scripts, SCRIPT KILL), and
 * keeps being called at every check after that, so pcall cannot swallow
 * it for long. The script runs on the caller's thread: the hook cannot
 * read a socket, so a SCRIPT KILL from another client has to reach it by
 * shared state another thread writes (an Atomics flag, for instance).
 *
 * Converting results to replies is the host's: LuaTable.getStr('err'),
 * getInt(i) up to the first nil, typeof checks for the rest.
 */
export class LuaEngine {
  readonly state = new LuaState();
  readonly globals = new LuaTable();
  /** math.random's generator; Redis has one per process, so engines may share one. */
  readonly random: Rand48;

  constructor(opts: { random?: Rand48 } = {}) {
    this.random = opts.random ?? new Rand48();
    void SHARED_CHUNKS.prepare();
    const S = this.state;
    const G = this.globals;
    const set = (t: LuaTable, fields: Record<string, LuaValue>) => {
      for (const [k, v] of Object.entries(fields)) t.rawSet(k, v);
      return t;
    };
    set(G, openBase(S, { globals: G, load: (source, name) => this.load(this.compile(source, name)) }));
    const lib = (name: string, fields: Record<string, LuaValue>) => {
      const t = set(new LuaTable(), fields);
      G.rawSet(name, t);
      return t;
    };
    lib('table', openTable(S));
    const string = lib('string', openString(S));
    lib('math', openMath(S, this.random));
    lib('cjson', openCjson(S));
    lib('struct', openStruct(S));
    lib('cmsgpack', openCmsgpack(S));
    lib('bit', openBit(S));
    lib('coroutine', openCoroutine(S));
    const stringMeta = new LuaTable();
    stringMeta.rawSet('__index', string);
    S.stringMeta = stringMeta;
  }

  /**
   * Compiles Lua source (throws LuaSyntaxError with Lua's message, e.g.
   * "user_script:1: '=' expected near 'x'"); every engine in the process
   * shares the compiled chunks (chunk-cache.ts). `durable` chunks (a
   * script or library a client sent) are also kept on disk for the next
   * process; chunks a script makes at run time with loadstring are not.
   * `firstForm` is compileLua's: for a chunk whose first run waits for it.
   */
  compile(source: string, chunkName = '@user_script', durable = false, firstForm = false): CompiledChunk {
    return SHARED_CHUNKS.compile(source, chunkName, durable, firstForm);
  }

  /** Resolves once the on-disk store of compiled chunks is ready to be read (compile-store.ts). */
  static storeReady(): Promise<void> {
    return SHARED_CHUNKS.prepare();
  }

  /** Resolves once the compiled chunks waiting to be stored are written. */
  static storeSettled(): Promise<void> {
    return SHARED_CHUNKS.settled();
  }

  /** The chunk's main function over an environment (the globals by default). */
  load(chunk: CompiledChunk, env: LuaTable = this.globals): LuaFunction {
    return chunk.instantiate(this.state, env);
  }

  /**
   * Calls a Lua (or host) function from the host, protected: the results
   * as an array, or a LuaError thrown (JavaScript failures inside, such as
   * running out of stack, arrive as Lua errors). Calls may nest (a host
   * function calling back into Lua); each restores the state it found.
   */
  call(fn: LuaFunction, args: LuaValue[] = []): LuaValue[] {
    const S = this.state;
    const depth = S.depth;
    const site = S.site;
    const cCalls = S.cCalls;
    S.site = null;
    if (depth === 0) S.budget = S.hookEvery;
    try {
      if (S.cCalls + 1 >= MAX_C_CALLS) throw new LuaError('C stack overflow');
      S.cCalls++;
      return results(settle(S, fn.apply(undefined, args)));
    } catch (e) {
      throw asLuaError(S, e);
    } finally {
      S.depth = depth;
      S.site = site;
      S.cCalls = cCalls;
    }
  }

  /** Installs the interrupt hook, run every `every` calls and loop iterations (null removes it). */
  setHook(hook: (() => void) | null, every = this.state.hookEvery): void {
    this.state.hook = hook;
    this.state.hookEvery = every;
    this.state.budget = every;
  }

  /** A Lua error for a host function to throw, placed at the Lua code that called it. */
  error(value: LuaValue): LuaError {
    return new LuaError(value, this.state.site);
  }

  /** Lua's tostring(), __tostring included (for the host's error messages). */
  tostring(v: LuaValue): string {
    const s = toStringMeta(this.state, v);
    return typeof s === 'string' ? s : rawToString(s);
  }

  /** Sets a global past the protection (as Redis sets KEYS and ARGV). */
  setGlobal(name: string, value: LuaValue): void {
    this.globals.rawSet(name, value);
  }

  /**
   * A handle on one global for a host that sets it on every call (KEYS,
   * ARGV): it remembers the global's slot, so setting costs no lookup.
   */
  globalRef(name: string): GlobalRef {
    return new GlobalRef(this.globals, name);
  }

  /**
   * Redis 7's sandbox: reading a global that does not exist raises "Script
   * attempted to access nonexistent global variable 'x'", and the globals
   * and every table reachable from them (libraries, metatables) become
   * readonly ("Attempt to modify a readonly table"). So is the metatable
   * all strings share, as in Redis since CVE-2025-46818: reachable through
   * getmetatable(''), a field set there would run inside every later
   * script, with that script's caller's rights.
   */
  sandbox(): void {
    this.globals.metatable = errorMetatable(this.state);
    protectRecursively(this.globals);
    if (this.state.stringMeta !== null) protectRecursively(this.state.stringMeta);
  }
}

export class GlobalRef {
  private slot = -1;

  constructor(
    private readonly globals: LuaTable,
    readonly name: string,
  ) {}

  /** Sets the global past the protection, as setGlobal does. */
  set(value: LuaValue): void {
    const g = this.globals;
    const nk = g.nk;
    if (nk !== null && nk[this.slot] === this.name) {
      g.nv[this.slot] = value;
      return;
    }
    g.rawSet(this.name, value);
    this.slot = g.nk === null ? -1 : g.slotOf(this.name);
  }
}

/** luaSetErrorMetatable: __index raises for any missing key (Redis's globals, its `redis` tables). */
export function errorMetatable(S: LuaState): LuaTable {
  const mt = new LuaTable();
  mt.rawSet('__index', (_t: LuaValue, k: LuaValue) => {
    throw S.error(`Script attempted to access nonexistent global variable '${rawToString(k)}'`);
  });
  return mt;
}

/** luaSetTableProtectionRecursively: the table, the tables in it and their metatables become readonly. */
export function protectRecursively(t: LuaTable): void {
  if (t.readonly) return;
  t.readonly = true;
  for (let e = t.next(undefined); e !== null; e = t.next(e[0])) {
    if (e[1] instanceof LuaTable) protectRecursively(e[1]);
  }
  if (t.metatable !== null) protectRecursively(t.metatable);
}
