/** Redis's Earth: a sphere of the WGS-84 quadratic mean radius. */
export const EARTH_RADIUS = 6372797.560856;

/** Degrees to radians as Redis converts (a multiplication by the rounded π/180, not a division). */
const D_R = Math.PI / 180;

export function degRad(deg: number): number {
  return deg * D_R;
}

export function radDeg(rad: number): number {
  return rad / D_R;
}

/** Metres between two latitudes on one meridian. */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in metres, with Redis's shortcut when the longitudes' half difference has a sine of 0. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
}

/**
 * The distance from the centre of an axis-aligned box (widthM by heightM
 * metres) to a point inside it, or -1 when the point is outside: its
 * latitude within half the height of the centre's, and the distance along
 * its own parallel to the centre's meridian within half the width.
 */
export function distanceInBox(
  widthM: number, heightM: number, lon1: number, lat1: number, lon2: number, lat2: number,
): number {
  if (latDistance(lat2, lat1) > heightM / 2) return -1;
  if (distance(lon2, lat2, lon1, lat2) > widthM / 2) return -1;
  return distance(lon1, lat1, lon2, lat2);
}
