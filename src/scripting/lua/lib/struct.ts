import type { LuaState } from '../state.js';
import { stringToNumber } from '../string-to-number.js';
import type { LuaResult, LuaValue } from '../value.js';
import { argError, checkNumber, checkString, optInteger } from './args.js';

/**
 * Roberto Ierusalimschy's struct library as Redis ships it, with the C
 * sizes of x86-64 Linux (short 2, int 4, long and size_t 8, native little
 * endian, maximum alignment 8). Integers go through a 64-bit long, so
 * sizes above 8 carry only 8 significant bytes, as in Redis.
 */

const SIZES: Record<string, number> = { b: 1, B: 1, h: 2, H: 2, l: 8, L: 8, T: 8, f: 4, d: 8, x: 1 };
const MAXINTSIZE = 32;
const MAXALIGN = 8;
const BIG = 0;
const LITTLE = 1;
const U64 = (1n << 64n) - 1n;

interface Header {
  endian: number;
  align: number;
}

/** A format being read: the C string's characters (it ends at a NUL) and the position. */
class Format {
  i = 0;
  readonly text: string;

  constructor(
    private readonly S: LuaState,
    fmt: string,
  ) {
    const nul = fmt.indexOf('\0');
    this.text = nul < 0 ? fmt : fmt.slice(0, nul);
  }

  more(): boolean {
    return this.i < this.text.length;
  }

  next(): string {
    return this.text[this.i++];
  }

  /** getnum: the digits at the position, or `df` when there are none. */
  num(df: number): number {
    const isDigit = () => this.i < this.text.length && this.text.charCodeAt(this.i) >= 48 && this.text.charCodeAt(this.i) <= 57;
    if (!isDigit()) return df;
    let a = 0;
    do {
      const d = this.text.charCodeAt(this.i) - 48;
      if (a > Math.floor(0x7fffffff / 10) || a * 10 > 0x7fffffff - d) throw this.S.error('integral size overflow');
      a = a * 10 + d;
      this.i++;
    } while (isDigit());
    return a;
  }

