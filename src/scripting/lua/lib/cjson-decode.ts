import type { LuaState } from '../state.js';
import { strtod } from '../string-to-number.js';
import { LuaTable } from '../table.js';
import { MAX_PAIRS, placePairs } from '../table-fill.js';
import type { LuaValue } from '../value.js';
import { JSON_NULL, type Config } from './cjson-config.js';

/**
 * cjson.decode: a JSON text to Lua values, with lua_cjson's tokenizer and
 * its error messages ("Expected value but found invalid token at
 * character 1"). Numbers are read by strtod, so with the default settings
 * inf, nan, hex and a leading '+' pass; null is cjson.null; \u escapes
 * become UTF-8.
 */

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

/** The token a character makes on its own, or T.Error for one that does not. */
function singleCharToken(c: number): T {
  switch (c) {
    case 123: return T.ObjBegin;
    case 125: return T.ObjEnd;
    case 91: return T.ArrBegin;
    case 93: return T.ArrEnd;
    case 44: return T.Comma;
    case 58: return T.Colon;
    default: return T.Error;
  }
}

/** The characters a backslash escapes by itself in a JSON string, and what each stands for. */
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' };

export class Decoder {
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
    if (this.plainInteger()) return;
    const { value, end } = strtod(this.data, this.pos);
    this.token.type = T.Number;
    if (end === this.pos) this.setError('invalid number');
    else {
      this.token.value = value;
      this.pos = end;
    }
  }

  /**
   * An integer of at most 15 digits, not followed by what would make strtod
   * read on (a fraction, an exponent, hex), read digit by digit: JSON's
   * common numbers, which strtod's general reading costs several times as
   * much. False, reading nothing, for anything else.
   */
  private plainInteger(): boolean {
    const d = this.data;
    let p = this.pos;
    const neg = d.charCodeAt(p) === 45;
    if (neg) p++;
    const first = p;
    let v = 0;
    for (let c = d.charCodeAt(p); c >= 48 && c <= 57; c = d.charCodeAt(++p)) v = v * 10 + (c - 48);
    const digits = p - first;
    if (digits === 0 || digits > 15) return false;
    const after = d.charCodeAt(p) | 0x20;
    // '.', 'e', 'x' and 'p' (a hex float's exponent, after "0x") continue a numeral for strtod.
    if (after === 0x2e || after === 0x65 || after === 0x78 || after === 0x70) return false;
    this.token.type = T.Number;
    this.token.value = neg ? -v : v;
    this.pos = p;
    return true;
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
      if (e === 'u') {
        const decoded = this.unicodeEscape();
        if (decoded === null) {
          this.setError('invalid unicode escape code');
          return;
        }
        out += decoded;
      } else if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
        out += SIMPLE_ESCAPES[e];
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
    const single = singleCharToken(c);
    if (single !== T.Error) {
      t.type = single;
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
    // Setting a string key cannot fail: the first MAX_PAIRS members are gathered and placed at once (table-fill.ts),
    // any after them set one by one.
    const keys: LuaValue[] = [];
    const values: LuaValue[] = [];
    let placed = false;
    for (;;) {
      if (t.type !== T.String) this.fail('object key string');
      const key = t.value;
      t = this.next();
      if (t.type !== T.Colon) this.fail('colon');
      this.next();
      const value = this.value();
      if (keys.length < MAX_PAIRS) {
        keys.push(key);
        values.push(value);
      } else {
        if (!placed) placePairs(table, keys, values);
        placed = true;
        table.rawSet(key, value);
      }
      t = this.next();
      if (t.type === T.ObjEnd) {
        this.depth--;
        if (!placed) placePairs(table, keys, values);
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

