import { CommandError } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import { scoreArg } from '../zset/score.js';
import { printfFixed } from './geo-format.js';
import { LAT_MAX, LAT_MIN, LON_MAX, LON_MIN } from './geohash.js';

/**
 * A longitude and latitude at argv[at] and argv[at + 1], read as Redis
 * reads doubles (string2d), inside Redis's square.
 */
export function lonLatArg(argv: string[], at: number): [lon: number, lat: number] {
  const lon = scoreArg(argv[at]);
  const lat = scoreArg(argv[at + 1]);
  if (lon < LON_MIN || lon > LON_MAX || lat < LAT_MIN || lat > LAT_MAX) {
    throw new CommandError(`ERR invalid longitude,latitude pair ${printfFixed(lon, 6)},${printfFixed(lat, 6)}`);
  }
  return [lon, lat];
}

const METRES_PER_UNIT = new Map([['m', 1], ['km', 1000], ['ft', 0.3048], ['mi', 1609.34]]);

/** Metres per unit of a unit name (M, KM, FT, MI in any case). */
export function unitArg(s: string): number {
  const metres = METRES_PER_UNIT.get(optionWord(s));
  if (metres === undefined) throw new CommandError('ERR unsupported unit provided. please use M, KM, FT, MI');
  return metres;
}

/** `radius unit` at argv[at]: the radius in units, and metres per unit. */
export function radiusArg(argv: string[], at: number): { radius: number; conversion: number } {
  const radius = scoreArg(argv[at], 'ERR need numeric radius');
  if (radius < 0) throw new CommandError('ERR radius cannot be negative');
  return { radius, conversion: unitArg(argv[at + 1]) };
}

/** `width height unit` at argv[at]. */
export function boxArg(argv: string[], at: number): { width: number; height: number; conversion: number } {
  const width = scoreArg(argv[at], 'ERR need numeric width');
  const height = scoreArg(argv[at + 1], 'ERR need numeric height');
  if (height < 0 || width < 0) throw new CommandError('ERR height or width cannot be negative');
  return { width, height, conversion: unitArg(argv[at + 2]) };
}
