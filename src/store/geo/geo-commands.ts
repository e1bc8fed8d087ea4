import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import { zaddScores, type ZaddOptions } from '../zset/zadd-commands.js';
import { readZset } from '../zset/zset-access.js';
import { lonLatArg, unitArg } from './geo-args.js';
import { distance } from './geo-distance.js';
import { distanceText, geohashText, replyPoint } from './geo-format.js';
import { pointScore, scorePoint } from './geohash.js';
import { geosearchCommands } from './geosearch-commands.js';

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member …: every point is
 * checked, then the line runs as the ZADD it stands for (points turned into
 * their scores), which is also what it propagates, as in Redis. The scores
 * go to ZADD as numbers: printed and read back, they cost a fifth of a
 * GEOADD that moves a point.
 */
function geoadd(c: Ctx, argv: string[]): void {
  const o: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false };
  let at = 2;
  for (; at < argv.length; at++) {
    const w = optionWord(argv[at]);
    if (w === 'nx') o.nx = true;
    else if (w === 'xx') o.xx = true;
    else if (w === 'ch') o.ch = true;
    else break;
  }
  const rest = argv.length - at;
  if (rest % 3 !== 0 || rest === 0 || (o.nx && o.xx)) throw new CommandError(SYNTAX);
  const scores: number[] = [];
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = lonLatArg(argv, i);
    scores.push(pointScore(lon, lat));
  }
  if (c.propagating) {
    const zadd = ['zadd', ...argv.slice(1, at)];
    for (let j = 0; j < scores.length; j++) zadd.push(String(scores[j]), argv[at + 3 * j + 2]);
    c.propagateArgv = zadd;
  }
  zaddScores(c, argv[1], o, scores, argv, at + 2, 3);
}

/** GEOPOS key member …: each member's [longitude, latitude], or a null array for one not there. */
function geopos(c: Ctx, argv: string[]): void {
  const z = readZset(c, argv[1]);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]);
    if (score === undefined) {
      c.reply.nullArray();
    } else {
      const [lon, lat] = scorePoint(score);
      replyPoint(c.reply, lon, lat);
    }
  }
}

/** GEODIST key member1 member2 [unit]: null unless both are there. */
function geodist(c: Ctx, argv: string[]): void {
  if (argv.length > 5) throw new CommandError(SYNTAX);
  const toMetres = argv.length === 5 ? unitArg(argv[4]) : 1;
  const z = readZset(c, argv[1]);
  const s1 = z?.score(argv[2]);
  const s2 = z?.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  const [lon1, lat1] = scorePoint(s1);
  const [lon2, lat2] = scorePoint(s2);
  c.reply.bulk(distanceText(distance(lon1, lat1, lon2, lat2) / toMetres));
}

/** GEOHASH key member …: each member's standard geohash, or null. */
function geohash(c: Ctx, argv: string[]): void {
  const z = readZset(c, argv[1]);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]);
    if (score === undefined) c.reply.nullBulk();
    else c.reply.bulk(geohashText(score));
  }
}

const GEO = { acl: ['geo'], group: 'geo' } as const;
const READ = { ...GEO, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'] } as const;

/** The geo family: sorted sets whose scores are geohashes. */
export const geoCommands: CommandSpec[] = [
  {
    ...GEO, name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keySpecs: ['RW update: index 1, range 0'],
    args: 'key:key [condition(NX | XX) @6.2.0] [change->CH @6.2.0] data{longitude:double latitude:double member}...',
    since: '3.2.0', history: [['6.2.0', 'Added the `CH`, `NX` and `XX` options.']],
    summary: "Adds one or more members to a geospatial index. The key is created if it doesn't exist.",
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: geoadd,
  },
  {
    ...READ, name: 'geopos', arity: -2, args: 'key:key [member...]', since: '3.2.0',
    summary: 'Returns the longitude and latitude of members from a geospatial index.',
    complexity: 'O(1) for each member requested.', handler: geopos,
  },
  {
    ...READ, name: 'geodist', arity: -4, args: 'key:key member1 member2 [unit(M | KM | FT | MI)]', since: '3.2.0',
    summary: 'Returns the distance between two members of a geospatial index.', complexity: 'O(1)', handler: geodist,
  },
  {
    ...READ, name: 'geohash', arity: -2, args: 'key:key [member...]', since: '3.2.0',
    summary: 'Returns members from a geospatial index as geohash strings.',
    complexity: 'O(1) for each member requested.', handler: geohash,
  },
  ...geosearchCommands,
];
