import { CommandError } from '../../core/errors.js';
import type { Ctx } from '../../core/context.js';
import { smallInt, toInt64 } from '../../codecs/integer-text.js';

const BAD_OFFSET = 'ERR bit offset is not an integer or out of range';
const BAD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/**
 * A bit offset argument (Redis's getBitOffsetFromArgument): an int64, or
 * with `fieldBits` (BITFIELD) also `#N`, meaning N fields of that width
 * (multiplied as Redis's int64 does, wrapping). Refused when negative or
 * when its byte would reach proto-max-bulk-len, except from the AOF, whose
 * commands were accepted once.
 */
export function bitOffsetArg(c: Ctx, arg: string, fieldBits = 0): number {
  const hash = fieldBits > 0 && arg.charCodeAt(0) === 35;
  // The usual offset, a short plain decimal, read without a bigint.
  const plain = hash ? NaN : smallInt(arg);
  if (plain >= 0 && (c.loading || Math.floor(plain / 8) < c.config.num('proto-max-bulk-len'))) return plain;
  let n = toInt64(hash ? arg.slice(1) : arg);
  if (n === null) throw new CommandError(BAD_OFFSET);
  if (hash) n = BigInt.asIntN(64, n * BigInt(fieldBits));
  if (n < 0n || (!c.loading && n >> 3n >= BigInt(c.config.num('proto-max-bulk-len')))) {
    throw new CommandError(BAD_OFFSET);
  }
  return Number(n);
}

/** A BITFIELD type, `i1`..`i64` or `u1`..`u63`. */
export interface FieldType {
  signed: boolean;
  bits: number;
}

export function fieldTypeArg(arg: string): FieldType {
  const sign = arg.charCodeAt(0);
  if (sign !== 105 && sign !== 117) throw new CommandError(BAD_TYPE);
  // Redis reads the width as a C string: a NUL byte ends it.
  const rest = arg.slice(1);
  const nul = rest.indexOf('\0');
  const n = toInt64(nul === -1 ? rest : rest.slice(0, nul));
  const signed = sign === 105;
  if (n === null || n < 1n || n > (signed ? 64n : 63n)) throw new CommandError(BAD_TYPE);
  return { signed, bits: Number(n) };
}
