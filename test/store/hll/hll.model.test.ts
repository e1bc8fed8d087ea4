import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';
import { murmurReference } from './murmur-reference.js';

/**
 * Random PFADD, PFMERGE and PFCOUNT sequences against a naive model: 16384
 * registers per key, raised by elements hashed with a BigInt MurmurHash64A
 * (murmur-reference.ts). After each step the value's bytes (GET) are decoded by the
 * test's own reader of the format, sparse or dense, and must hold the
 * model's registers; hll-sparse-max-bytes varies so keys cross from sparse
 * to dense at different sizes.
 */
const sluice = useSluice({ conn: 'fresh' });

function addTo(regs: Uint8Array, element: string): boolean {
  const h = murmurReference(element);
  const index = Number(h & 0x3fffn);
  let count = 1;
  for (let rest = (h >> 14n) | (1n << 50n); (rest & 1n) === 0n; rest >>= 1n) count++;
  if (count <= regs[index]) return false;
  regs[index] = count;
  return true;
}

/** The registers a GET's bytes hold, read from the format's description. */
function decode(bytes: string): { encoding: 'sparse' | 'dense'; regs: Uint8Array } {
  expect(bytes.slice(0, 4)).toBe('HYLL');
  const regs = new Uint8Array(16384);
  const b = Buffer.from(bytes, 'latin1');
  if (b[4] === 0) {
    expect(b.length).toBe(16 + 12288);
    for (let i = 0; i < 16384; i++) {
      let v = 0;
      for (let k = 0; k < 6; k++) {
        const bit = i * 6 + k;
        v |= ((b[16 + (bit >> 3)] >> (bit & 7)) & 1) << k;
      }
      regs[i] = v;
    }
    return { encoding: 'dense', regs };
  }
  let idx = 0;
  for (let p = 16; p < b.length; ) {
    const op = b[p];
    if (op >> 6 === 0) {
      idx += (op & 63) + 1;
      p++;
    } else if (op >> 6 === 1) {
      idx += ((op & 63) << 8 | b[p + 1]) + 1;
      p += 2;
    } else {
      const n = (op & 3) + 1;
      for (let k = 0; k < n; k++) regs[idx + k] = ((op >> 2) & 31) + 1;
      idx += n;
      p++;
    }
  }
  expect(idx).toBe(16384);
  return { encoding: 'sparse', regs };
}

function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const int = (n: number): Resp => ({ t: 'int', v: String(n) });

describe('HyperLogLog registers against a naive model', () => {
  for (const [seed, sparseMax] of [[1, 3000], [2, 200], [3, 40], [4, 0]] as const) {
    test(`random sequence ${seed} with hll-sparse-max-bytes ${sparseMax}`, async () => {
      await sluice.conn.call('CONFIG', 'SET', 'hll-sparse-max-bytes', String(sparseMax));
      const rnd = generator(seed);
      const keys = ['a', 'b', 'c'];
      const model = new Map<string, Uint8Array>();
      const wentDense = new Set<string>();
      for (let step = 0; step < 80; step++) {
        const key = keys[Math.floor(rnd() * keys.length)];
        const r = rnd();
        if (r < 0.7) {
          const n = Math.floor(rnd() * (rnd() < 0.2 ? 400 : 12));
          const elements = Array.from({ length: n }, () => `${Math.floor(rnd() * 5000)}:${'x'.repeat(Math.floor(rnd() * 10))}`);
          const regs = model.get(key) ?? new Uint8Array(16384);
          let changed = !model.has(key);
          for (const e of elements) changed = addTo(regs, e) || changed;
          model.set(key, regs);
          expect(await sluice.conn.call('PFADD', key, ...elements), `step ${step}`).toEqual(int(changed ? 1 : 0));
        } else if (r < 0.85) {
          const sources = keys.filter(() => rnd() < 0.5);
          const regs = model.get(key) ?? new Uint8Array(16384);
          for (const s of sources) {
            const other = model.get(s);
            if (other !== undefined) for (let i = 0; i < 16384; i++) regs[i] = Math.max(regs[i], other[i]);
          }
          model.set(key, regs);
          expect(await sluice.conn.call('PFMERGE', key, ...sources)).toEqual({ t: 'simple', v: 'OK' });
        } else {
          // The count of a union is the count of the merge of the same keys.
          await sluice.conn.call('PFMERGE', 'u', ...keys);
          expect(await sluice.conn.call('PFCOUNT', ...keys)).toEqual(await sluice.conn.call('PFCOUNT', 'u'));
          await sluice.conn.call('DEL', 'u');
        }
        const want = model.get(key);
        if (want === undefined) continue;
        const got = await sluice.conn.call('GET', key);
        const { encoding, regs } = decode(got.v as string);
        const differs = regs.findIndex((v, i) => v !== want[i]);
        expect(differs, `step ${step}: first register of ${key} that differs`).toBe(-1);
        // Sparse to dense, never back.
        if (encoding === 'dense') wentDense.add(key);
        else expect(wentDense.has(key), `step ${step}: ${key} went back to sparse`).toBe(false);
        if (sparseMax === 0 && regs.some((v) => v > 0)) expect(encoding).toBe('dense');
      }
      await sluice.conn.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    }, 60_000);
  }
});
