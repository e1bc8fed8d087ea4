import { formatUnsigned, signBit } from '../number-format.js';
import type { LuaState } from '../state.js';
import type { LuaValue } from '../value.js';
import { argError, checkNumber, checkString } from './args.js';

/**
 * string.format as Lua 5.1 runs it on glibc: each item is handed to C's
 * sprintf, so %d truncates a non-integer towards zero (3.7 gives 3), %x of
 * a negative number shows its 64-bit two's complement, widths and
 * precisions have at most two digits, and %s of a string under 100 bytes
 * stops at a NUL.
 */

const FLAGS = '-+ #0';

interface Spec {
  flags: string;
  width: number;
  precision: number | undefined;
  conv: string;
}

function pad(body: string, spec: Spec, zeroAllowed: boolean): string {
  if (body.length >= spec.width) return body;
  const fill = spec.width - body.length;
  if (spec.flags.includes('-')) return body + ' '.repeat(fill);
  if (zeroAllowed && spec.flags.includes('0')) {
    const m = /^([+\- ]?(?:0[xX])?)/.exec(body)!;
    return m[1] + '0'.repeat(fill) + body.slice(m[1].length);
  }
  return ' '.repeat(fill) + body;
}

const TWO64 = 1n << 64n;

/** C's (long) cast of a double on x86-64: truncation, INT64_MIN when out of range or NaN. */
function toInt64(d: number): bigint {
  if (d !== d || d >= 9223372036854775808 || d < -9223372036854775808) return -(1n << 63n);
  return BigInt(Math.trunc(d));
}

/** C's (unsigned long) cast of a double as gcc compiles it on x86-64. */
function toUint64(d: number): bigint {
  if (d >= 9223372036854775808) return d >= 18446744073709551616 ? 0n : BigInt(Math.trunc(d));
  const v = toInt64(d);
  return v < 0n ? v + TWO64 : v;
}

function formatInteger(spec: Spec, d: number): string {
  const signed = spec.conv === 'd' || spec.conv === 'i';
  const v = signed ? toInt64(d) : toUint64(d);
  const neg = v < 0n;
  const mag = neg ? -v : v;
  let digits: string;
  switch (spec.conv) {
    case 'o':
      digits = mag.toString(8);
      break;
    case 'x':
      digits = mag.toString(16);
      break;
    case 'X':
      digits = mag.toString(16).toUpperCase();
      break;
    default:
      digits = mag.toString(10);
  }
  if (spec.precision !== undefined) {
    digits = spec.precision === 0 && mag === 0n ? '' : digits.padStart(spec.precision, '0');
  }
  let prefix = '';
  if (neg) prefix = '-';
  else if (signed && spec.flags.includes('+')) prefix = '+';
  else if (signed && spec.flags.includes(' ')) prefix = ' ';
  if (spec.flags.includes('#')) {
    if (spec.conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
    else if ((spec.conv === 'x' || spec.conv === 'X') && mag !== 0n) prefix += spec.conv === 'x' ? '0x' : '0X';
  }
  return pad(prefix + digits, spec, spec.precision === undefined);
}

function formatFloat(spec: Spec, d: number): string {
  const neg = signBit(d);
  let body = formatUnsigned(Math.abs(d), spec.conv, spec.precision ?? 6, spec.flags.includes('#'));
  if (neg) body = '-' + body;
  else if (spec.flags.includes('+')) body = '+' + body;
  else if (spec.flags.includes(' ')) body = ' ' + body;
  return pad(body, spec, d === d && Math.abs(d) !== Infinity);
}

/** %q: the string in double quotes, readable back by Lua. */
function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === '\\' || c === '\n') out += '\\' + c;
    else if (c === '\r') out += '\\r';
    else if (c === '\0') out += '\\000';
    else out += c;
  }
  return out + '"';
}

function scanSpec(S: LuaState, fmt: string, i: number): { spec: Spec; next: number } {
  const start = i;
  while (i < fmt.length && FLAGS.includes(fmt[i]) && fmt[i] !== '\0') i++;
  if (i - start >= FLAGS.length + 1) throw S.error('invalid format (repeated flags)');
  const flags = fmt.slice(start, i);
  const isDigit = (k: number) => k < fmt.length && fmt.charCodeAt(k) >= 48 && fmt.charCodeAt(k) <= 57;
  let w = i;
  if (isDigit(i)) i++;
  if (isDigit(i)) i++;
  const width = i > w ? Number(fmt.slice(w, i)) : 0;
  let precision: number | undefined;
  if (fmt[i] === '.') {
    i++;
    w = i;
    if (isDigit(i)) i++;
    if (isDigit(i)) i++;
    precision = i > w ? Number(fmt.slice(w, i)) : 0;
  }
  if (isDigit(i)) throw S.error('invalid format (width or precision too long)');
  return { spec: { flags, width, precision, conv: fmt[i] ?? '\0' }, next: i + 1 };
}

export function stringFormat(S: LuaState, args: LuaValue[]): string {
  const top = args.length;
  const fmt = checkString(S, args[0], 1, top);
  let out = '';
  let arg = 0;
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (++arg >= top) throw argError(S, arg + 1, 'no value');
    const { spec, next } = scanSpec(S, fmt, i + 1);
    i = next;
    const v = args[arg];
    const n = arg + 1;
    switch (spec.conv) {
      case 'c': {
        const code = checkNumber(S, v, n, top) | 0;
        // Lua 5.1 copies sprintf's output up to its first NUL: a char 0 (256, ...) ends the piece there.
        const piece = pad(String.fromCharCode(code & 0xff), spec, false);
        const nul = piece.indexOf('\0');
        out += nul < 0 ? piece : piece.slice(0, nul);
        break;
      }
      case 'd':
      case 'i':
      case 'o':
      case 'u':
      case 'x':
      case 'X':
        out += formatInteger(spec, checkNumber(S, v, n, top));
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G':
        out += formatFloat(spec, checkNumber(S, v, n, top));
        break;
      case 'q':
        out += quoted(checkString(S, v, n, top));
        break;
      case 's': {
        const s = checkString(S, v, n, top);
        if (spec.precision === undefined && s.length >= 100) {
          out += s;
          break;
        }
        const nul = s.indexOf('\0');
        let text = nul < 0 ? s : s.slice(0, nul);
        if (spec.precision !== undefined) text = text.slice(0, spec.precision);
        out += pad(text, spec, false);
        break;
      }
      default:
        // Lua formats the option with %c, which writes nothing for a NUL (the end of the format).
        throw S.error(`invalid option '%${spec.conv === '\0' ? '' : spec.conv}' to 'format'`);
    }
  }
  return out;
}
