import { LuaError } from '../../../../src/scripting/lua/errors.js';

/** The value of the LuaError that `f` raises (anything else thrown, or nothing, fails the test). */
export function raised(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return e.value;
    throw e;
  }
  throw new Error('expected a LuaError');
}
