import { asLuaError } from './protect.js';
import { MAX_C_CALLS, type LuaState } from './state.js';
import { TAIL } from './tail-calls.js';
import type { CoroutineBody, LuaThread } from './thread.js';
import { gtramp, twinOf, type Twin } from './twins.js';
import { results, type LuaValue } from './value.js';

/** A coroutine's body: its function's twin, then the tail call the function ended with, if any. */
function* body(S: LuaState, twin: Twin, args: LuaValue[]): CoroutineBody {
  const r = yield* twin.apply(undefined, args);
  return r === TAIL ? yield* gtramp(S) : r;
}

/**
 * lua_resume: runs a suspended thread until it yields (ok, the values it
 * yielded), returns (ok, its results; it is dead then) or fails (not ok,
 * the error value; dead too). The thread runs on its own depth and
 * callers, one C call deeper than the resumer (Lua's nCcalls carries
 * over); the resumer's state is put back however it ends.
 */
export function resume(S: LuaState, co: LuaThread, args: LuaValue[]): { ok: boolean; values: LuaValue[] } {
  if (S.cCalls >= MAX_C_CALLS) return { ok: false, values: ['C stack overflow'] };
  const prev = S.co;
  const depth = S.depth;
  const callers = S.callers;
  const site = S.site;
  const cCalls = S.cCalls;
  if (prev !== null) prev.status = 'normal';
  co.status = 'running';
  S.co = co;
  S.depth = co.depth;
  S.callers = co.callers;
  S.site = co.site;
  S.cCalls = cCalls + 1;
  let outcome: { ok: boolean; values: LuaValue[] };
  try {
    let step: IteratorResult<LuaValue[], unknown>;
    if (co.body === null) {
      co.body = body(S, twinOf(S, co.fn)!, args);
      step = co.body.next();
    } else {
      step = co.body.next(args);
    }
    if (step.done === true) {
      co.status = 'dead';
      outcome = { ok: true, values: results(step.value as LuaValue) };
    } else {
      co.status = 'suspended';
      co.depth = S.depth;
      co.site = S.site;
      outcome = { ok: true, values: step.value };
    }
  } catch (e) {
    co.status = 'dead';
    outcome = { ok: false, values: [asLuaError(S, e).value] };
  } finally {
    S.co = prev;
    if (prev !== null) prev.status = 'running';
    S.depth = depth;
    S.callers = callers;
    S.site = site;
    S.cCalls = cCalls;
  }
  // The hook stopped the coroutine (SCRIPT KILL, a time limit): it stops the resumer too, rather than
  // leave it to the resumer's next check, which a script ending right after the resume never reaches.
  if (!outcome.ok && S.budget <= 0) S.tick();
  return outcome;
}
