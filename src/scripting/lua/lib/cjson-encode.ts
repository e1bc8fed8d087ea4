import { formatDouble, shortG } from '../number-format.js';
import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import { typeName, type LuaValue } from '../value.js';
import { JSON_NULL, type Config } from './cjson-config.js';

/**
 * cjson.encode: numbers as "%.<precision>g" (14 by default), a table as an
 * array when all its keys are integers >= 1 and it is not too sparse, as an
 * object otherwise (so {} is "{}"), object members in traversal order,
 * strings with '/' and control characters escaped and other bytes as they
 * are.
 */

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

export class Encoder {
  constructor(
    private readonly S: LuaState,
    private readonly cfg: Config,
  ) {}

  private fail(v: LuaValue, reason: string): never {
    throw this.S.error(`Cannot serialise ${typeName(v)}: ${reason}`);
  }

  number(n: number): string {
    const quick = shortG(n, this.cfg.precision);
    if (quick !== null) return quick;
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
    const n = t.positions();
    for (let i = 0; i < n; i++) {
      if (t.valueAtPosition(i) === undefined) continue;
      const k = t.keyAtPosition(i);
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
    // Encoding runs no Lua code (raw reads, as lua_cjson's), so the table cannot change under the walk.
    const n = v.positions();
    for (let i = 0; i < n; i++) {
      const value = v.valueAtPosition(i);
      if (value === undefined) continue;
      const k = v.keyAtPosition(i);
      let key: string;
      if (typeof k === 'number') key = `"${this.number(k)}":`;
      else if (typeof k === 'string') key = encodeString(k) + ':';
      else return this.fail(k, 'table key must be a number or string');
      parts.push(key + this.value(value, depth));
    }
    return `{${parts.join(',')}}`;
  }
}

