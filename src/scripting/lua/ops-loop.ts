import { callable } from './ops-call.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { stringToNumber } from './string-to-number.js';
import { settle, TAIL, trampoline } from './tail-calls.js';
import { LuaTable } from './table.js';
import type { LuaResult, LuaValue } from './value.js';

/** A numeric for's start, limit or step: a number, or a string that reads as one. */
export function forNum(S: LuaState, v: LuaValue, what: string, site: Site): number {
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' ? stringToNumber(v) : undefined;
  if (n === undefined) throw S.errorAt(site, `'for' ${what} must be a number`);
  return n;
}

/**
 * The generic for's iteration. step() advances and reports whether the loop
 * goes on; k and v are the first two loop values, extra(i) any further one.
 */
export interface Iteration {
  k: LuaValue;
  v: LuaValue;
  step(): boolean;
  extra(i: number): LuaValue;
}

/**
 * pairs()/next over a table without calling next: a position in the
 * table's traversal order (array part, then node slots), found again from
 * the last key if the table was resized meanwhile, exactly where next()
 * would continue.
 */
class TableIteration implements Iteration {
  k: LuaValue = undefined;
  v: LuaValue = undefined;
  private pos: number;
  private shape: number;

  constructor(
    private readonly t: LuaTable,
    start: LuaValue,
  ) {
    this.shape = t.shape;
    this.pos = t.findIndex(start) + 1;
  }

  step(): boolean {
    const t = this.t;
    if (t.shape !== this.shape) {
      this.shape = t.shape;
      this.pos = t.findIndex(this.k) + 1;
    }
    const arr = t.arr;
    let i = this.pos;
    for (; i < arr.length; i++) {
      if (arr[i] !== undefined) {
        this.k = i + 1;
        this.v = arr[i];
        this.pos = i + 1;
        return true;
      }
    }
    const nk = t.nk;
    if (nk !== null) {
      const nv = t.nv;
      for (let j = i - arr.length; j < nk.length; j++) {
        if (nv[j] !== undefined) {
          this.k = nk[j];
          this.v = nv[j];
          this.pos = arr.length + j + 1;
          return true;
        }
      }
    }
    this.pos = arr.length + (nk === null ? 0 : nk.length);
    return false;
  }

  extra(): LuaValue {
    return undefined;
  }
}

/** ipairs(t): t[1], t[2], ... (raw) until the first nil. */
class ArrayIteration implements Iteration {
  k: LuaValue = undefined;
  v: LuaValue = undefined;

  constructor(
    private readonly t: LuaTable,
    private i: number,
  ) {}

  step(): boolean {
    const v = this.t.getInt(++this.i);
    if (v === undefined) return false;
    this.k = this.i;
    this.v = v;
    return true;
  }

  extra(): LuaValue {
    return undefined;
  }
}

/** Any other iterator: called with the state and the control value until its first result is nil. */
class CallIteration implements Iteration {
  k: LuaValue;
  v: LuaValue = undefined;
  private last: LuaResult = undefined;

  constructor(
    private readonly S: LuaState,
    private readonly f: LuaValue,
    private readonly s: LuaValue,
    ctl: LuaValue,
    private readonly site: Site,
  ) {
    this.k = ctl;
  }

  step(): boolean {
    const fn = callable(this.S, this.f, this.site);
    this.S.site = this.site;
    const r = settle(this.S, fn(this.s, this.k));
    this.last = r;
    if (Array.isArray(r)) {
      this.k = r[0];
      this.v = r[1];
    } else {
      this.k = r;
      this.v = undefined;
    }
    return this.k !== undefined;
  }

  extra(i: number): LuaValue {
    return Array.isArray(this.last) ? this.last[i] : undefined;
  }
}

function iterate(S: LuaState, f: LuaValue, s: LuaValue, ctl: LuaValue, site: Site): Iteration {
  if (s instanceof LuaTable) {
    if (f === S.pairsNext || f === S.next) return new TableIteration(s, ctl);
    if (f === S.ipairsIterator && typeof ctl === 'number') return new ArrayIteration(s, ctl);
  }
  return new CallIteration(S, f, s, ctl, site);
}

/** iterate() over the values of an explist (an iterator call's result, or a list). */
export function iterateResult(S: LuaState, r: LuaResult, site: Site): Iteration {
  if (!Array.isArray(r)) return iterate(S, r, undefined, undefined, site);
  if (r === TAIL) return iterateResult(S, trampoline(S), site);
  return iterate(S, r[0], r[1], r[2], site);
}
