import type { LuaState } from '../state.js';
import type { LuaValue } from '../value.js';

export function openStruct(S: LuaState): Record<string, LuaValue> {
  void S;
  return {};
}
