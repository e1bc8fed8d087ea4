import { toInt64 } from '../codecs/integer-text.js';
import type { ParamDef } from './config-params.js';

/** A parameter's value: bigint for numbers (limits reach 2^63), string for enums and strings. */
export type ConfigValue = string | bigint | boolean;

/** Thrown for a bad value; `message` is the reason Redis appends after the argument name. */
export class ConfigValueError extends Error {}

const U64_MAX = 2n ** 64n - 1n;

const UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/** Redis copies the digits of a memory value into a 128-byte buffer and gives up beyond it. */
const MAX_MEMORY_DIGITS = 127;

/**
 * Redis's memtoull: digits (possibly none, meaning 0) and an optional unit.
 * Like the C code it saturates an overlong number and lets the unit
 * multiplication wrap modulo 2^64. Returns null where Redis reports an error.
 */
export function memtoull(raw: string): bigint | null {
  if (raw.startsWith('-')) return null;
  let i = 0;
  while (i < raw.length && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) i++;
  const unit = UNITS[raw.slice(i).toLowerCase()];
  if (unit === undefined || i > MAX_MEMORY_DIGITS) return null;
  let n = i === 0 ? 0n : BigInt(raw.slice(0, i));
  if (n > U64_MAX) n = U64_MAX;
  return BigInt.asUintN(64, n * unit);
}

/** A parameter's default, held as given: a string's default need not be a value one may set (replicaof's empty one). */
export function defaultValue(def: ParamDef): ConfigValue {
  return def.type === 'string' ? def.default : parseValue(def, def.default);
}

/** `current` is the value being replaced, for parameters whose new value depends on it. */
export function parseValue(def: ParamDef, raw: string, current?: ConfigValue): ConfigValue {
  switch (def.type) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'yes') return true;
      if (v === 'no') return false;
      throw new ConfigValueError("argument must be 'yes' or 'no'");
    }
    case 'int':
    case 'memory':
    case 'octal':
      return parseNumber(def, raw);
    case 'enum': {
      const v = raw.toLowerCase();
      if (!def.values!.includes(v)) {
        throw new ConfigValueError(`argument(s) must be one of the following: ${def.values!.join(', ')}`);
      }
      return def.synonyms?.[v] ?? v;
    }
    case 'string':
      if (def.validate) {
        const err = def.validate(raw);
        if (err !== null) throw new ConfigValueError(err);
      }
      return def.normalize ? def.normalize(raw, typeof current === 'string' ? current : def.default) : raw;
  }
}

/**
 * Parses, then range-checks the way the C type Redis stores it would see
 * the number: an unsigned parameter sees -1 as 2^64-1, a signed memory
 * parameter sees an oversized value as negative.
 */
function parseNumber(def: ParamDef, raw: string): bigint {
  const parsed = def.type === 'memory' ? memtoull(raw) ?? (def.percent ? percent(raw) : null) : def.type === 'octal' ? strtoOctal(raw) : toInt64(raw);
  if (parsed === null) {
    throw new ConfigValueError(
      def.type === 'memory'
        ? def.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value'
        : def.type === 'octal' ? "argument couldn't be parsed as an octal number" : "argument couldn't be parsed into an integer",
    );
  }
  const n = def.unsigned ? BigInt.asUintN(64, parsed) : BigInt.asIntN(64, parsed);
  const min = def.min!;
  const max = def.max!;
  if (def.percent && n < 0n) {
    // A percentage is held negated; its bound is the negated minimum.
    if (n < min) throw new ConfigValueError(`percentage argument must be less or equal to ${-min}`);
  } else if (n < min || n > max) {
    const [lo, hi] = def.type === 'octal' ? [min.toString(8), max.toString(8)] : [min, max];
    throw new ConfigValueError(`argument must be between ${lo} and ${hi} inclusive`);
  }
  if (def.clamp) {
    const [lo, hi] = def.clamp;
    return n < lo ? lo : n > hi ? hi : n;
  }
  return n;
}

/** "N%" (N a non-negative int64) as Redis's percent configs take it: held as -N. */
function percent(raw: string): bigint | null {
  if (raw.length < 2 || !raw.endsWith('%')) return null;
  const n = toInt64(raw.slice(0, -1));
  return n === null || n < 0n ? null : -n;
}

/** strtoll in base 8 over the whole argument: leading blanks and a sign allowed, empty meaning 0; null on overflow. */
function strtoOctal(raw: string): bigint | null {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-7]*)$/.exec(raw);
  if (m === null) return null;
  // strtoll consumes nothing of a string without digits: only the empty one parses (as 0).
  if (m[2] === '') return raw === '' ? 0n : null;
  const n = BigInt('0o' + m[2]);
  if (n > 2n ** 63n - (m[1] === '-' ? 0n : 1n)) return null;
  return m[1] === '-' ? -n : n;
}

/** The value as CONFIG GET prints it. */
export function formatValue(value: ConfigValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** A parameter's value as CONFIG GET prints it: percentages with their sign, octal numbers in octal. */
export function displayValue(def: ParamDef, value: ConfigValue): string {
  if (typeof value === 'bigint') {
    if (def.percent && value < 0n) return `${-value}%`;
    if (def.type === 'octal') return value.toString(8);
  }
  if (def.display !== undefined && typeof value === 'string') return def.display(value);
  return formatValue(value);
}

const KB = 1024n;
const MB = KB * KB;
const GB = MB * KB;

/** A byte count as CONFIG REWRITE writes it: the largest of gb/mb/kb that divides it. */
export function formatMemory(bytes: bigint): string {
  if (bytes !== 0n && bytes % GB === 0n) return `${bytes / GB}gb`;
  if (bytes !== 0n && bytes % MB === 0n) return `${bytes / MB}mb`;
  if (bytes !== 0n && bytes % KB === 0n) return `${bytes / KB}kb`;
  return String(bytes);
}
