/**
 * Redis's geohash: a cell of a grid over longitude and latitude, 2^step
 * cells along each axis, named by its two integer coordinates. The 52-bit
 * score of a geo member is its step-26 cell with the coordinates' bits
 * interleaved, latitude on the even bits and longitude on the odd ones.
 */

/** The Web Mercator square Redis indexes: the poles cannot be reached. */
export const LON_MIN = -180;
export const LON_MAX = 180;
export const LAT_MIN = -85.05112878;
export const LAT_MAX = 85.05112878;
export const STEP_MAX = 26;

export interface Range {
  min: number;
  max: number;
}

export const LON_RANGE: Range = { min: LON_MIN, max: LON_MAX };
const LAT_RANGE: Range = { min: LAT_MIN, max: LAT_MAX };

/** A cell: integer coordinates below 2^step, except where Redis lets a coordinate on the grid's far edge reach 2^step. */
export interface Cell {
  lat: number;
  lon: number;
  step: number;
}

/** A cell's extent in degrees. */
export interface Area {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

const TWO32 = 2 ** 32;
/** Constants a decode uses, computed once: an exponentiation in its body runs on every call. */
const TWO53 = 2 ** 53;
const CELLS_26 = 2 ** STEP_MAX;

/** The low 16 bits of v moved to the even bits of a 32-bit number. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** The even bits of a 32-bit number packed into its low 16. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** A coordinate (at most 2^26) moved onto the even bits of a 54-bit number. */
function spread(v: number): number {
  return spread16(v) + spread16(Math.floor(v / 65536)) * TWO32;
}

/**
 * The interleaved bits of a cell. Exact below 2^53; a coordinate of 2^26
 * on the grid's edge goes past that, and the one rounding of the sum is
 * the one Redis's uint64-to-double conversion makes.
 */
function cellBits(c: Cell): number {
  return spread(c.lat) + 2 * spread(c.lon);
}

/** The first score of a cell, and the first one past it: its members are the scores in [min, max). */
export function cellScores(c: Cell): { min: number; max: number } {
  const shift = 2 ** (2 * STEP_MAX - 2 * c.step);
  const bits = cellBits(c);
  return { min: bits * shift, max: (bits + 1) * shift };
}

/**
 * The cell that holds a point at `step`, or null outside Redis's square
 * (geohashEncode): each coordinate's offset in its range, scaled and
 * truncated.
 */
export function encode(lon: number, lat: number, step: number, lonRange = LON_RANGE, latRange = LAT_RANGE): Cell | null {
  if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) return null;
  const scale = 2 ** step;
  const latOffset = ((lat - latRange.min) / (latRange.max - latRange.min)) * scale;
  const lonOffset = ((lon - lonRange.min) / (lonRange.max - lonRange.min)) * scale;
  return { lat: Math.trunc(latOffset), lon: Math.trunc(lonOffset), step };
}

/** The step-26 score of a point inside Redis's square. */
export function pointScore(lon: number, lat: number): number {
  return cellBits(encode(lon, lat, STEP_MAX)!);
}

/**
 * A score outside [0, 2^53) as the 64-bit integer Redis makes of it
 * ((uint64_t)score, as x86-64 converts): high and low 32 bits. A plain
 * ZADD can put such a score where a geo command then reads it.
 */
function oddScoreWords(score: number): [hi: number, lo: number] {
  let v: bigint;
  if (score >= 2 ** 64 || score === Infinity) v = 0n;
  else if (score >= 2 ** 63) v = BigInt(Math.trunc(score));
  else if (score > -(2 ** 63)) v = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  else v = 1n << 63n;
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** A cell's extent (geohashDecode); the coordinates are 32-bit there, so the one past the last wraps to 0. */
export function cellArea(c: Cell): Area {
  const scale = 2 ** c.step;
  const latScale = LAT_MAX - LAT_MIN;
  const lonScale = LON_MAX - LON_MIN;
  return {
    latMin: LAT_MIN + (c.lat / scale) * latScale,
    latMax: LAT_MIN + (((c.lat + 1) >>> 0) / scale) * latScale,
    lonMin: LON_MIN + (c.lon / scale) * lonScale,
    lonMax: LON_MIN + (((c.lon + 1) >>> 0) / scale) * lonScale,
  };
}

/**
 * The point a score stands for: the centre of its step-26 cell
 * (geohashDecode), kept inside the square. A search decodes every
 * candidate this way, so the cell and its extent stay in local numbers.
 */
export function scorePoint(score: number): [lon: number, lat: number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < TWO53) {
    const v = Math.trunc(score);
    hi = Math.floor(v / TWO32);
    lo = v - hi * TWO32;
  } else {
    [hi, lo] = oddScoreWords(score);
  }
  const latCell = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lonCell = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const scale = CELLS_26;
  const latScale = LAT_MAX - LAT_MIN;
  const lonScale = LON_MAX - LON_MIN;
  const latMin = LAT_MIN + (latCell / scale) * latScale;
  const latMax = LAT_MIN + (((latCell + 1) >>> 0) / scale) * latScale;
  const lonMin = LON_MIN + (lonCell / scale) * lonScale;
  const lonMax = LON_MIN + (((lonCell + 1) >>> 0) / scale) * lonScale;
  const lon = Math.min(LON_MAX, Math.max(LON_MIN, (lonMin + lonMax) / 2));
  const lat = Math.min(LAT_MAX, Math.max(LAT_MIN, (latMin + latMax) / 2));
  return [lon, lat];
}
