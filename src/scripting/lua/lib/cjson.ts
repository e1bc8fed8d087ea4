import { formatDouble } from '../number-format.js';
import type { LuaState } from '../state.js';
import { strtod } from '../string-to-number.js';
import { LuaTable } from '../table.js';
import { LuaUserdata, typeName, type LuaResult, type LuaValue } from '../value.js';
import { argError, checkInteger, checkString } from './args.js';

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

/** cjson.null: C's NULL as a light userdata. */
export const JSON_NULL = new LuaUserdata(true);

interface Config {
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

const ESCAPES: string[] = (() => {
  const table: string[] = [];
  for (let c = 0; c < 256; c++) {
    if (c < 32) table.push('\\u' + c.toString(16).padStart(4, '0'));
    else table.push('');
  }
  table[8] = '\\b';
  table[9] = '\\t';
  table[10] = '\\n';
  table[12] = '\\f';
  table[13] = '\\r';
  table[34] = '\\"';
  table[47] = '\\/';
  table[92] = '\\\\';
  table[127] = '\\u007f';
  return table;
})();

function encodeString(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const esc = c < 128 ? ESCAPES[c] : '';
    if (esc !== '') {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

const TOKEN_NAMES = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END'];
const enum T {
  ObjBegin,
  ObjEnd,
  ArrBegin,
  ArrEnd,
  String,
  Number,
  Boolean,
  Null,
  Colon,
  Comma,
  End,
  Error,
}

interface Token {
  type: T;
  /** 0-based position of the token (of the error, for errors). */
  index: number;
  value: LuaValue;
  /** For errors: what was found. */
  error: string;
}

class Decoder {
  private pos = 0;
  private depth = 0;
  private readonly token: Token = { type: T.End, index: 0, value: undefined, error: '' };

  constructor(
    private readonly S: LuaState,
    private readonly cfg: Config,
    private readonly data: string,
  ) {}

  private fail(expected: string): never {
    const t = this.token;
    const found = t.type === T.Error ? t.error : TOKEN_NAMES[t.type];
    throw this.S.error(`Expected ${expected} but found ${found} at character ${t.index + 1}`);
  }

  private setError(msg: string): void {
    this.token.type = T.Error;
    this.token.index = this.pos;
    this.token.error = msg;
  }

  private isInvalidNumber(): boolean {
    const d = this.data;
    let p = this.pos;
    if (d[p] === '+') return true;
    if (d[p] === '-') p++;
    if (d[p] === '0') {
      const c2 = d.charCodeAt(p + 1);
      return (c2 | 0x20) === 120 || (c2 >= 48 && c2 <= 57);
    }
    if (p >= d.length || d.charCodeAt(p) <= 57) return false;
    const word = d.slice(p, p + 3).toLowerCase();
    return word === 'inf' || word === 'nan';
  }

  private number(): void {
    const { value, end } = strtod(this.data, this.pos);
    this.token.type = T.Number;
    if (end === this.pos) this.setError('invalid number');
    else {
      this.token.value = value;
      this.pos = end;
    }
  }

  private string(): void {
    const d = this.data;
    let out = '';
    this.pos++;
    let run = this.pos;
    for (;;) {
      if (this.pos >= d.length) {
        this.setError('unexpected end of string');
        return;
      }
      const c = d.charCodeAt(this.pos);
      if (c === 0) {
        this.setError('unexpected end of string');
        return;
      }
      if (c === 34) break;
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += d.slice(run, this.pos);
      const e = d[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' };
      if (e === 'u') {
        const decoded = this.unicodeEscape();
        if (decoded === null) {
          this.setError('invalid unicode escape code');
          return;
        }
        out += decoded;
      } else if (e !== undefined && e in simple) {
        out += simple[e];
        this.pos += 2;
      } else {
        this.setError('invalid escape code');
        return;
      }
      run = this.pos;
    }
    out += d.slice(run, this.pos);
    this.pos++;
    this.token.type = T.String;
    this.token.value = out;
  }

  /** \uXXXX (a surrogate pair as two) at pos, as UTF-8 bytes; null when invalid. */
  private unicodeEscape(): string | null {
    const d = this.data;
    const hex4 = (at: number) => (/^[0-9a-fA-F]{4}$/.test(d.slice(at, at + 4)) ? parseInt(d.slice(at, at + 4), 16) : -1);
    let cp = hex4(this.pos + 2);
    if (cp < 0) return null;
    let len = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return null;
      if (d[this.pos + 6] !== '\\' || d[this.pos + 7] !== 'u') return null;
      const low = hex4(this.pos + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return null;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      len = 12;
    }
    this.pos += len;
    const b = String.fromCharCode;
    if (cp <= 0x7f) return b(cp);
    if (cp <= 0x7ff) return b((cp >> 6) | 0xc0, (cp & 0x3f) | 0x80);
    if (cp <= 0xffff) return b((cp >> 12) | 0xe0, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
    return b((cp >> 18) | 0xf0, ((cp >> 12) & 0x3f) | 0x80, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
  }

  next(): Token {
    const d = this.data;
    const t = this.token;
    let c = d.charCodeAt(this.pos);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = d.charCodeAt(++this.pos);
    t.index = this.pos;
    t.value = undefined;
    if (this.pos >= d.length || c === 0) {
      t.type = T.End;
      return t;
    }
    const single: Record<number, T> = { 123: T.ObjBegin, 125: T.ObjEnd, 91: T.ArrBegin, 93: T.ArrEnd, 44: T.Comma, 58: T.Colon };
    if (c in single) {
      t.type = single[c];
      this.pos++;
      return t;
    }
    if (c === 34) this.string();
    else if (c === 45 || (c >= 48 && c <= 57)) {
      if (!this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) this.setError('invalid number');
      else this.number();
    } else if (d.startsWith('true', this.pos)) {
      t.type = T.Boolean;
      t.value = true;
      this.pos += 4;
    } else if (d.startsWith('false', this.pos)) {
      t.type = T.Boolean;
      t.value = false;
      this.pos += 5;
    } else if (d.startsWith('null', this.pos)) {
      t.type = T.Null;
      t.value = JSON_NULL;
      this.pos += 4;
    } else if ('iInN+'.includes(d[this.pos]) && this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
      this.number();
    } else {
      this.setError('invalid token');
    }
    return t;
  }

  private descend(): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth) {
      throw this.S.error(`Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  /** The value starting with the current token. */
  value(): LuaValue {
    const t = this.token;
    switch (t.type) {
      case T.String:
      case T.Number:
      case T.Boolean:
      case T.Null:
        return t.value;
      case T.ObjBegin:
        return this.object();
      case T.ArrBegin:
        return this.array();
      default:
        return this.fail('value');
    }
  }

  private object(): LuaTable {
    this.descend();
    const table = new LuaTable();
    let t = this.next();
    if (t.type === T.ObjEnd) {
      this.depth--;
      return table;
    }
    for (;;) {
      if (t.type !== T.String) this.fail('object key string');
      const key = t.value;
      t = this.next();
      if (t.type !== T.Colon) this.fail('colon');
      this.next();
      table.rawSet(key, this.value());
      t = this.next();
      if (t.type === T.ObjEnd) {
        this.depth--;
        return table;
      }
      if (t.type !== T.Comma) this.fail('comma or object end');
      t = this.next();
    }
  }

  private array(): LuaTable {
    this.descend();
    const table = new LuaTable();
    let t = this.next();
    if (t.type === T.ArrEnd) {
      this.depth--;
      return table;
    }
    for (let i = 1; ; i++) {
      table.rawSet(i, this.value());
      t = this.next();
      if (t.type === T.ArrEnd) {
        this.depth--;
        return table;
      }
      if (t.type !== T.Comma) this.fail('comma or array end');
      this.next();
    }
  }

  document(): LuaValue {
    this.next();
    const v = this.value();
    if (this.next().type !== T.End) this.fail('the end');
    return v;
  }
}

class Encoder {
  constructor(
    private readonly S: LuaState,
    private readonly cfg: Config,
  ) {}

  private fail(v: LuaValue, reason: string): never {
    throw this.S.error(`Cannot serialise ${typeName(v)}: ${reason}`);
  }

  number(n: number): string {
    const invalid = n !== n || n === Infinity || n === -Infinity;
    if (invalid) {
      if (this.cfg.encodeInvalidNumbers === 0) this.fail(n, 'must not be NaN or Inf');
      if (this.cfg.encodeInvalidNumbers === 2) return 'null';
      if (n !== n) return 'nan';
    }
    return formatDouble(n, 'g', this.cfg.precision);
  }

  /** lua_array_length: the array's length, or -1 for an object. */
  private arrayLength(t: LuaTable): number {
    let max = 0;
    let items = 0;
    for (let e = t.next(undefined); e !== null; e = t.next(e[0])) {
      const k = e[0];
      if (typeof k === 'number' && k !== 0 && Math.floor(k) === k && k >= 1) {
        // The C code keeps the maximum in an int: keys past INT_MAX convert to INT_MIN (x86).
        if (k > max) max = k >= 2147483648 ? -2147483648 : k;
        items++;
        continue;
      }
      return -1;
    }
    const cfg = this.cfg;
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) this.fail(t, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  value(v: LuaValue, depth: number): string {
    switch (typeof v) {
      case 'string':
        return encodeString(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return 'null';
      default:
        break;
    }
    if (v === JSON_NULL) return 'null';
    if (!(v instanceof LuaTable)) return this.fail(v, 'type not supported');
    depth++;
    if (depth > this.cfg.encodeMaxDepth) throw this.S.error(`Cannot serialise, excessive nesting (${depth})`);
    const len = this.arrayLength(v);
    const parts: string[] = [];
    if (len > 0) {
      for (let i = 1; i <= len; i++) parts.push(this.value(v.getInt(i), depth));
      return `[${parts.join(',')}]`;
    }
    for (let e = v.next(undefined); e !== null; e = v.next(e[0])) {
      const k = e[0];
      let key: string;
      if (typeof k === 'number') key = `"${this.number(k)}":`;
      else if (typeof k === 'string') key = encodeString(k) + ':';
      else return this.fail(k, 'table key must be a number or string');
      parts.push(key + this.value(e[1], depth));
    }
    return `{${parts.join(',')}}`;
  }
}

function defaultConfig(): Config {
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

