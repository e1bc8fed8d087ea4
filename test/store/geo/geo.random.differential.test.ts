import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';

/**
 * Geo searches over a few thousand seeded random points, sent to Sluice and
 * to a real redis-server reply by reply: circles and boxes of every size
 * from metres to continents, around points and members, near the poles and
 * the antimeridian, sorted or not, with COUNT (and ANY) and every WITH
 * option, in RESP2 and RESP3. A skiplist-encoded set and a listpack one.
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

const POINTS = 3000;
/** Where half the points crowd, so that small searches find something: Sicily, the pole's edge, the antimeridian, the equator. */
const CLUSTERS: [number, number][] = [[13.36, 38.11], [-73.98, 40.75], [179.9, -16.5], [0.01, 0.01], [25, 84.5]];

function pointAt(r: () => number): [number, number] {
  if (r() < 0.5) return [r() * 360 - 180, r() * 170 - 85];
  const [lon, lat] = CLUSTERS[Math.floor(r() * CLUSTERS.length)];
  const spread = 10 ** (-3 + r() * 3);
  const clampLon = (x: number) => Math.max(-180, Math.min(180, x));
  const clampLat = (x: number) => Math.max(-85, Math.min(85, x));
  return [clampLon(lon + (r() * 2 - 1) * spread), clampLat(lat + (r() * 2 - 1) * spread)];
}

function searchFor(r: () => number, key: string, members: number): string[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const unit = pick(['m', 'km', 'mi', 'ft', 'KM']);
  const metres = ({ m: 1, km: 1000, KM: 1000, mi: 1609.34, ft: 0.3048 } as Record<string, number>)[unit];
  const size = () => String(+(10 ** (r() * 7) / metres).toPrecision(4));
  const [lon, lat] = r() < 0.5 ? CLUSTERS[Math.floor(r() * CLUSTERS.length)] : pointAt(r);
  const member = `p${Math.floor(r() * members)}`;
  const opts: string[] = [];
  if (r() < 0.4) opts.push(pick(['ASC', 'DESC']));
  if (r() < 0.4) opts.push('COUNT', String(1 + Math.floor(r() * 20)), ...(r() < 0.3 ? ['ANY'] : []));
  for (const w of ['WITHCOORD', 'WITHDIST', 'WITHHASH']) if (r() < 0.4) opts.push(w);
  const n = r();
  if (n < 0.5) {
    const from = r() < 0.5 ? ['FROMMEMBER', member] : ['FROMLONLAT', String(lon), String(lat)];
    const by = r() < 0.5 ? ['BYRADIUS', size(), unit] : ['BYBOX', size(), size(), unit];
    return ['GEOSEARCH', key, ...from, ...by, ...opts];
  }
  if (n < 0.75) return [pick(['GEORADIUS', 'GEORADIUS_RO']), key, String(lon), String(lat), size(), unit, ...opts];
  return [pick(['GEORADIUSBYMEMBER', 'GEORADIUSBYMEMBER_RO']), key, member, size(), unit, ...opts];
}

