import { isString, type Value } from '../keyspace/value.js';
import { stringText } from '../store/string/string-access.js';

/** A value's type cannot be rewritten: the rewrite fails rather than lose the key. */
export class RebuildError extends Error {}

function* single(cmd: string[]): Iterator<string[]> {
  yield cmd;
}

/**
 * The commands that recreate `key` holding `value` as it is now, without
 * its TTL: SET for a string, the rebuild commands of the type's snapshot
 * otherwise (see TypedValue.snapshot), so the iterator may be drained over
 * later slices whatever happens to the value meanwhile.
 */
export function rebuildCommands(key: string, value: Value): Iterator<string[]> {
  if (isString(value)) return single(['SET', key, stringText(value)]);
  if (value.snapshot === undefined) {
    throw new RebuildError(`the ${value.type} type has no snapshot: keys of this type cannot be rewritten yet`);
  }
  return value.snapshot().rebuildCommands(key);
}
