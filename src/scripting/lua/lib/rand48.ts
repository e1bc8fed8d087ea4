/**
 * Redis's redisLrand48/redisSrand48 (rand.c): the 48-bit linear
 * congruential generator of lrand48, x = (0x5DEECE66D * x + 0xB) mod 2^48,
 * kept in Redis so that math.random gives the same sequence on every
 * platform. Redis 7 seeds it once per process and never resets it between
 * scripts; each engine here has its own.
 */
const A_HIGH = 0x5de;
const A_LOW = 0xece66d;
const TWO24 = 16777216;
const TWO48 = TWO24 * TWO24;

export class Rand48 {
  /** The state: a 48-bit integer, exact in a double. */
  private x = 0x1234abcd330e;

  /** redisSrand48: the seed's 32 bits above Lua's fixed low 16 (0x330E). */
  seed(seedval: number): void {
    const s = seedval >>> 0;
    this.x = s * 65536 + 0x330e;
  }

  /** redisLrand48: the next 31-bit value. */
  next(): number {
    const xl = this.x % TWO24;
    const xh = Math.floor(this.x / TWO24);
    const low = A_LOW * xl + 0xb;
    const mid = (A_HIGH * xl + A_LOW * xh + Math.floor(low / TWO24)) % TWO24;
    this.x = (mid * TWO24 + (low % TWO24)) % TWO48;
    return Math.floor(this.x / 131072);
  }
}
