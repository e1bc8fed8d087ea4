import { describe, expect, test } from 'vitest';
import { RdbWriter } from '../../../src/codecs/rdb/writer.js';
import { ListpackBuilder } from '../../../src/persistence/rdb/listpack.js';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';
import { payload } from './payloads.js';

/**
 * Forms no redis-server at hand writes: streams in RDB_TYPE_STREAM_LISTPACKS
 * (Redis 5 and 6), and hashes with field TTLs, which Sluice writes in Redis
 * 7.4's forms.
 */

const sluice = useSluice({ conn: 'fresh' });
const OK = { t: 'simple', v: 'OK' };

const bulks = (...v: string[]): Resp => ({ t: 'array', v: v.map((x) => ({ t: 'bulk', v: x })) });

/** A Redis 5 stream: one node of entries 5-1 and 5-2 (same fields), last ID 5-2, a group at 5-1 with consumer "c" owning 5-1. */
function redis5Stream(): Buffer {
  const w = new RdbWriter(false);
  w.byte(15);
  w.length(1);
  const key = Buffer.alloc(16);
  key.writeBigUInt64BE(5n, 0);
  key.writeBigUInt64BE(1n, 8);
  w.blob(key, false);
  const lp = new ListpackBuilder();
  lp.addInt(2).addInt(0).addInt(1).add('f').addInt(0);
  lp.addInt(2).addInt(0).addInt(0).add('a').addInt(4);
  lp.addInt(2).addInt(0).addInt(1).add('b').addInt(4);
  w.blob(lp.finish(), false);
  w.length(2);
  w.length(5);
  w.length(2);
  w.length(1);
  w.string('g');
  w.length(5);
  w.length(1);
  w.length(1);
  w.raw(key);
  w.msTime(1000);
  w.length(3);
  w.length(1);
  w.string('c');
  w.msTime(2000);
  w.length(1);
  w.raw(key);
  return Buffer.from(w.result());
}

describe('RESTORE of forms other servers write', () => {
  test("a Redis 5 stream gets 7.x's derived fields: first entry, entries added, the group's read counter", async () => {
    const c = sluice.conn;
    expect(await c.call('RESTORE', 's', '0', payload(redis5Stream(), 9))).toEqual(OK);
    expect(await c.call('XRANGE', 's', '-', '+')).toEqual({
      t: 'array', v: [{ t: 'array', v: [{ t: 'bulk', v: '5-1' }, bulks('f', 'a')] }, { t: 'array', v: [{ t: 'bulk', v: '5-2' }, bulks('f', 'b')] }],
    });
    const info = await c.call('XINFO', 'STREAM', 's');
    const fields = info.t === 'array' ? info.v! : [];
    const get = (name: string) => fields[fields.findIndex((f) => f.t === 'bulk' && f.v === name) + 1];
    expect(get('entries-added')).toEqual({ t: 'int', v: '2' });
    expect(get('recorded-first-entry-id')).toEqual({ t: 'bulk', v: '5-1' });
    expect(get('last-generated-id')).toEqual({ t: 'bulk', v: '5-2' });
    const groups = await c.call('XINFO', 'GROUPS', 's');
    expect(JSON.stringify(groups)).toContain('{"t":"bulk","v":"entries-read"},{"t":"int","v":"1"},{"t":"bulk","v":"lag"},{"t":"int","v":"1"}');
    expect(await c.call('XPENDING', 's', 'g')).toEqual({
      t: 'array', v: [{ t: 'int', v: '1' }, { t: 'bulk', v: '5-1' }, { t: 'bulk', v: '5-1' }, { t: 'array', v: [bulks('c', '1')] }],
    });
  });

  for (const big of [false, true]) {
    test(`a hash with field TTLs (${big ? 'hashtable' : 'listpackex'}) keeps every field's deadline`, async () => {
      const c = sluice.conn;
      const fields = big ? 600 : 3;
      for (let i = 0; i < fields; i++) await c.call('HSET', 'h', `f${i}`, `v${i}`);
      const at = Date.now() + 3_600_000;
      await c.call('HPEXPIREAT', 'h', String(at), 'FIELDS', '2', 'f0', 'f2');
      await c.call('HPEXPIREAT', 'h', String(at + 5), 'FIELDS', '1', 'f1');
      const dump = await c.call('DUMP', 'h');
      if (dump.t !== 'bulk' || dump.v === null) throw new Error('no payload');
      expect(dump.v.charCodeAt(0)).toBe(big ? 24 : 25);
      expect(await c.call('RESTORE', 'copy', '0', dump.v)).toEqual(OK);
      expect(await c.call('OBJECT', 'ENCODING', 'copy')).toEqual(await c.call('OBJECT', 'ENCODING', 'h'));
      const times = ['HPEXPIRETIME', 'FIELDS', '4', 'f0', 'f1', 'f2', 'f3'];
      expect(await c.call(times[0], 'copy', ...times.slice(1))).toEqual(await c.call(times[0], 'h', ...times.slice(1)));
      expect(await c.call('HLEN', 'copy')).toEqual({ t: 'int', v: String(fields) });
    });
  }
});
