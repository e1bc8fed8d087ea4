import { smallInt } from '../../core/numbers.js';

/**
 * The items a stream block packs its entries from. Each item is one varint
 * header (seven bits per char, low bits first, a char below 128 ends it)
 * that says what follows:
 *
 *   even h: a byte string of h / 2 chars follows
 *   odd h:  the item is the integer zigzag⁻¹((h - 1) / 2), nothing follows
 *
 * so a canonical decimal such as a 10-digit timestamp costs 5 chars, not
 * 11, and an ID delta or field count usually one. Integers are taken only
 * where the string they stand for is exactly the one they print as, so a
 * value reads back byte for byte. Headers stay below 2^53, exact as doubles.
 */

/** Integers an item holds: |v| < 2^51 keeps 4|v| + 1 exact. */
const INT_LIMIT = 2 ** 51;

/** The varint of `h` (at most 2^53). */
export function varint(h: number): string {
  if (h < 128) return String.fromCharCode(h);
  let out = '';
  while (h >= 128) {
    out += String.fromCharCode(128 + (h % 128));
    h = Math.floor(h / 128);
  }
  return out + String.fromCharCode(h);
}

/** Whether `v` can be an integer item. */
export function fitsIntItem(v: number): boolean {
  return Number.isSafeInteger(v) && v < INT_LIMIT && v > -INT_LIMIT;
}

/** `v` as an integer item (fitsIntItem(v) must hold). */
export function intItem(v: number): string {
  return varint(2 * (v >= 0 ? 2 * v : -2 * v - 1) + 1);
}

/** `s` as an item: an integer item when `s` is a canonical decimal small enough, else its bytes. */
export function stringItem(s: string): string {
  const len = s.length;
  if (len !== 0 && len <= 16) {
    const c = s.charCodeAt(0);
    if (c === 45 || (c >= 48 && c <= 57)) {
      const v = smallInt(s);
      if (v === v) return intItem(v);
    }
  }
  return varint(2 * len) + s;
}

/** A cursor over items: `header` reads one's varint and leaves `pos` on what follows it. */
export class ItemCursor {
  pos = 0;

  constructor(public data: string) {}

  header(): number {
    const d = this.data;
    let p = this.pos;
    let b = d.charCodeAt(p++);
    if (b < 128) {
      this.pos = p;
      return b;
    }
    let h = 0;
    let shift = 1;
    for (; b >= 128; b = d.charCodeAt(p++)) {
      h += (b - 128) * shift;
      shift *= 128;
    }
    this.pos = p;
    return h + b * shift;
  }

  /** The item here as the string it stands for; moves past it. */
  string(): string {
    const h = this.header();
    if (h % 2 === 1) return String(intOf(h));
    const start = this.pos;
    this.pos = start + h / 2;
    return this.data.slice(start, this.pos);
  }

  /** The item here, an integer item, as a number; moves past it. */
  int(): number {
    return intOf(this.header());
  }

  /** Moves past the item here. */
  skip(): void {
    const h = this.header();
    if (h % 2 === 0) this.pos += h / 2;
  }
}

/** The integer an odd header holds. */
export function intOf(h: number): number {
  const z = (h - 1) / 2;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
