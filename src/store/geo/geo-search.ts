import { scoreSpan } from '../zset/range.js';
import type { ZSetValue } from '../zset/zset-value.js';
import { searchCells, type Shape } from './geo-areas.js';
import { distance, distanceInBox, latDistance } from './geo-distance.js';
import { cellScores, scorePoint, type Cell } from './geohash.js';

/** A member a search found: its score, its point, and its distance from the shape's centre in metres. */
export interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** Entries read at a time when a search may stop early (COUNT … ANY). */
const CHUNK = 64;

/**
 * How far past a circle's radius a point's distance along the meridian
 * must be for it to be left out without the haversine: no distance is
 * shorter than that one, and the margin keeps rounding from ever
 * deciding it.
 */
const MERIDIAN_MARGIN = 1 + 1e-9;

/** The distance in metres from the shape's centre to a point inside it; -1 when outside. */
function distanceWithin(s: Shape, lon: number, lat: number): number {
  if (s.kind === 'box') return distanceInBox(s.width * s.conversion, s.height * s.conversion, s.lon, s.lat, lon, lat);
  const radius = s.radius * s.conversion;
  if (latDistance(s.lat, lat) > radius * MERIDIAN_MARGIN) return -1;
  const d = distance(s.lon, s.lat, lon, lat);
  return d > radius ? -1 : d;
}

/**
 * Appends the members of one cell that lie in the shape, in score order,
 * reading only the cell's score range; stops once `out` holds `limit`
 * (0: no limit).
 */
function searchCell(z: ZSetValue, cell: Cell, s: Shape, out: GeoPoint[], limit: number, own: boolean): void {
  const { min, max } = cellScores(cell);
  const { start, end } = scoreSpan(z, { min, max, minex: false, maxex: true });
  const full = (): boolean => limit !== 0 && out.length >= limit;
  const visit = (member: string, score: number): void => {
    if (full()) return;
    const [lon, lat] = scorePoint(score);
    const dist = distanceWithin(s, lon, lat);
    if (dist !== -1) out.push({ member, score, lon, lat, dist });
  };
  const chunk = limit === 0 ? end - start : CHUNK;
  for (let r = start; r < end && !full(); r += chunk) z.forRange(r, Math.min(chunk, end - r), false, visit, own);
}

/**
 * The members within a shape, as Redis's membersOfAllNeighbors finds them:
 * cell by cell (a neighbour equal to the one searched before it skipped,
 * as huge radii make them), in score order within a cell, stopping at
 * `limit` (COUNT … ANY; 0 for none). `own` copies members out of a packed
 * set, for results that are kept.
 */
export function searchShape(z: ZSetValue, s: Shape, limit: number, own: boolean): GeoPoint[] {
  const cells = searchCells(s);
  const out: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null) continue;
    const prev = cells[last];
    if (last !== 0 && prev !== null && cell.lat === prev.lat && cell.lon === prev.lon) continue;
    if (limit !== 0 && out.length >= limit) break;
    searchCell(z, cell, s, out, limit, own);
    last = i;
  }
  return out;
}
