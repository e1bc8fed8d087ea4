import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { optionWord } from '../../core/options.js';
import type { ZSetValue } from '../zset/zset-value.js';
import type { Shape } from './geo-areas.js';
import { boxArg, lonLatArg, radiusArg } from './geo-args.js';
import { scorePoint } from './geohash.js';

/** Which command of the search family runs (Redis's georadiusGeneric flags). */
export interface SearchVariant {
  /** argv index of the key searched. */
  src: number;
  /** Where the centre and the radius are: fixed arguments after the key, or GEOSEARCH's options. */
  from: 'lonlat' | 'member' | 'options';
  /** GEORADIUS and GEORADIUSBYMEMBER: STORE key and STOREDIST key. */
  storeOption: boolean;
  /** GEOSEARCHSTORE: the destination is argv[1], STOREDIST a flag. */
  storeCommand: boolean;
}

export interface SearchRequest {
  /** Null when the key is absent and the centre was to be a member of it. */
  shape: Shape | null;
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  sort: 'none' | 'asc' | 'desc';
  any: boolean;
  /** 0: no COUNT. */
  count: number;
  storeKey: string | null;
  storeDist: boolean;
}

const NO_MEMBER = 'ERR could not decode requested zset member';

function memberPoint(z: ZSetValue, member: string): [number, number] {
  const score = z.score(member);
  if (score === undefined) throw new CommandError(NO_MEMBER);
  return scorePoint(score);
}

/**
 * Reads a search line as Redis does, throwing its first error: the fixed
 * centre and radius first (a member of an absent key is not looked up),
 * then the options one by one, each checked as it comes, then the
 * combinations.
 */
export function parseSearch(argv: string[], v: SearchVariant, z: ZSetValue | undefined): SearchRequest {
  const req: SearchRequest = {
    shape: null, withDist: false, withHash: false, withCoord: false, sort: 'none', any: false, count: 0,
    storeKey: v.storeCommand ? argv[1] : null, storeDist: false,
  };
  let centre: [number, number] | null = null;
  let circle: { radius: number; conversion: number } | null = null;
  let box: { width: number; height: number; conversion: number } | null = null;
  let base = v.src + 1;
  if (v.from === 'lonlat') {
    centre = lonLatArg(argv, 2);
    circle = radiusArg(argv, 4);
    base = 6;
  } else if (v.from === 'member') {
    if (z !== undefined) {
      centre = memberPoint(z, argv[2]);
      circle = radiusArg(argv, 3);
    }
    base = 5;
  }
  const search = v.from === 'options';
  let fromMember = false;
  let fromLonLat = false;
  const n = argv.length;
  for (let i = base; i < n; i++) {
    const w = optionWord(argv[i]);
    if (w === 'withdist') {
      req.withDist = true;
    } else if (w === 'withhash') {
      req.withHash = true;
    } else if (w === 'withcoord') {
      req.withCoord = true;
    } else if (w === 'any') {
      req.any = true;
    } else if (w === 'asc') {
      req.sort = 'asc';
    } else if (w === 'desc') {
      req.sort = 'desc';
    } else if (w === 'count' && i + 1 < n) {
      req.count = intArg(argv[++i]);
      if (req.count <= 0) throw new CommandError('ERR COUNT must be > 0');
    } else if ((w === 'store' || w === 'storedist') && i + 1 < n && v.storeOption) {
      req.storeKey = argv[++i];
      req.storeDist = w === 'storedist';
    } else if (w === 'storedist' && v.storeCommand) {
      req.storeDist = true;
    } else if (w === 'frommember' && i + 1 < n && search && !fromLonLat) {
      i++;
      if (z !== undefined) centre = memberPoint(z, argv[i]);
      fromMember = true;
    } else if (w === 'fromlonlat' && i + 2 < n && search && !fromMember) {
      centre = lonLatArg(argv, i + 1);
      fromLonLat = true;
      i += 2;
    } else if (w === 'byradius' && i + 2 < n && search && box === null) {
      circle = radiusArg(argv, i + 1);
      i += 2;
    } else if (w === 'bybox' && i + 3 < n && search && circle === null) {
      box = boxArg(argv, i + 1);
      i += 3;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (req.storeKey !== null && (req.withDist || req.withHash || req.withCoord)) {
    const what = v.storeCommand ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    throw new CommandError(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (search && !fromMember && !fromLonLat) {
    throw new CommandError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
  }
  if (search && circle === null && box === null) {
    throw new CommandError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
  }
  if (req.any && req.count === 0) throw new CommandError('ERR the ANY argument requires COUNT argument');
  if (centre !== null) {
    const [lon, lat] = centre;
    req.shape = box !== null
      ? { lon, lat, kind: 'box', radius: 0, ...box }
      : { lon, lat, kind: 'circle', width: 0, height: 0, ...circle! };
  }
  return req;
}
