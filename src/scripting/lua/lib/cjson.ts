import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import type { LuaResult, LuaValue } from '../value.js';
import { argError, checkInteger, checkString } from './args.js';
import { defaultConfig, JSON_NULL } from './cjson-config.js';
import { Decoder } from './cjson-decode.js';
import { Encoder } from './cjson-encode.js';

/**
 * lua_cjson 2.1.0 as Redis ships it: cjson.encode and cjson.decode with
 * the same output and errors, and the configuration functions (whose
 * settings, as in Redis, outlive the script that sets them). Numbers
 * encode as "%.14g"; a table is an array when all its keys are integers
 * >= 1 and it is not too sparse, an object otherwise (so {} is "{}");
 * '/' is escaped; object keys come in the table's traversal order.
 * Decoding takes what glibc's strtod takes for numbers (inf, nan and hex
 * included, cjson's decode_invalid_numbers default) and makes JSON null
 * cjson.null, a light userdata.
 */

export function openCjson(S: LuaState): Record<string, LuaValue> {
  const cfg = defaultConfig();
  /** json_arg_init: at most `n` arguments. */
  const argInit = (argc: number, n: number) => {
    if (argc > n) throw argError(S, n + 1, 'found too many arguments');
  };
  const intOption = (v: LuaValue, argc: number, n: number, current: number, min: number, max: number): number => {
    if (v === undefined) return current;
    const value = checkInteger(S, v, n, argc);
    if (value < min || value > max) throw argError(S, 1, `expected integer between ${min} and ${max}`);
    return value;
  };
  /** json_enum_option: booleans or one of the option names; returns the setting's index. */
  const enumOption = (v: LuaValue, argc: number, n: number, current: number, options: string[]): number => {
    if (v === undefined) return current;
    if (typeof v === 'boolean') return v ? 1 : 0;
    const name = checkString(S, v, n, argc);
    const i = options.indexOf(name);
    if (i < 0) throw argError(S, n, `invalid option '${name}'`);
    return i;
  };
  const enumResult = (setting: number, options: string[]): LuaValue => (setting <= 1 ? setting === 1 : options[setting]);
  const onOff = ['off', 'on'];

  const lib: Record<string, LuaValue> = {
    _NAME: 'cjson',
    _VERSION: '2.1.0',
    null: JSON_NULL,

    encode(v: LuaValue): LuaResult {
      if (arguments.length !== 1) throw argError(S, 1, 'expected 1 argument');
      return new Encoder(S, cfg).value(v, 0);
    },

    decode(v: LuaValue): LuaResult {
      const argc = arguments.length;
      if (argc !== 1) throw argError(S, 1, 'expected 1 argument');
      const data = checkString(S, v, 1, argc);
      if (data.length >= 2 && (data[0] === '\0' || data[1] === '\0')) {
        throw S.error('JSON parser does not support UTF-16 or UTF-32');
      }
      return new Decoder(S, cfg, data).document();
    },

    encode_sparse_array(convert: LuaValue, ratio: LuaValue, safe: LuaValue): LuaResult {
      const argc = arguments.length;
      argInit(argc, 3);
      cfg.sparseConvert = enumOption(convert, argc, 1, cfg.sparseConvert ? 1 : 0, onOff) === 1;
      cfg.sparseRatio = intOption(ratio, argc, 2, cfg.sparseRatio, 0, 0x7fffffff);
      cfg.sparseSafe = intOption(safe, argc, 3, cfg.sparseSafe, 0, 0x7fffffff);
      return [cfg.sparseConvert, cfg.sparseRatio, cfg.sparseSafe];
    },

    encode_max_depth(v: LuaValue): LuaResult {
      argInit(arguments.length, 1);
      return (cfg.encodeMaxDepth = intOption(v, arguments.length, 1, cfg.encodeMaxDepth, 1, 0x7fffffff));
    },

    decode_max_depth(v: LuaValue): LuaResult {
      argInit(arguments.length, 1);
      return (cfg.decodeMaxDepth = intOption(v, arguments.length, 1, cfg.decodeMaxDepth, 1, 0x7fffffff));
    },

    encode_number_precision(v: LuaValue): LuaResult {
      argInit(arguments.length, 1);
      return (cfg.precision = intOption(v, arguments.length, 1, cfg.precision, 1, 14));
    },

    encode_keep_buffer(v: LuaValue): LuaResult {
      argInit(arguments.length, 1);
      cfg.encodeKeepBuffer = enumOption(v, arguments.length, 1, cfg.encodeKeepBuffer ? 1 : 0, onOff) === 1;
      return cfg.encodeKeepBuffer;
    },

    encode_invalid_numbers(v: LuaValue): LuaResult {
      const options = ['off', 'on', 'null'];
      argInit(arguments.length, 1);
      cfg.encodeInvalidNumbers = enumOption(v, arguments.length, 1, cfg.encodeInvalidNumbers, options);
      return enumResult(cfg.encodeInvalidNumbers, options);
    },

    decode_invalid_numbers(v: LuaValue): LuaResult {
      argInit(arguments.length, 1);
      cfg.decodeInvalidNumbers = enumOption(v, arguments.length, 1, cfg.decodeInvalidNumbers ? 1 : 0, onOff) === 1;
      return cfg.decodeInvalidNumbers;
    },

    new(): LuaResult {
      const t = new LuaTable();
      for (const [k, v] of Object.entries(openCjson(S))) t.rawSet(k, v);
      return t;
    },
  };
  return lib;
}

