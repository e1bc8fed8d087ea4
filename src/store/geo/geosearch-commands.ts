import type { CommandSpec, KeyRef } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { readZset, storeResult, zsetLimits } from '../zset/zset-access.js';
import { ZSetValue } from '../zset/zset-value.js';
import { distanceText, replyPoint } from './geo-format.js';
import { searchShape, type GeoPoint } from './geo-search.js';
import { sortPoints } from './geo-sort.js';
import { parseSearch, type SearchRequest, type SearchVariant } from './geosearch-options.js';

function replyPoints(c: Ctx, req: SearchRequest, points: GeoPoint[], n: number, conversion: number): void {
  const r = c.reply;
  const extras = (req.withDist ? 1 : 0) + (req.withHash ? 1 : 0) + (req.withCoord ? 1 : 0);
  r.array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (extras > 0) r.array(extras + 1);
    r.bulk(p.member);
    if (req.withDist) r.bulk(distanceText(p.dist / conversion));
    if (req.withHash) r.integer(Math.trunc(p.score));
    if (req.withCoord) replyPoint(r, p.lon, p.lat);
  }
}

/**
 * Stores the first n points at the destination, scored by geohash or (with
 * STOREDIST) by distance in the search's unit: one change per member, the
 * destination deleted when nothing was found.
 */
function storePoints(c: Ctx, req: SearchRequest, points: GeoPoint[], n: number, conversion: number, event: string): void {
  const entries = points.slice(0, n).map((p) => ({ member: p.member, score: req.storeDist ? p.dist / conversion : p.score }));
  entries.sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  const members = entries.map((e) => e.member);
  const scores = entries.map((e) => e.score);
  storeResult(c, req.storeKey!, ZSetValue.fromSorted(members, scores, zsetLimits(c)), event);
  if (n > 0) c.keyspace.dirty += n - 1;
}

/** The search family's one handler (Redis's georadiusGeneric). */
function search(v: SearchVariant) {
  return (c: Ctx, argv: string[]): void => {
    const z = readZset(c, argv[v.src]);
    const req = parseSearch(argv, v, z);
    const event = v.from === 'options' ? 'geosearchstore' : 'georadiusstore';
    if (z === undefined) {
      if (req.storeKey === null) c.reply.array(0);
      else storePoints(c, req, [], 0, 1, event);
      return;
    }
    const shape = req.shape!;
    // COUNT without an order takes the nearest, unless ANY takes the first found.
    const sort = req.count !== 0 && req.sort === 'none' && !req.any ? 'asc' : req.sort;
    const points = searchShape(z, shape, req.any ? req.count : 0, req.storeKey !== null);
    const n = req.count === 0 ? points.length : Math.min(points.length, req.count);
    if (sort !== 'none') sortPoints(points, sort, n);
    if (req.storeKey === null) replyPoints(c, req, points, n, shape.conversion);
    else storePoints(c, req, points, n, shape.conversion, event);
  };
}

/** Redis's georadiusGetKeys, for lines the key specs do not fit: the key, and the last STORE or STOREDIST key from argv[5] on. */
function georadiusKeys(argv: string[]): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const w = argv[i].toLowerCase();
    if ((w === 'store' || w === 'storedist') && i + 1 < argv.length) stored = ++i;
  }
  const keys: KeyRef[] = [{ pos: 1, flags: [] }];
  if (stored !== -1) keys.push({ pos: stored, flags: [] });
  return keys;
}

