import { describe, expect, test } from 'vitest';
import type { Shape } from '../../../src/store/geo/geo-areas.js';
import { distance, distanceInBox } from '../../../src/store/geo/geo-distance.js';
import { searchShape } from '../../../src/store/geo/geo-search.js';
import { pointScore, scorePoint } from '../../../src/store/geo/geohash.js';
import { ZSetValue, type ZsetLimits } from '../../../src/store/zset/zset-value.js';

/**
 * The cell search against a naive model, every member tested against the
 * shape: thousands of random sequences of adds, moves and removals on a
 * set with small thresholds (so it goes from listpack to skiplist), each
 * followed by searches of every size. The nine cells Redis visits must
 * find exactly the members inside the shape, each once; with a limit, that
 * many of them (or all), in the order the full search finds them.
 */

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

const LIMITS: ZsetLimits = { entries: 8, value: 64 };

function inside(s: Shape, score: number): boolean {
  const [lon, lat] = scorePoint(score);
  if (s.kind === 'circle') return !(distance(s.lon, s.lat, lon, lat) > s.radius * s.conversion);
  return distanceInBox(s.width * s.conversion, s.height * s.conversion, s.lon, s.lat, lon, lat) !== -1;
}

function randomShape(r: () => number, near: [number, number]): Shape {
  const jitter = r() < 0.5 ? 0 : 10 ** (-4 + r() * 4);
  const lon = Math.max(-180, Math.min(180, near[0] + (r() * 2 - 1) * jitter));
  const lat = Math.max(-85.05, Math.min(85.05, near[1] + (r() * 2 - 1) * jitter));
  const size = () => 10 ** (r() * 7.3);
  const conversion = [1, 1000, 0.3048, 1609.34][Math.floor(r() * 4)];
  return r() < 0.5
    ? { lon, lat, conversion: 1, kind: 'circle', radius: size() / conversion, width: 0, height: 0 }
    : { lon, lat, conversion: 1, kind: 'box', radius: 0, width: size() / conversion, height: size() / conversion };
}

describe('geo search against a naive model', () => {
  test('2000 sequences: the cells find exactly the members inside the shape, through listpack and skiplist', () => {
    const r = rng(7);
    let searches = 0;
    let nonEmpty = 0;
    for (let seq = 0; seq < 2000; seq++) {
      const z = ZSetValue.create(1, 1, LIMITS);
      const model = new Map<string, number>();
      let peak = 0;
      // Points crowd around a centre, at a scale from metres to the whole map.
      const centre: [number, number] = [r() * 360 - 180, r() * 170 - 85];
      const spread = 10 ** (-4 + r() * 6);
      for (let op = 0; op < 12; op++) {
        const member = `m${Math.floor(r() * 16)}`;
        if (r() < 0.2 && model.has(member)) {
          z.remove(member);
          model.delete(member);
        } else {
          // Not on the grid's east edge: a point at 180 has a score past the grid's last cell (differential rows cover it).
          const lon = Math.max(-180, Math.min(179.999999, centre[0] + (r() * 2 - 1) * spread));
          const lat = Math.max(-85.05, Math.min(85.05, centre[1] + (r() * 2 - 1) * spread));
          const score = pointScore(lon, lat);
          const current = z.score(member);
          if (current === undefined) z.add(member, score, LIMITS);
          else if (current !== score) z.update(member, current, score);
          model.set(member, score);
          peak = Math.max(peak, model.size);
        }
        const near: [number, number] = r() < 0.5 ? centre : scorePoint([...model.values()][0] ?? 0);
        const shape = randomShape(r, near);
        const found = searchShape(z, shape, 0, false).map((p) => p.member);
        const expected = [...model].filter(([, score]) => inside(shape, score)).map(([m]) => m);
        expect(new Set(found).size, 'no member twice').toBe(found.length);
        expect([...found].sort(), JSON.stringify(shape)).toEqual(expected.sort());
        const limit = 1 + Math.floor(r() * 4);
        expect(searchShape(z, shape, limit, true).map((p) => p.member)).toEqual(found.slice(0, limit));
        searches++;
        if (found.length > 0) nonEmpty++;
      }
      // Sets convert one way, as Redis's do.
      expect(z.packed).toBe(peak <= LIMITS.entries);
    }
    expect(nonEmpty).toBeGreaterThan(searches / 4);
  });
});
