import { describe, expect, test } from 'vitest';
import { estimateStep } from '../../../src/store/geo/geo-areas.js';
import { distanceText, humanDouble, printfFixed } from '../../../src/store/geo/geo-format.js';
import { pointScore, scorePoint } from '../../../src/store/geo/geohash.js';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;

const call = (...args: string[]) => sluice.conn.call(...args);
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const arr = (...v: Resp[]): Resp => ({ t: 'array', v });

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'];

/** Runs commands, then returns the events and effects they caused and the change count they made. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][]; dirty: number }> {
  events.length = 0;
  effects.length = 0;
  const before = sluice.server.keyspace.dirty;
  for (const cmd of cmds) await call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv), dirty: sluice.server.keyspace.dirty - before };
}

describe('what geo writes count, raise and propagate', () => {
  test('GEOADD propagates as the ZADD it runs (options kept, points as scores), one change per member added or moved', async () => {
    const r = await observe(
      ['GEOADD', 'g', ...SICILY],
      ['GEOADD', 'g', 'ch', 'XX', '13', '38', 'Palermo', '1', '1', 'absent'],
      ['GEOADD', 'g', 'NX', '13', '38', 'Palermo'],
      ['GEOADD', 'g', '1', '1', 'x', '200', '1', 'y'],
    );
    expect(r.events).toEqual(['0 z zadd g', '0 z zadd g']);
    expect(r.dirty).toBe(3);
    expect(r.effects).toEqual([
      ['zadd', 'g', '3479099956230698', 'Palermo', '3479447370796909', 'Catania'],
      ['zadd', 'g', 'ch', 'XX', '3479065152021743', 'Palermo', '3377822707026402', 'absent'],
    ]);
    expect(await call('ZCARD', 'g')).toEqual({ t: 'int', v: '2' });
  });

  test('stored searches propagate as themselves and count one change per member stored; an emptied destination counts one', async () => {
    await call('GEOADD', 'g', ...SICILY);
    const r = await observe(
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '1', 'STORE', 'e'],
      ['GEORADIUS', 'g', '50', '50', '1', 'm', 'STORE', 'd'],
      ['GEORADIUS', 'g', '50', '50', '1', 'm', 'STORE', 'never'],
      ['GEOSEARCHSTORE', 'e', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'm'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
    );
    expect(r.events).toEqual([
      '0 z geosearchstore d', '0 z georadiusstore e', '0 g del d', '0 m keymiss nokey', '0 g del e',
    ]);
    expect(r.dirty).toBe(2 + 1 + 1 + 1);
    expect(r.effects.map((e) => e.slice(0, 2))).toEqual([['GEOSEARCHSTORE', 'd'], ['GEORADIUS', 'g'], ['GEORADIUS', 'g'], ['GEOSEARCHSTORE', 'e']]);
  });

  test('a failing GEOADD changes nothing: every point is checked first', async () => {
    const r = await observe(['GEOADD', 'g', '1', '1', 'a', '2', '2', 'b', '181', '0', 'c']);
    expect(r.dirty).toBe(0);
    expect(r.effects).toEqual([]);
    expect(await call('EXISTS', 'g')).toEqual({ t: 'int', v: '0' });
  });

  test('GEOADD and a stored search break WATCH on the key they write', async () => {
    for (const write of [['GEOADD', 'w', '1', '1', 'a'], ['GEOSEARCHSTORE', 'w', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km']]) {
      await call('GEOADD', 'g', ...SICILY);
      await call('WATCH', 'w');
      const other = await sluice.connect();
      await other.call(...write);
      await call('MULTI');
      await call('PING');
      expect(await call('EXEC'), write[0]).toEqual({ t: 'array', v: null });
    }
  });
});

describe('numbers as Redis 7.2 writes them', () => {
  test('STOREDIST scores are distances in the unit, written as the shortest round-trip text (7.0 wrote %.17g)', async () => {
    await call('GEOADD', 'g', ...SICILY);
    await call('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST');
    expect(await call('ZRANGE', 'd', '0', '-1', 'WITHSCORES')).toEqual(
      arr(bulk('Catania'), bulk('56.4412578701582'), bulk('Palermo'), bulk('190.44242984775784')),
    );
  });

  test('printf %f rounds an exact tie to the even digit, as glibc does', () => {
    expect(printfFixed(0.0078125, 6)).toBe('0.007812');
    expect(printfFixed(0.0234375, 6)).toBe('0.023438');
    // Not a tie: the double nearest 200.0000005 lies below it.
    expect(printfFixed(200.0000005, 6)).toBe('200.000000');
    expect(printfFixed(-0, 6)).toBe('-0.000000');
    expect(printfFixed(1e21, 6)).toBe('1000000000000000000000.000000');
    expect(printfFixed(2 ** 80, 1)).toBe('1208925819614629174706176.0');
    expect(printfFixed(-Infinity, 6)).toBe('-inf');
  });

  test('coordinates: %.17Lf without trailing zeros, -0 as 0', () => {
    expect(humanDouble(13.361389338970184)).toBe('13.36138933897018433');
    expect(humanDouble(0.5)).toBe('0.5');
    expect(humanDouble(-0)).toBe('0');
    expect(humanDouble(-1e-18)).toBe('0');
    expect(humanDouble(180)).toBe('180');
  });

  test('distances: 4 places, the scaled value rounded half to even as llrint does', () => {
    expect(distanceText(0)).toBe('0.0000');
    expect(distanceText(0.00025)).toBe('0.0002');
    expect(distanceText(0.00035)).toBe('0.0004');
    expect(distanceText(166274.15156960039)).toBe('166274.1516');
    expect(distanceText(NaN)).toBe('-922337203685477.5808');
  });
});

describe('the geohash grid', () => {
  test('a point comes back as the centre of its step-26 cell, within about 0.6 m', () => {
    for (const [lon, lat] of [[13.361389, 38.115556], [-180, -85.05112878], [179.999, 85.05], [0, 0]]) {
      const [x, y] = scorePoint(pointScore(lon, lat));
      expect(Math.abs(x - lon)).toBeLessThan(360 / 2 ** 26);
      expect(Math.abs(y - lat)).toBeLessThan(171 / 2 ** 26);
    }
  });

  test('the step shrinks as the radius grows, and once more past latitude 66 and 80', () => {
    expect(estimateStep(0, 0)).toBe(26);
    // 1 m doubles 25 times to pass the Mercator half extent (2.0e7 m): step 26, less the 2 of margin.
    expect(estimateStep(1, 0)).toBe(24);
    expect(estimateStep(1000, 0)).toBe(14);
    expect(estimateStep(1000, 70)).toBe(13);
    expect(estimateStep(1000, -81)).toBe(12);
    expect(estimateStep(5e7, 0)).toBe(1);
  });
});
