import { describe, expect, it } from 'vitest';
import { formatDouble, numberToString, shortG } from '../../../src/scripting/lua/number-format.js';

/** A reproducible stream of doubles: short decimals as scripts write them, and random bit patterns of every magnitude. */
function* doubles(count: number): Generator<number> {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const bits = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < count; i++) {
    const digits = 1 + Math.floor(next() * 17);
    const mantissa = Math.floor(next() * 10 ** Math.min(digits, 15));
    yield Number(`${next() < 0.5 ? '-' : ''}${mantissa}e${Math.floor(next() * 30) - 20}`);
    bits.setUint32(0, Math.floor(next() * 2 ** 32));
    bits.setUint32(4, Math.floor(next() * 2 ** 32));
    yield bits.getFloat64(0);
  }
}

describe('"%.<p>g" of a double', () => {
  it("shortG's shortcut, when it takes one, is formatDouble's digit-by-digit answer at every precision", () => {
    let taken = 0;
    for (const x of doubles(20000)) {
      for (const p of [1, 3, 6, 14]) {
        const short = shortG(x, p);
        if (short === null) continue;
        taken++;
        expect(short, `${x} at %.${p}g`).toBe(formatDouble(x, 'g', p));
      }
    }
    // The shortcut is for the common case: most short decimals take it.
    expect(taken).toBeGreaterThan(10000);
  });

  it('declines what %g writes with an exponent, and more digits than the precision', () => {
    expect(shortG(0.00001, 14)).toBeNull();
    expect(shortG(0.0001, 14)).toBe('0.0001');
    expect(shortG(123456789012345.5, 14)).toBeNull();
    expect(shortG(0.1 + 0.2, 14)).toBeNull();
    expect(shortG(1.5, 1)).toBeNull();
    expect(shortG(-2.25, 3)).toBe('-2.25');
    expect(shortG(Infinity, 14)).toBeNull();
    expect(shortG(NaN, 14)).toBeNull();
  });

  it("numberToString is Lua's %.14g: tostring(0.1 + 0.2), tostring(1/3), tostring(-1.5), 1e-5", () => {
    expect(numberToString(0.1 + 0.2)).toBe('0.3');
    expect(numberToString(1 / 3)).toBe('0.33333333333333');
    expect(numberToString(-1.5)).toBe('-1.5');
    expect(numberToString(1e-5)).toBe('1e-05');
    expect(numberToString(123456.789)).toBe('123456.789');
  });
});
