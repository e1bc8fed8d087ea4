import { toInt64 } from '../core/numbers.js';
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
      return parseNumber(def, raw);
    case 'enum': {
      const v = raw.toLowerCase();
      if (!def.values!.includes(v)) {
        throw new ConfigValueError(`argument(s) must be one of the following: ${def.values!.join(', ')}`);
      }
      return v;
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
  const parsed = def.type === 'memory' ? memtoull(raw) : toInt64(raw);
  if (parsed === null) {
    throw new ConfigValueError(
      def.type === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer",
    );
  }
  const n = def.unsigned ? BigInt.asUintN(64, parsed) : BigInt.asIntN(64, parsed);
  const min = def.min!;
  const max = def.max!;
  if (n < min || n > max) throw new ConfigValueError(`argument must be between ${min} and ${max} inclusive`);
  if (def.clamp) {
    const [lo, hi] = def.clamp;
    return n < lo ? lo : n > hi ? hi : n;
  }
  return n;
}

/** The value as CONFIG GET prints it. */
export function formatValue(value: ConfigValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
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
