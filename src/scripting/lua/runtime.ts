import { add, div, mod, mul, pow, sub, unm } from './ops-arith.js';
import { callable } from './ops-call.js';
import { eq, ge, gt, le, lt } from './ops-compare.js';
import { concat, len } from './ops-concat.js';
import { index, indexStr, setIndex, setIndexStr } from './ops-index.js';
import { forNum, iterateResult } from './ops-loop.js';
import { tlist, tnew, tset, tsetList } from './ops-table.js';
import { allResults, firstResult, TAIL, tailcall, trampoline } from './tail-calls.js';
import { gcall, gtail, gtramp, twinOf } from './twins.js';
import { NONE } from './value.js';

/**
 * Everything compiled code calls, by the names it uses: the factory
 * receives this object and binds each entry to a constant of its own, so
 * calls are direct and V8 can inline them.
 */
export const RUNTIME = {
  add,
  sub,
  mul,
  div,
  mod,
  pow,
  unm,
  concat,
  len,
  eq,
  lt,
  le,
  gt,
  ge,
  index,
  indexStr,
  setIndex,
  setIndexStr,
  callable,
  forNum,
  iterateResult,
  tnew,
  tlist,
  tset,
  tsetList,
  TAIL,
  tailcall,
  trampoline,
  gcall,
  gtail,
  gtramp,
  twinOf,
  $first: firstResult,
  $all: allResults,
  $NONE: NONE,
};

export const RUNTIME_NAMES = Object.keys(RUNTIME);
