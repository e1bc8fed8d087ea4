import { chooseOrdered } from './set-random.js';
import { ownCopy } from '../../keyspace/compact/packed.js';
import type { SetLimits } from './set-encoding.js';
import { SetValue } from './set-value.js';

/** SPOP rebuilds the set from what stays once fewer than 1/5 of the popped would stay. */
const SPOP_MOVE_STRATEGY_MUL = 5;

/**
 * SPOP's strategies for a count below the set's size (Redis's
 * spopWithCountCommand): while many members stay, pop random ones (a
 * listpack: an ordered random subset, taken out in one pass); otherwise
 * move the few that stay into a new set, which replaces the old contents
 * and so may take a smaller encoding. Returns the popped members in the
 * order Redis replies with them.
 */
export function popSome(set: SetValue, count: number, lim: SetLimits): string[] {
  const size = set.size;
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    if (set.isListpack) return set.listpackTake(chooseOrdered(size, count), true);
    const popped: string[] = [];
    for (let i = 0; i < count; i++) popped.push(set.popRandom());
    return popped;
  }
  const kept = keepRandom(set, remaining, lim);
  const popped = set.members();
  set.adopt(kept);
  return popped;
}

/**
 * Moves `remaining` random members of `set` into a new set: for a listpack
 * a new listpack of an ordered random subset; otherwise a set that starts
 * as an intset (an intset's members are integers) or a listpack (a
 * hashtable's are strings, integers or not), each member added with the
 * usual conversions.
 */
function keepRandom(set: SetValue, remaining: number, lim: SetLimits): SetValue {
  if (set.isListpack) {
    const kept = SetValue.listpack();
    for (const m of set.listpackTake(chooseOrdered(set.size, remaining), true)) kept.add(ownCopy(m), lim);
    return kept;
  }
  const kept = set.isIntset ? SetValue.intset() : SetValue.listpack();
  for (let i = 0; i < remaining; i++) kept.add(set.popRandom(), lim);
  return kept;
}
