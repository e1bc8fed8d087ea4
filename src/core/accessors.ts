/** A property's getter, and its setter where it may be assigned. */
export interface Accessor<V> {
  get(): V;
  set?(value: V): void;
}

/**
 * Adds accessor properties to an object, for the hosts built as object
 * literals whose fields follow the server's live state. Written in the
 * literal itself (`get log() {…}`), an accessor leaves the object in V8's
 * dictionary mode: every property read is then a hash lookup and none of
 * its methods is inlined, on paths such as a script's redis.call. Added
 * to the finished object, it keeps the object's fast shape. The linter
 * refuses accessors in literals (eslint.config.mjs).
 */
export function withAccessors<T extends object, A extends object>(target: T, accessors: { [K in keyof A]: Accessor<A[K]> }): T & A {
  for (const name of Object.keys(accessors) as (keyof A & string)[]) {
    const { get, set } = accessors[name];
    Object.defineProperty(target, name, { get, set, enumerable: true, configurable: true });
  }
  return target as T & A;
}