  optSize(opt: string): number {
    if (opt in SIZES) return SIZES[opt];
    if (opt === 'c') return this.num(1);
    if (opt === 'i' || opt === 'I') {
      const sz = this.num(4);
      if (sz > MAXINTSIZE) throw this.S.error(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    return 0;
  }

  control(opt: string, h: Header): void {
    switch (opt) {
      case ' ':
        return;
      case '>':
        h.endian = BIG;
        return;
      case '<':
        h.endian = LITTLE;
        return;
      case '!': {
        const a = this.num(MAXALIGN);
        if (!(a > 0 && (a & (a - 1)) === 0)) throw this.S.error(`alignment ${a} is not a power of 2`);
        h.align = a;
        return;
      }
      default:
        throw argError(this.S, 1, `invalid format option '${opt}'`);
    }
  }
}

function toAlign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

/** The double as the C code's integer: (unsigned long)(long)n for negatives, (unsigned long)n otherwise (x86 casts). */
function toUnsigned(n: number): bigint {
  if (n !== n) return 1n << 63n;
  if (n < 0) return n < -9223372036854775808 ? 1n << 63n : BigInt.asUintN(64, BigInt(Math.trunc(n)));
  if (n >= 18446744073709551616) return 0n;
  return BigInt(Math.trunc(n));
}

function bytesOfFloat(v: number, size: number, endian: number): string {
  const view = new DataView(new ArrayBuffer(size));
  if (size === 4) view.setFloat32(0, v, endian === LITTLE);
  else view.setFloat64(0, v, endian === LITTLE);
  let out = '';
  for (let i = 0; i < size; i++) out += String.fromCharCode(view.getUint8(i));
  return out;
}

function floatOfBytes(s: string, at: number, size: number, endian: number): number {
  const view = new DataView(new ArrayBuffer(size));
  for (let i = 0; i < size; i++) view.setUint8(i, s.charCodeAt(at + i));
  return size === 4 ? view.getFloat32(0, endian === LITTLE) : view.getFloat64(0, endian === LITTLE);
}

function putInteger(n: number, endian: number, size: number): string {
  let value = toUnsigned(n);
  const bytes = new Array<string>(size);
  for (let k = 0; k < size; k++) {
    const i = endian === LITTLE ? k : size - 1 - k;
    bytes[i] = String.fromCharCode(Number(value & 0xffn));
    value >>= 8n;
  }
  return bytes.join('');
}

function getInteger(s: string, at: number, endian: number, signed: boolean, size: number): number {
  let l = 0n;
  for (let k = 0; k < size; k++) {
    const i = endian === BIG ? k : size - 1 - k;
    l = ((l << 8n) | BigInt(s.charCodeAt(at + i))) & U64;
  }
  if (!signed) return Number(l);
  // x86 takes the shift count modulo 64.
  const mask = (U64 << BigInt((size * 8 - 1) & 63)) & U64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

export function openStruct(S: LuaState): Record<string, LuaValue> {
  return {
    pack(...args: LuaValue[]): LuaResult {
      const fmt = new Format(S, checkString(S, args[0], 1, args.length));
      // The C code pushes a nil right after the arguments: a missing second argument reads as nil.
      const argc = Math.max(args.length, 2);
      const h: Header = { endian: LITTLE, align: 1 };
      let arg = 2;
      let total = 0;
      let out = '';
      while (fmt.more()) {
        const opt = fmt.next();
        let size = fmt.optSize(opt);
        const pad = toAlign(total, h, opt, size);
        total += pad;
        out += '\0'.repeat(pad);
        switch (opt) {
          case 'b':
          case 'B':
          case 'h':
          case 'H':
          case 'l':
          case 'L':
          case 'T':
          case 'i':
          case 'I':
            out += putInteger(checkNumber(S, args[arg - 1], arg, argc), h.endian, size);
            arg++;
            break;
          case 'x':
            out += '\0';
            break;
          case 'f':
          case 'd':
            out += bytesOfFloat(checkNumber(S, args[arg - 1], arg, argc), size, h.endian);
            arg++;
            break;
          case 'c':
          case 's': {
            const str = checkString(S, args[arg - 1], arg, argc);
            arg++;
            if (size === 0) size = str.length;
            // The C code checks after moving to the next argument, so it names that one.
            if (str.length < size) throw argError(S, arg, 'string too short');
            out += str.slice(0, size);
            if (opt === 's') {
              out += '\0';
              size++;
            }
            break;
          }
          default:
            fmt.control(opt, h);
        }
        total += size;
      }
      return out;
    },

    unpack(f: LuaValue, d: LuaValue, p: LuaValue): LuaResult {
      const argc = arguments.length;
      const fmt = new Format(S, checkString(S, f, 1, argc));
      const data = checkString(S, d, 2, argc);
      const ld = data.length;
      let pos = optInteger(S, p, 3, argc, 1);
      if (pos === 0) throw argError(S, 3, 'offset must be 1 or greater');
      // size_t arithmetic: a negative offset is past any string.
      if (pos < 0) pos = Number.MAX_SAFE_INTEGER;
      pos--;
      const h: Header = { endian: LITTLE, align: 1 };
      const out: LuaValue[] = [];
      while (fmt.more()) {
        const opt = fmt.next();
        let size = fmt.optSize(opt);
        pos += toAlign(pos, h, opt, size);
        if (!(size <= ld && pos <= ld - size)) throw argError(S, 2, 'data string too short');
        if (out.length + argc + 2 > 8000) throw S.error('stack overflow (too many results)');
        switch (opt) {
          case 'b':
          case 'B':
          case 'h':
          case 'H':
          case 'l':
          case 'L':
          case 'T':
          case 'i':
          case 'I':
            out.push(getInteger(data, pos, h.endian, opt === opt.toLowerCase(), size));
            break;
          case 'x':
            break;
          case 'f':
          case 'd':
            out.push(floatOfBytes(data, pos, size, h.endian));
            break;
          case 'c': {
            if (size === 0) {
              const prev = out.length === 0 ? undefined : out[out.length - 1];
              const n = typeof prev === 'number' ? prev : typeof prev === 'string' ? stringToNumber(prev) : undefined;
              if (n === undefined) throw S.error("format 'c0' needs a previous size");
              size = Math.trunc(n);
              out.pop();
              if (!(size <= ld && pos <= ld - size)) throw argError(S, 2, 'data string too short');
            }
            out.push(data.substr(pos, size));
            break;
          }
          case 's': {
            const e = data.indexOf('\0', pos);
            if (e < 0) throw S.error('unfinished string in data');
            size = e - pos + 1;
            out.push(data.slice(pos, e));
            break;
          }
          default:
            fmt.control(opt, h);
        }
        pos += size;
      }
      out.push(pos + 1);
      return out;
    },

    size(f: LuaValue): LuaResult {
      const fmt = new Format(S, checkString(S, f, 1, arguments.length));
      const h: Header = { endian: LITTLE, align: 1 };
      let pos = 0;
      while (fmt.more()) {
        const opt = fmt.next();
        const size = fmt.optSize(opt);
        pos += toAlign(pos, h, opt, size);
        if (opt === 's') throw argError(S, 1, "option 's' has no fixed size");
        if (opt === 'c' && size === 0) throw argError(S, 1, "option 'c0' has no fixed size");
        if (!/[0-9A-Za-z]/.test(opt)) fmt.control(opt, h);
        pos += size;
      }
      return pos;
    },
  };
}