describe.skipIf(redisServerPath === null)('geo searches over random points (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  for (const proto of [2, 3] as const) {
    test(`${POINTS} points in a skiplist and 100 in a listpack: 600 searches answer alike, RESP${proto}`, async () => {
      const a = await RespClient.connect(servers.sluice.port);
      const b = await RespClient.connect(servers.redis.port);
      try {
        const r = rng(20261122 + proto);
        for (const conn of [a, b]) {
          if (proto === 3) await conn.call('HELLO', '3');
          await conn.call('FLUSHALL');
        }
        const big: string[] = [];
        const small: string[] = [];
        for (let i = 0; i < POINTS; i++) {
          const [lon, lat] = pointAt(r);
          big.push(String(lon), String(lat), `p${i}`);
          if (i < 100) small.push(String(lon), String(lat), `p${i}`);
        }
        for (const conn of [a, b]) {
          expect(await conn.call('GEOADD', 'big', ...big)).toEqual({ t: 'int', v: String(POINTS) });
          expect(await conn.call('GEOADD', 'small', ...small)).toEqual({ t: 'int', v: '100' });
        }
        expect(await a.call('OBJECT', 'ENCODING', 'small')).toEqual(await b.call('OBJECT', 'ENCODING', 'small'));
        expect(await a.call('ZRANGE', 'big', '0', '-1', 'WITHSCORES')).toEqual(await b.call('ZRANGE', 'big', '0', '-1', 'WITHSCORES'));
        const names = Array.from({ length: POINTS }, (_, i) => `p${i}`);
        for (const cmd of [['GEOPOS', 'big', ...names], ['GEOHASH', 'big', ...names]]) {
          expect(await a.call(...cmd), cmd[0]).toEqual(await b.call(...cmd));
        }
        let found = 0;
        let many = 0;
        for (let i = 0; i < 600; i++) {
          const cmd = searchFor(r, i % 3 === 0 ? 'small' : 'big', i % 3 === 0 ? 100 : POINTS);
          const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
          expect(ra, cmd.join(' ')).toEqual(rb);
          const n = Array.isArray(rb.v) ? rb.v.length : 0;
          if (n > 0) found++;
          if (n > 20) many++;
        }
        // The searches are not all empty or all tiny: the comparison covers real results.
        expect(found).toBeGreaterThan(300);
        expect(many).toBeGreaterThan(50);
      } finally {
        a.close();
        b.close();
      }
    });
  }

  test('GEODIST between random points and between close neighbours, in every unit', async () => {
    const a = await RespClient.connect(servers.sluice.port);
    const b = await RespClient.connect(servers.redis.port);
    try {
      const r = rng(4242);
      for (const conn of [a, b]) await conn.call('FLUSHALL');
      const line: string[] = [];
      for (let i = 0; i < 500; i++) {
        const [lon, lat] = pointAt(r);
        // Not near antipodes: there the haversine's asin is so ill-conditioned that V8's and glibc's last bits show (docs/commands.md).
        const partner = r() < 0.5 ? pointAt(r) : [lon + (r() - 0.5) * 1e-5, lat + (r() - 0.5) * 1e-5];
        line.push(String(lon), String(lat), `a${i}`, String(Math.max(-180, Math.min(180, partner[0]))), String(partner[1]), `b${i}`);
      }
      for (const conn of [a, b]) await conn.call('GEOADD', 'd', ...line);
      for (let i = 0; i < 500; i++) {
        const unit = ['m', 'km', 'mi', 'ft'][i % 4];
        const j = Math.floor(r() * 500);
        for (const cmd of [['GEODIST', 'd', `a${i}`, `b${i}`, unit], ['GEODIST', 'd', `a${i}`, `a${j}`]]) {
          const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
          expect(ra, cmd.join(' ')).toEqual(rb);
        }
      }
    } finally {
      a.close();
      b.close();
    }
  });

  test('members sharing points: COUNT keeps the nearest in the order Redis\'s partial quicksort leaves equal distances', async () => {
    const a = await RespClient.connect(servers.sluice.port);
    const b = await RespClient.connect(servers.redis.port);
    try {
      const r = rng(99);
      for (const conn of [a, b]) await conn.call('FLUSHALL');
      for (let k = 0; k < 20; k++) {
        const line: string[] = [];
        const n = 2 + Math.floor(r() * 120);
        for (let i = 0; i < n; i++) {
          // Most members sit on one of five points, so many distances are equal.
          const [lon, lat] = r() < 0.6 ? [10 + Math.floor(r() * 5) * 0.001, 10] : [10 + r() * 0.01, 10 + r() * 0.01];
          line.push(String(lon), String(lat), `m${i}`);
        }
        for (const conn of [a, b]) await conn.call('GEOADD', `t${k}`, ...line);
        for (const count of [1, 2, 3, 5, 8, 13, 40, 60, 100]) {
          for (const order of [['ASC'], ['DESC'], []]) {
            const cmd = ['GEOSEARCH', `t${k}`, 'FROMLONLAT', '10', '10', 'BYRADIUS', '100', 'km', 'COUNT', String(count), ...order];
            const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
            expect(ra, cmd.join(' ')).toEqual(rb);
          }
        }
      }
    } finally {
      a.close();
      b.close();
    }
  });
});