const GEO = { acl: ['geo'], group: 'geo' } as const;
const READ = { ...GEO, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'] } as const;
const DEPRECATED = { docFlags: ['deprecated'], deprecatedSince: '6.2.0' } as const;
const UNIT = 'unit(M | KM | FT | MI)';
const FROM = 'from(FROMMEMBER member | FROMLONLAT fromlonlat{longitude:double latitude:double})';
const BY = `by(circle{BYRADIUS radius:double ${UNIT}} | box{BYBOX width:double height:double ${UNIT}})`;
const ORDER = '[order(ASC | DESC)]';
const WITH = '[WITHCOORD] [WITHDIST] [WITHHASH]';
const SEARCH_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const RADIUS_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const UPPERCASE_UNITS = ['7.0.0', 'Added support for uppercase unit names.'] as const;
const ANY_ADDED = ['6.2.0', 'Added the `ANY` option for `COUNT`.'] as const;

function radiusStoreSpecs(startfrom: number): string[] {
  return ['RO access: index 1, range 0', `OW update: keyword STORE ${startfrom}, range 0`, `OW update: keyword STOREDIST ${startfrom}, range 0`];
}

const RADIUS_CENTRE = `key:key longitude:double latitude:double radius:double ${UNIT}`;
const MEMBER_CENTRE = `key:key member radius:double ${UNIT}`;
const STORE = '[store(STORE storekey:key=key#1 | STOREDIST storedistkey:key=key#2)]';

export const geosearchCommands: CommandSpec[] = [
  {
    ...READ, name: 'geosearch', arity: -7,
    args: `key:key ${FROM} ${BY} ${ORDER} [count-block{COUNT count:integer [ANY]}] ${WITH}`, since: '6.2.0',
    history: [UPPERCASE_UNITS], summary: 'Queries a geospatial index for members inside an area of a box or a circle.',
    complexity: SEARCH_COMPLEXITY, handler: search({ src: 1, from: 'options', storeOption: false, storeCommand: false }),
  },
  {
    ...GEO, name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'],
    keySpecs: ['OW update: index 1, range 0', 'RO access: index 2, range 0'],
    args: `destination:key source:key#1 ${FROM} ${BY} ${ORDER} [count-block{COUNT count:integer [ANY]}] [STOREDIST]`,
    since: '6.2.0', history: [UPPERCASE_UNITS],
    summary: 'Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.',
    complexity: SEARCH_COMPLEXITY, handler: search({ src: 2, from: 'options', storeOption: false, storeCommand: true }),
  },
  {
    ...GEO, ...DEPRECATED, name: 'georadius', arity: -6, flags: ['write', 'denyoom'], keySpecs: radiusStoreSpecs(6),
    getKeys: georadiusKeys, args: `${RADIUS_CENTRE} ${WITH} [count-block{COUNT count:integer [ANY @6.2.0]}] ${ORDER} ${STORE}`,
    since: '3.2.0', history: [ANY_ADDED, UPPERCASE_UNITS],
    replacedBy: '`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument',
    summary: 'Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.',
    complexity: RADIUS_COMPLEXITY, handler: search({ src: 1, from: 'lonlat', storeOption: true, storeCommand: false }),
  },
  {
    ...GEO, ...DEPRECATED, name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], keySpecs: radiusStoreSpecs(5),
    getKeys: georadiusKeys, args: `${MEMBER_CENTRE} ${WITH} [count-block{COUNT count:integer [ANY]}] ${ORDER} ${STORE}`,
    since: '3.2.0', history: [UPPERCASE_UNITS],
    replacedBy: '`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments',
    summary: 'Queries a geospatial index for members within a distance from a member, optionally stores the result.',
    complexity: RADIUS_COMPLEXITY, handler: search({ src: 1, from: 'member', storeOption: true, storeCommand: false }),
  },
  {
    ...READ, ...DEPRECATED, name: 'georadius_ro', arity: -6,
    args: `${RADIUS_CENTRE} ${WITH} [count-block{COUNT count:integer [ANY @6.2.0]}] ${ORDER}`, since: '3.2.10',
    history: [ANY_ADDED], replacedBy: '`GEOSEARCH` with the `BYRADIUS` argument',
    summary: 'Returns members from a geospatial index that are within a distance from a coordinate.',
    complexity: RADIUS_COMPLEXITY, handler: search({ src: 1, from: 'lonlat', storeOption: false, storeCommand: false }),
  },
  {
    ...READ, ...DEPRECATED, name: 'georadiusbymember_ro', arity: -5,
    args: `${MEMBER_CENTRE} ${WITH} [count-block{COUNT count:integer [ANY]}] ${ORDER}`, since: '3.2.10',
    replacedBy: '`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments',
    summary: 'Returns members from a geospatial index that are within a distance from a member.',
    complexity: RADIUS_COMPLEXITY, handler: search({ src: 1, from: 'member', storeOption: false, storeCommand: false }),
  },
];
