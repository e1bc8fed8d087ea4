import { LuaError } from './errors.js';
import { metamethod } from './metatables.js';
import { where } from './site.js';
import type { LuaState } from './state.js';
import { typeName, type LuaFunction, type LuaValue } from './value.js';

/**
 * Anything thrown while Lua code ran, as the Lua error it stands for.
 * JavaScript's own failures become Lua errors too, so no script can take
 * the process down: running out of stack is Lua's "stack overflow" (at the
 * last call made), a string or array past V8's limits is Lua's "not enough
 * memory", and anything else (a bug in the engine) an error that says so.
 */
export function asLuaError(S: LuaState, e: unknown): LuaError {
  if (e instanceof LuaError) {
    // Raised without a position (by a library function): Redis still reports the Lua line running.
    if (e.site === null) e.site = S.site;
    return e;
  }
  if (e instanceof RangeError) {
    if (/call stack/i.test(e.message)) return new LuaError(where(S.site) + 'stack overflow', S.site);
    if (/Invalid (string|array|typed array) length|Array buffer allocation failed/i.test(e.message)) {
      return new LuaError('not enough memory', S.site);
    }
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new LuaError(where(S.site) + `internal error: ${msg}`, S.site);
}

/** A value called from a library function or the host: functions, or tables with __call. */
export function callableFromHost(S: LuaState, f: LuaValue): LuaFunction {
  if (typeof f === 'function') return f;
  const mm = metamethod(S, f, '__call');
  if (typeof mm === 'function') return (...args: LuaValue[]) => mm(f, ...args);
  // Called from C, Lua gives neither a name nor a position.
  throw new LuaError(`attempt to call a ${typeName(f)} value`);
}
