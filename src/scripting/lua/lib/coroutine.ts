import { LuaError } from '../errors.js';
import { numberToString } from '../number-format.js';
import { resume } from '../resume.js';
import { where } from '../site.js';
import type { LuaState } from '../state.js';
import { LuaThread } from '../thread.js';
import { isLuaFunction, type LuaFunction, type LuaResult, type LuaValue } from '../value.js';
import { argError } from './args.js';

/**
 * The coroutine library as Lua 5.1 has it (lbaselib.c): create, resume,
 * yield, status, wrap and running, with 5.1's messages. How a coroutine
 * runs is twins.ts's and resume.ts's; yield is recognised by the calls of
 * code running in a coroutine, so the function itself is only ever called
 * where yielding is not possible.
 */
export function openCoroutine(S: LuaState): Record<string, LuaValue> {
  function checkThread(co: LuaValue): LuaThread {
    if (co instanceof LuaThread) return co;
    throw argError(S, 1, 'coroutine expected');
  }

  function create(f: LuaValue): LuaThread {
    if (!isLuaFunction(f)) throw argError(S, 1, 'Lua function expected');
    return new LuaThread(f as LuaFunction);
  }

  /** auxresume: the values, or an error value (not ok) for a thread that cannot be resumed or failed. */
  function run(co: LuaThread, args: LuaValue[]): { ok: boolean; values: LuaValue[] } {
    const status = co === S.co ? 'running' : co.status;
    if (status !== 'suspended') return { ok: false, values: [`cannot resume ${status} coroutine`] };
    return resume(S, co, args);
  }

  function yieldOutside(): LuaResult {
    // Lua 5.1 says this in the main thread too, and without a position.
    throw new LuaError('attempt to yield across metamethod/C-call boundary');
  }
  S.yieldFn = yieldOutside;

  return {
    create,

    resume(co: LuaValue, ...args: LuaValue[]): LuaResult {
      const r = run(checkThread(co), args);
      return [r.ok, ...r.values];
    },

    yield: yieldOutside,

    status(co: LuaValue): LuaResult {
      const t = checkThread(co);
      return t === S.co ? 'running' : t.status;
    },

    wrap(f: LuaValue): LuaResult {
      const co = create(f);
      const wrapped: LuaFunction = (...args: LuaValue[]) => {
        const r = run(co, args);
        if (r.ok) return r.values;
        let e = r.values[0];
        // luaB_auxwrap: a message gets the position of the code that called the wrapper.
        if (typeof e === 'string' || typeof e === 'number') e = where(S.site) + (typeof e === 'number' ? numberToString(e) : e);
        throw new LuaError(e, S.site);
      };
      return wrapped;
    },

    running(): LuaResult {
      // Lua 5.1 gives nil in the main thread (5.2 gives the main thread and a boolean).
      return S.co ?? undefined;
    },
  };
}
