import { describe, expect, test } from 'vitest';
import { lexSpan, limitSpan, scoreSpan, type LexRange, type ScoreRange } from '../../../src/store/zset/range.js';
import { ZSetValue, type ZsetLimits } from '../../../src/store/zset/zset-value.js';

/**
 * ZSetValue against a naive model, a sorted array of [member, score]:
 * thousands of random operation sequences with small thresholds, so sets
 * go from listpack to skiplist and, through the rebuild a *STORE result
 * gets, back again; after every operation the whole order, every rank and
 * every score must agree.
 */

type Entry = [member: string, score: number];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const before = (a: Entry, b: Entry) => a[1] < b[1] || (a[1] === b[1] && a[0] < b[0]);

class Model {
  entries: Entry[] = [];

  find(m: string): number {
    return this.entries.findIndex((e) => e[0] === m);
  }

  add(m: string, s: number): void {
    const i = this.find(m);
    if (i !== -1) this.entries.splice(i, 1);
    let at = 0;
    while (at < this.entries.length && before(this.entries[at], [m, s])) at++;
    this.entries.splice(at, 0, [m, s]);
  }

  inScore(s: number, r: ScoreRange): boolean {
    return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
  }

  inLex(m: string, r: LexRange): boolean {
    const lo = r.min;
    const hi = r.max;
    const geMin = lo.kind === 'min' ? true : lo.kind === 'max' ? false : lo.ex ? m > lo.value : m >= lo.value;
    const leMax = hi.kind === 'max' ? true : hi.kind === 'min' ? false : hi.ex ? m < hi.value : m <= hi.value;
    return geMin && leMax;
  }
}

function entriesOf(z: ZSetValue): Entry[] {
  const out: Entry[] = [];
  z.forRange(0, z.size, false, (m, s) => out.push([m, s]));
  return out;
}

const SCORES = [-Infinity, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, Infinity];

function randomScore(r: () => number): number {
  return r() < 0.7 ? SCORES[Math.floor(r() * SCORES.length)] : Math.round((r() - 0.5) * 1e4) / 16;
}

function randomMember(r: () => number): string {
  const n = Math.floor(r() * 12);
  const len = r() < 0.1 ? 9 + Math.floor(r() * 20) : 1 + Math.floor(r() * 3);
  return String.fromCharCode(97 + n) + 'x'.repeat(len - 1);
}

function randomScoreRange(r: () => number): ScoreRange {
  const a = randomScore(r);
  const b = randomScore(r);
  return { min: Math.min(a, b), max: r() < 0.1 ? Math.min(a, b) - 1 : Math.max(a, b), minex: r() < 0.3, maxex: r() < 0.3 };
}

function randomLexRange(r: () => number): LexRange {
  const bound = () => {
    const k = r();
    if (k < 0.1) return { kind: 'min' as const };
    if (k < 0.2) return { kind: 'max' as const };
    return { kind: 'value' as const, value: randomMember(r), ex: r() < 0.5 };
  };
  return { min: bound(), max: bound() };
}

/** The set's whole state as the model would describe it: order, size, and each member's rank and score by lookup. */
function check(z: ZSetValue, model: Model, context: string): void {
  const seen = {
    entries: entriesOf(z),
    size: z.size,
    lookups: model.entries.map(([m], i): Entry => [z.memberAt(i), z.scoreAt(i)]),
    ranks: model.entries.map(([m]) => z.rank(m)),
    scores: model.entries.map(([m]) => z.score(m)),
  };
  const want = {
    entries: model.entries,
    size: model.entries.length,
    lookups: model.entries,
    ranks: model.entries.map((_, i) => i),
    scores: model.entries.map(([, s]) => s),
  };
  // One comparison per step (expect's deep equality per entry would take minutes); -0 and the infinities kept apart.
  const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'number' ? (Object.is(x, -0) ? '-0' : String(x)) : x));
  if (text(seen) !== text(want)) expect(text(seen), context).toEqual(text(want));
}

/** What a listpack stores for -0: an integer 0 (Redis's double2ll), so the model keeps 0 for packed sets. */
function stored(z: ZSetValue, s: number): number {
  return z.packed && s === 0 ? 0 : s;
}

