const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A in 64-bit BigInt arithmetic, straight from its definition: what the 32-bit implementation is checked against. */
export function murmurReference(s: string, seed = 0xadc83b19n): bigint {
  let h = (seed ^ (BigInt(s.length) * M)) & MASK;
  const whole = s.length - (s.length % 8);
  for (let i = 0; i < whole; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h = ((h ^ k) * M) & MASK;
  }
  if (s.length % 8 !== 0) {
    for (let j = (s.length % 8) - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(whole + j)) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  return h ^ (h >> 47n);
}
