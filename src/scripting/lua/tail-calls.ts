import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import { Site } from './site.js';
import type { LuaState } from './state.js';
import { first, isLuaFunction, results, type LuaFunction, type LuaResult, type LuaValue } from './value.js';

/**
 * Proper tail calls. Compiled `return f(...)` calls f directly (one
 * JavaScript frame, as any call), except in a function at a depth one
 * short of a multiple of 32 (compiler/calls.ts): that one returns TAIL
 * instead, with the call left in the state, and the nearest call that is
 * not a tail call (compiled code, or anything that calls Lua from
 * JavaScript: see settle) makes it, in a loop. So a chain of tail calls
 * never holds more than 32 frames, however long it runs; direct tail calls
 * cost nothing more than a call, and other calls find TAIL where they
 * already tell several results from one.
 */

/**
 * What a Lua function returns when it leaves its tail call to the caller.
 * An array, so that code taking results finds it where it already looks
 * for several results; never a Lua value, nor results.
 */
export const TAIL = Object.freeze([]) as unknown as LuaValue[];

/**
 * The caller recorded for a function a left tail call started: `n` frames
 * were replaced (error levels find no line there, as Lua's "(tail call)"
 * levels), below them the caller of the first. Read as a site it is the
 * tail call's own place, for the callee's errors before its first line.
 */
export class TailEntry extends Site {
  constructor(
    call: Site,
    readonly below: Site | null,
    readonly n: number,
  ) {
    super(call.chunk, call.line, call.what, call.name, call.d1, call.d2);
    this.plain = call.plain;
  }
}

/** The function a call of a non-function value at `site` runs, with the value as its first argument (__call). */
export function callTarget(S: LuaState, f: LuaValue, args: LuaValue[], site: Site): LuaFunction {
  if (typeof f === 'function') return f;
  const mm = metamethod(S, f, '__call');
  if (typeof mm !== 'function') {
    const desc = site.what === undefined ? undefined : `${site.what} '${site.name}'`;
    throw S.errorAt(site, typeError('call', f, desc));
  }
  args.unshift(f);
  return mm;
}

/**
 * `return f(...)` at a depth where the call is left to the caller: the
 * call is stored and TAIL returned. A library function is called at once:
 * Lua never tail-calls C functions, they run on the caller's frame.
 * `d` is the depth index of the function making the call.
 */
export function tailcall(S: LuaState, f: LuaValue, args: LuaValue[], site: Site, d: number): LuaResult {
  const fn = callTarget(S, f, args, site);
  if (!isLuaFunction(fn)) return fn.apply(undefined, args);
  S.tf = fn;
  S.ta = args;
  S.ts = site;
  S.td = d;
  return TAIL;
}

/**
 * The caller entry for the stored tail call, made from depth index `j`
 * (the frame of the first function the chain of tail calls replaced).
 * Entries merge, so that an endless chain keeps one entry.
 */
export function pendingEntry(S: LuaState, j: number): TailEntry {
  const n = S.td - j + 1;
  const below = S.callers[j] ?? null;
  return below instanceof TailEntry ? new TailEntry(S.ts!, below.below, below.n + n) : new TailEntry(S.ts!, below, n);
}

/** Makes the stored tail call, and the ones it leaves in turn, until one returns results. */
export function trampoline(S: LuaState): LuaResult {
  const j = S.depth;
  let r: LuaResult;
  do {
    S.site = pendingEntry(S, j);
    r = S.tf!.apply(undefined, S.ta);
  } while (r === TAIL);
  return r;
}

/** A Lua function's result as JavaScript calling it must take it: its tail call made. */
export function settle(S: LuaState, r: LuaResult): LuaResult {
  return r === TAIL ? trampoline(S) : r;
}

/** A call's first result (nil when there is none), as a single-value context takes it. */
export function firstResult(S: LuaState, r: LuaResult): LuaValue {
  if (!Array.isArray(r)) return r;
  return r !== TAIL ? r[0] : first(trampoline(S));
}

/** All results of a call as an array (a fresh array only when the call returned one value). */
export function allResults(S: LuaState, r: LuaResult): LuaValue[] {
  if (!Array.isArray(r)) return [r];
  return r !== TAIL ? r : results(trampoline(S));
}
