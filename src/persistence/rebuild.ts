import { isString, stringText, type Value } from '../store/keyspace/value.js';

/** A value's type cannot be rewritten: the rewrite fails rather than lose the key. */
export class RebuildError extends Error {}

function* single(cmd: string[]): Iterator<string[]> {
  yield cmd;
}

/**
 * The commands that recreate `key` holding `value`, without its TTL: SET
 * for a string, the type's own rebuildCommands otherwise (see TypedValue).
 */
export function rebuildCommands(key: string, value: Value): Iterator<string[]> {
  if (isString(value)) return single(['SET', key, stringText(value)]);
  if (value.rebuildCommands === undefined) {
    throw new RebuildError(`the ${value.type} type has no rebuildCommands: keys of this type cannot be rewritten yet`);
  }
  return value.rebuildCommands(key);
}