describe('ZSetValue against a sorted-array model', () => {
  test('random sequences of adds, updates, removals, range removals and queries agree, across both encodings', { timeout: 120_000 }, () => {
    let conversions = 0;
    let returns = 0;
    for (let seq = 0; seq < 2000; seq++) {
      const r = rng(seq + 1);
      const limits: ZsetLimits = { entries: Math.floor(r() * 9), value: 1 + Math.floor(r() * 10) };
      const model = new Model();
      let z = ZSetValue.create(1, 1, limits);
      const ops = 10 + Math.floor(r() * 60);
      for (let step = 0; step < ops; step++) {
        const wasPacked = z.packed;
        const op = r();
        const context = `seq ${seq} step ${step}`;
        if (op < 0.35) {
          const m = randomMember(r);
          const s = randomScore(r);
          const current = z.score(m);
          if (current === undefined) z.add(m, s, limits);
          else if (current !== s) z.update(m, current, s);
          // Redis keeps the score a member had when the new one compares equal (-0 against 0).
          model.add(m, current !== undefined && current === s ? current : stored(z, s));
        } else if (op < 0.45) {
          const m = r() < 0.7 && model.entries.length > 0 ? model.entries[Math.floor(r() * model.entries.length)][0] : randomMember(r);
          const had = model.find(m) !== -1;
          expect(z.remove(m), context).toBe(had);
          if (had) model.entries.splice(model.find(m), 1);
        } else if (op < 0.52 && model.entries.length > 0) {
          const start = Math.floor(r() * model.entries.length);
          const count = 1 + Math.floor(r() * (model.entries.length - start));
          z.removeRange(start, count);
          model.entries.splice(start, count);
        } else if (op < 0.62) {
          const range = randomScoreRange(r);
          const { start, end } = scoreSpan(z, range);
          const expected = model.entries.filter(([, s]) => model.inScore(s, range));
          expect(model.entries.slice(start, end), context).toEqual(expected);
          const offset = Math.floor(r() * 4) - 1;
          const limit = Math.floor(r() * 4) - 1;
          const reverse = r() < 0.5;
          const lim = limitSpan({ start, end }, offset, limit, reverse);
          const ordered = reverse ? [...expected].reverse() : expected;
          const want = offset < 0 ? [] : ordered.slice(offset, limit < 0 ? undefined : offset + limit);
          const got = model.entries.slice(lim.start, lim.end);
          expect(reverse ? got.reverse() : got, context).toEqual(want);
        } else if (op < 0.7) {
          // Lex ranges are defined over members of one score: query a set that has only those.
          const same = model.entries.filter(([, s]) => s === 0);
          const lexSet = ZSetValue.fromSorted(same.map((e) => e[0]), same.map((e) => e[1]), limits);
          const range = randomLexRange(r);
          const { start, end } = lexSpan(lexSet, range);
          expect(same.slice(start, end).map((e) => e[0]), context).toEqual(same.filter(([m]) => model.inLex(m, range)).map((e) => e[0]));
        } else if (op < 0.76) {
          const sizeHint = Math.floor(r() * 12);
          z.maybeConvert(sizeHint, limits);
        } else if (op < 0.82) {
          // A *STORE result: the same entries, encoded for their size.
          const entries = entriesOf(z);
          z = ZSetValue.fromSorted(entries.map((e) => e[0]), entries.map((e) => e[1]), limits);
          for (const e of model.entries) e[1] = stored(z, e[1]);
        } else if (op < 0.87) {
          const copy = z.clone();
          const snap = z.snapshot();
          const m = randomMember(r);
          if (copy.score(m) === undefined) copy.add(m, 1, limits);
          copy.removeRange(0, Math.min(1, copy.size));
          const rebuilt: Entry[] = [];
          const it = snap.rebuildCommands('k');
          for (let x = it.next(); !x.done; x = it.next()) {
            for (let i = 2; i < x.value.length; i += 2) rebuilt.push([x.value[i + 1], Number(x.value[i].replace('inf', 'Infinity'))]);
          }
          expect(rebuilt, context).toEqual(model.entries);
        } else if (model.entries.length > 0) {
          const k = Math.floor(r() * model.entries.length);
          const count = Math.floor(r() * 5);
          const reverse = r() < 0.5;
          const got: Entry[] = [];
          const n = Math.min(count, reverse ? k + 1 : model.entries.length - k);
          z.forRange(k, n, reverse, (m, s) => got.push([m, s]));
          const want = reverse ? model.entries.slice(k - n + 1, k + 1).reverse() : model.entries.slice(k, k + n);
          expect(got, context).toEqual(want);
        }
        check(z, model, context);
        if (z.packed) {
          expect(z.size <= limits.entries || model.entries.length === 0 || z.size === 0, context).toBe(true);
        }
        if (wasPacked && !z.packed) conversions++;
        if (!wasPacked && z.packed) returns++;
      }
    }
    expect(conversions).toBeGreaterThan(500);
    expect(returns).toBeGreaterThan(100);
  });
});
