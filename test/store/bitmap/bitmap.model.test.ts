import { describe, expect, test } from 'vitest';
import { BYTES_FROM } from '../../../src/keyspace/mutable-string.js';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

/**
 * Random sequences of SETBIT, BITFIELD, BITCOUNT and BITPOS against a naive
 * model: an array of bits, and each command's meaning as its documentation
 * states it (no code shared with the implementation). Values cross the
 * length where a modified string moves into a buffer.
 */
const sluice = useSluice({ conn: 'fresh' });

function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

class Bits {
  bits: number[] = [];
  get(i: number): number {
    return this.bits[i] ?? 0;
  }
  /** Grows to whole bytes, zero-filled, as a string does. */
  grow(bit: number): void {
    const bytes = Math.floor(bit / 8) + 1;
    while (this.bits.length < bytes * 8) this.bits.push(0);
  }
  field(offset: number, width: number, signed: boolean): bigint {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 1n) | BigInt(this.get(offset + i));
    return signed && width > 0 && v >= 1n << BigInt(width - 1) ? v - (1n << BigInt(width)) : v;
  }
  setField(offset: number, width: number, value: bigint): void {
    const u = ((value % (1n << BigInt(width))) + (1n << BigInt(width))) % (1n << BigInt(width));
    for (let i = 0; i < width; i++) this.bits[offset + i] = Number((u >> BigInt(width - 1 - i)) & 1n);
  }
  bytes(): string {
    let s = '';
    for (let i = 0; i < this.bits.length; i += 8) {
      let b = 0;
      for (let k = 0; k < 8; k++) b = (b << 1) | this.get(i + k);
      s += String.fromCharCode(b);
    }
    return s;
  }
}

/** A range given in `unit`s, clamped as the documentation describes; null when empty. */
function range(len: number, start: number, end: number): [number, number] | null {
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  end = Math.min(end, len - 1);
  return start > end ? null : [start, end];
}

/** The mathematical result of a field update under an overflow policy; null for FAIL. */
function overflowed(v: bigint, width: number, signed: boolean, policy: string): bigint | null {
  const lo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const hi = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  if (v >= lo && v <= hi) return v;
  if (policy === 'FAIL') return null;
  if (policy === 'SAT') return v < lo ? lo : hi;
  const m = 1n << BigInt(width);
  const u = ((v % m) + m) % m;
  return signed && u > hi ? u - m : u;
}

const int = (n: number | bigint): Resp => ({ t: 'int', v: String(n) });

describe('bit commands against a bit-array model', () => {
  for (const seed of [1, 2, 3, 4]) {
    test(`random operation sequence ${seed} gives the model's replies and bytes`, async () => {
      const rnd = generator(seed);
      const pick = (n: number) => Math.floor(rnd() * n);
      const m = new Bits();
      let exists = false;
      // Offsets mostly near the current end, sometimes far past the buffer threshold.
      const offset = () => (rnd() < 0.1 ? pick(BYTES_FROM * 8 * 2) : pick(m.bits.length + 64));
      for (let step = 0; step < 600; step++) {
        const r = rnd();
        const len = m.bits.length / 8;
        let cmd: string[];
        let want: Resp;
        if (r < 0.3) {
          const at = offset();
          const on = pick(2);
          cmd = ['SETBIT', 'k', String(at), String(on)];
          want = int(m.get(at));
          m.grow(at);
          m.bits[at] = on;
          exists = true;
        } else if (r < 0.55) {
          const signed = rnd() < 0.5;
          const width = 1 + pick(signed ? 64 : 63);
          const at = offset();
          const policy = ['WRAP', 'SAT', 'FAIL'][pick(3)];
          const amount = BigInt(pick(2 ** 20)) * (rnd() < 0.5 ? -1n : 1n) * (rnd() < 0.2 ? 2n ** 40n : 1n);
          const incr = rnd() < 0.5;
          cmd = ['BITFIELD', 'k', 'OVERFLOW', policy, incr ? 'INCRBY' : 'SET', `${signed ? 'i' : 'u'}${width}`, String(at), String(amount)];
          const old = m.field(at, width, signed);
          // SET reads its value as a 64-bit unsigned one for an unsigned field: -1 is 2^64-1, too big, not too small.
          const value = !incr && !signed && amount < 0n ? amount + 2n ** 64n : amount;
          const next = overflowed(incr ? old + amount : value, width, signed, policy);
          m.grow(at + width - 1);
          exists = true;
          if (next === null) {
            want = { t: 'array', v: [{ t: 'bulk', v: null }] };
          } else {
            want = { t: 'array', v: [int(incr ? next : old)] };
            m.setField(at, width, next);
          }
        } else if (r < 0.75) {
          const bit = rnd() < 0.5;
          const s = pick(2 * len + 3) - len - 1;
          const e = pick(2 * len + 3) - len - 1;
          const [a, b] = bit ? [s * 8 + pick(8), e * 8 + pick(8)] : [s, e];
          cmd = ['BITCOUNT', 'k', String(a), String(b), bit ? 'BIT' : 'BYTE'];
          const rg = range(bit ? len * 8 : len, a, b);
          let n = 0;
          if (rg !== null) {
            const [lo, hi] = bit ? rg : [rg[0] * 8, rg[1] * 8 + 7];
            for (let i = lo; i <= hi; i++) n += m.get(i);
          }
          want = int(exists && !(a < 0 && b < 0 && a > b) ? n : 0);
        } else {
          const bit = pick(2);
          // Without an end there is no unit: the start counts bytes.
          const withEnd = rnd() < 0.6;
          const inBits = withEnd && rnd() < 0.5;
          const total = inBits ? len * 8 : len;
          const s = pick(2 * total + 3) - total - 1;
          const e = pick(2 * total + 3) - total - 1;
          cmd = ['BITPOS', 'k', String(bit), String(s), ...(withEnd ? [String(e), inBits ? 'BIT' : 'BYTE'] : [])];
          const rg = range(total, s, withEnd ? e : total - 1);
          let pos = -1;
          if (!exists) {
            pos = bit === 1 ? -1 : 0;
          } else if (rg !== null) {
            const [lo, hi] = inBits ? rg : [rg[0] * 8, rg[1] * 8 + 7];
            for (let i = lo; i <= hi && pos === -1; i++) if (m.get(i) === bit) pos = i;
            if (pos === -1 && bit === 0 && !withEnd) pos = hi + 1;
          }
          want = int(pos);
        }
        expect(await sluice.conn.call(...cmd), `step ${step}: ${cmd.join(' ')}`).toEqual(want);
        if (step % 25 === 0 && exists) expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: m.bytes() });
      }
      expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: exists ? m.bytes() : null });
    });
  }
});
