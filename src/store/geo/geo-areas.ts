import { EARTH_RADIUS, degRad, radDeg } from './geo-distance.js';
import { cellArea, encode, STEP_MAX, type Cell } from './geohash.js';

/** A search area: a circle of `radius` or a box of `width` by `height`, in units of `conversion` metres, around a point. */
export interface Shape {
  lon: number;
  lat: number;
  conversion: number;
  kind: 'circle' | 'box';
  radius: number;
  width: number;
  height: number;
}

/** Half the Mercator projection's extent, in metres: the scale the step estimate starts from. */
const MERCATOR_MAX = 20037726.37;

/**
 * The step whose cells are about as large as a search radius (Redis's
 * geohashEstimateStepsByRadius): one coarser than the radius doubled up to
 * the Mercator extent suggests, coarser still near the poles.
 */
export function estimateStep(rangeMetres: number, lat: number): number {
  if (rangeMetres === 0) return STEP_MAX;
  let step = 1;
  while (rangeMetres < MERCATOR_MAX) {
    rangeMetres *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(STEP_MAX, Math.max(1, step));
}

/** The shape's bounding box in degrees: wider on the side nearer the pole, as its parallels shorten there. */
export function boundingBox(s: Shape): { lonMin: number; latMin: number; lonMax: number; latMax: number } {
  const height = s.conversion * (s.kind === 'circle' ? s.radius : s.height / 2);
  const width = s.conversion * (s.kind === 'circle' ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS / Math.cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS / Math.cos(degRad(s.lat - latDelta)));
  const lonDelta = s.lat < 0 ? lonDeltaBottom : lonDeltaTop;
  return { lonMin: s.lon - lonDelta, latMin: s.lat - latDelta, lonMax: s.lon + lonDelta, latMax: s.lat + latDelta };
}

function move(c: Cell, dLon: number, dLat: number): Cell {
  const scale = 2 ** c.step;
  const wrap = (v: number): number => (((v % scale) + scale) % scale);
  return { lat: dLat === 0 ? c.lat : wrap(c.lat + dLat), lon: dLon === 0 ? c.lon : wrap(c.lon + dLon), step: c.step };
}

/**
 * The cells a search visits, in Redis's order (centre, N, S, E, W, NE, NW,
 * SE, SW; geohashCalculateAreasByShapeWGS84), null for a neighbour the
 * shape's bounding box cannot reach. The step is the estimate for the
 * shape's radius (a box's half diagonal), one coarser when a side neighbour
 * does not reach the bounding box's edge.
 */
export function searchCells(s: Shape): (Cell | null)[] {
  const box = boundingBox(s);
  const radius = s.kind === 'circle' ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  let step = estimateStep(radius * s.conversion, s.lat);
  let centre = encode(s.lon, s.lat, step)!;
  const north = cellArea(move(centre, 0, 1));
  const south = cellArea(move(centre, 0, -1));
  const east = cellArea(move(centre, 1, 0));
  const west = cellArea(move(centre, -1, 0));
  const tooSmall = north.latMax < box.latMax || south.latMin > box.latMin || east.lonMax < box.lonMax || west.lonMin > box.lonMin;
  if (step > 1 && tooSmall) {
    step--;
    centre = encode(s.lon, s.lat, step)!;
  }
  const area = cellArea(centre);
  const prune = step >= 2;
  const noSouth = prune && area.latMin < box.latMin;
  const noNorth = prune && area.latMax > box.latMax;
  const noWest = prune && area.lonMin < box.lonMin;
  const noEast = prune && area.lonMax > box.lonMax;
  const at = (dLon: number, dLat: number): Cell | null => {
    if ((dLat > 0 && noNorth) || (dLat < 0 && noSouth) || (dLon > 0 && noEast) || (dLon < 0 && noWest)) return null;
    return move(centre, dLon, dLat);
  };
  return [centre, at(0, 1), at(0, -1), at(1, 0), at(-1, 0), at(1, 1), at(-1, 1), at(1, -1), at(-1, -1)];
}
