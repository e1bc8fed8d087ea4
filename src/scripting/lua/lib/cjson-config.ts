import { LuaUserdata } from '../value.js';

/** cjson.null: C's NULL as a light userdata. */
export const JSON_NULL = new LuaUserdata(true);

/** cjson's settings (json_config_t), changed by its configuration functions. */
export interface Config {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 off, 1 on, 2 null */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: boolean;
  encodeKeepBuffer: boolean;
  precision: number;
}

export function defaultConfig(): Config {
  return {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: true,
    encodeKeepBuffer: true,
    precision: 14,
  };
}

