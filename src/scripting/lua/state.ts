import { LuaError } from './errors.js';
import { where, type Site } from './site.js';
import type { LuaTable } from './table.js';
import { TAIL, TailEntry, trampoline } from './tail-calls.js';
import type { LuaThread } from './thread.js';
import type { LuaFunction, LuaResult, LuaValue } from './value.js';

/**
 * Lua's LUAI_MAXCALLS: nested Lua calls past this raise "stack overflow".
 * JavaScript's own stack may run out first (about 10,000 frames of compiled
 * Lua at Node's default stack size); that is caught and raised as the same
 * Lua error.
 */
export const MAX_CALL_DEPTH = 20000;

/**
 * Lua's LUAI_MAXCCALLS: calls nested through C (pcall, metamethods,
 * library callbacks, the host's call) past this raise "C stack overflow".
 */
export const MAX_C_CALLS = 200;

/** Lua calls and loop iterations between two calls of the host's hook, unless the host says otherwise. */
export const DEFAULT_HOOK_EVERY = 100000;

/**
 * The mutable state compiled code and the libraries share while a script
 * runs: where the running code is (for error positions and library error
 * messages), the call depth, and the countdown to the host's interrupt hook.
 * One per engine; everything that runs Lua code takes it explicitly.
 */
export class LuaState {
  /**
   * The site of the call being made, or null when the function running was
   * called by a library function or the host (Lua then gives no position).
   */
  site: Site | null = null;
  depth = 0;
  /** Calls in progress that Lua makes through luaD_call (see MAX_C_CALLS). */
  cCalls = 0;
  /**
   * callers[d]: the site that called the Lua function running at depth d
   * (error level 2 and up); a tail call's site, or a TailEntry, where Lua
   * would have replaced frames. The running thread's: a coroutine brings
   * its own, with its depth.
   */
  callers: (Site | null)[] = [];
  /** The coroutine running, null in the main thread. */
  co: LuaThread | null = null;
  /** coroutine.yield: code running in a coroutine yields where it calls this (see twins.ts). */
  yieldFn: LuaValue = undefined;
  /** The tail call left to the caller (tail-calls.ts): function, arguments, site, depth index of the frame that made it. */
  tf: LuaFunction | null = null;
  ta: LuaValue[] = [];
  ts: Site | null = null;
  td = 0;
  /** Counts down per Lua call and loop iteration; the hook runs when it goes negative. */
  budget = DEFAULT_HOOK_EVERY;
  hookEvery = DEFAULT_HOOK_EVERY;
  /**
   * The host's interrupt hook (busy-reply threshold, SCRIPT KILL). It may
   * throw a LuaError to stop the script; it is then called again at the
   * next check, so a script that catches the error with pcall is stopped
   * again at once, as Redis does for a killed script.
   */
  hook: (() => void) | null = null;
  /** The metatable all strings share (its __index is the string library). */
  stringMeta: LuaTable | null = null;
  /** The base library's next and ipairs's iterator: generic for loops run these without calling them. */
  next: LuaValue = undefined;
  /** pairs() returns a next of its own (in Lua 5.1 a second closure of the same C function). */
  pairsNext: LuaValue = undefined;
  ipairsIterator: LuaValue = undefined;

  /**
   * Where enter() leaves its fast path: MAX_CALL_DEPTH, or -1 for one call
   * while a function is asked for its twin (twins.ts), which the function
   * answers when enter() returns -1.
   */
  limit = MAX_CALL_DEPTH;

  /** Function entry: depth accounting and the hook check. Returns the depth to restore on return. */
  enter(): number {
    const d = this.depth;
    if (d >= this.limit) return this.enterPast(d);
    this.callers[d] = this.site;
    this.depth = d + 1;
    if (--this.budget < 0) this.tick();
    return d;
  }

  private enterPast(d: number): number {
    if (this.limit >= 0) throw this.error('stack overflow');
    this.limit = MAX_CALL_DEPTH;
    return -1;
  }

  /**
   * A call made by a library function (a C function in Lua's terms): the
   * library function counts as a level for error(msg, level), the callee
   * sees no calling line, and the state is put back however the call ends.
   */
  callFromC(f: LuaFunction, args: LuaValue[]): LuaResult {
    const saved = this.site;
    const d = this.depth;
    if (d >= MAX_CALL_DEPTH) throw this.error('stack overflow');
    // Raised from the library function's frame, so without a position.
    if (this.cCalls + 1 >= MAX_C_CALLS) throw new LuaError('C stack overflow', saved);
    this.callers[d] = saved === null ? null : saved.plain;
    this.depth = d + 1;
    this.site = null;
    this.cCalls++;
    try {
      const r = f.apply(undefined, args);
      return r === TAIL ? trampoline(this) : r;
    } catch (e) {
      // Raised without a position by a library function: Redis reports the line that called this one.
      if (e instanceof LuaError && e.site === null) e.site = saved;
      throw e;
    } finally {
      this.site = saved;
      this.depth = d;
      this.cCalls--;
    }
  }

  /** Runs the hook; compiled loops call this when the budget runs out, with the loop's site. */
  tick(site?: Site): void {
    if (site !== undefined) this.site = site;
    this.budget = this.hookEvery;
    if (this.hook === null) return;
    try {
      this.hook();
    } catch (e) {
      this.budget = 0;
      throw e;
    }
  }

  /** A runtime error raised by Lua code at `site`: the message gets the position prefix. */
  errorAt(site: Site | null, msg: string): LuaError {
    return new LuaError(where(site) + msg, site);
  }

  /** A runtime error at the current call site (luaL_error from a library function: level 1). */
  error(msg: string): LuaError {
    return this.errorAt(this.site, msg);
  }

  /**
   * The site of the Lua code `level` functions up (1: the caller of the
   * running library function), or null. Levels count as Lua's do: a
   * function reached by tail calls has a level for each frame they
   * replaced, and those levels have no line.
   */
  siteAtLevel(level: number): Site | null {
    if (level === 1) return this.site;
    let lv = level - 1;
    for (let d = this.depth - 1; d >= 0; d--) {
      let e = this.callers[d];
      if (e instanceof TailEntry) {
        if (lv <= e.n) return null;
        lv -= e.n;
        e = e.below;
      }
      if (lv === 1) return e !== null && e.tail ? null : e;
      lv--;
    }
    return null;
  }
}
