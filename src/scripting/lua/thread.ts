import type { Site } from './site.js';
import type { LuaFunction, LuaResult, LuaValue } from './value.js';

/**
 * A coroutine's body as it runs: the generator of its function's
 * generator version (see twins.ts). It yields the values coroutine.yield
 * was given and receives the values of the next resume.
 */
export type CoroutineBody = Generator<LuaValue[], LuaResult, LuaValue[]>;

/**
 * A Lua thread (coroutine.create's value, type "thread"): its status and,
 * as in Lua where every thread has a stack of its own, the call depth and
 * callers of the code suspended in it, which the state takes over while it
 * runs (error levels and "stack overflow" count within one thread).
 */
export class LuaThread {
  /** "running" is the state's current thread; a thread that resumed another is "normal". */
  status: 'suspended' | 'running' | 'normal' | 'dead' = 'suspended';
  /** Made by the first resume, which passes the function its arguments. */
  body: CoroutineBody | null = null;
  depth = 0;
  callers: (Site | null)[] = [];
  site: Site | null = null;

  constructor(readonly fn: LuaFunction) {}
}
