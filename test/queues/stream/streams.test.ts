import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

/**
 * What the differential rows cannot show: effects and events, WATCH,
 * replies that depend on the clock, and Redis 7.2's answers where the 7.0
 * oracle differs (each test says which).
 */
const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;

const call = (...cmd: string[]) => sluice.conn.call(...cmd);
const errorOf = (r: Resp) => (r.t === 'error' ? r.v : `not an error: ${JSON.stringify(r)}`);
const plain = (r: Resp): unknown => {
  if (r.t === 'array') return r.v === null ? null : r.v.map(plain);
  if (r.t === 'null') return null;
  if ('v' in r) return r.v;
  return r;
};

/** Runs commands, then returns the events and effects they caused (TIME values shown as T). */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await call(...cmd);
  return {
    events: events.map((e) => e.join(' ')),
    effects: effects.map((e) => e.argv.join(' ').replace(/ TIME \d+/, ' TIME T')),
  };
}

describe('what the stream commands propagate', () => {
  test('XADD * and ms-* propagate the ID chosen; explicit IDs propagate as sent', async () => {
    const r = await observe(['XADD', 's', '5-3', 'f', 'v'], ['XADD', 's', '5-*', 'f', 'v'], ['XADD', 's', '*', 'f', 'v']);
    const now = /^XADD s (\d+)-0 f v$/.exec(r.effects[2]);
    expect(r.effects.slice(0, 2)).toEqual(['XADD s 5-3 f v', 'XADD s 5-4 f v']);
    expect(now).not.toBeNull();
  });

  test('approximate trimming propagates as exact trimming to what was left', async () => {
    await call('CONFIG', 'SET', 'stream-node-max-entries', '4');
    try {
      for (let i = 1; i <= 10; i++) await call('XADD', 's', `${i}-0`, 'f', 'v');
      const r = await observe(
        ['XADD', 's', 'MAXLEN', '~', '5', '11-0', 'f', 'v'],
        ['XTRIM', 's', 'MINID', '~', '10-0'],
        ['XTRIM', 's', 'MAXLEN', '~', '100'],
        ['XTRIM', 's', 'MAXLEN', '1'],
      );
      expect(r.effects).toEqual(['XADD s MAXLEN = 7 11-0 f v', 'XTRIM s MINID = 9-0', 'XTRIM s MAXLEN 1']);
      expect(r.events).toEqual(['0 t xadd s', '0 t xtrim s', '0 t xtrim s', '0 t xtrim s']);
    } finally {
      await call('CONFIG', 'SET', 'stream-node-max-entries', '100');
    }
  });

  test('XREADGROUP propagates an XCLAIM per delivered entry, and with NOACK the consumer and XGROUP SETID', async () => {
    await call('XADD', 's', '1-0', 'f', 'a');
    await call('XADD', 's', '2-0', 'f', 'b');
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    const r = await observe(['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>']);
    expect(r.effects).toEqual([
      'MULTI',
      'XCLAIM s g alice 0 1-0 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 1-0',
      'XCLAIM s g alice 0 2-0 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 2-0',
      'EXEC',
    ]);
    expect(r.events).toEqual(['0 t xgroup-createconsumer s']);
    await call('XADD', 's', '3-0', 'f', 'c');
    const n = await observe(['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>']);
    expect(n.effects).toEqual(['MULTI', 'XGROUP CREATECONSUMER s g bob', 'XGROUP SETID s g 3-0 ENTRIESREAD 3', 'EXEC']);
    const h = await observe(['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0']);
    expect(h.effects).toEqual([]);
  });

  test('XCLAIM and XAUTOCLAIM propagate absolute XCLAIMs, and the removal of entries deleted meanwhile', async () => {
    for (let i = 1; i <= 3; i++) await call('XADD', 's', `${i}-0`, 'f', String(i));
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    await call('XDEL', 's', '2-0');
    const r = await observe(['XCLAIM', 's', 'g', 'bob', '0', '1', 'RETRYCOUNT', '5'], ['XAUTOCLAIM', 's', 'g', 'carol', '0', '0']);
    expect(r.effects).toEqual([
      'XCLAIM s g bob 0 1 TIME T RETRYCOUNT 5 FORCE JUSTID LASTID 3-0',
      'MULTI',
      'XCLAIM s g carol 0 1-0 TIME T RETRYCOUNT 6 FORCE JUSTID LASTID 3-0',
      'XCLAIM s g alice 0 2-0 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 3-0',
      'XCLAIM s g carol 0 3-0 TIME T RETRYCOUNT 2 FORCE JUSTID LASTID 3-0',
      'EXEC',
    ]);
    expect(r.events).toEqual(['0 t xgroup-createconsumer s', '0 t xgroup-createconsumer s']);
    const l = await observe(['XCLAIM', 's', 'g', 'bob', '0', '9-0', 'LASTID', '10-0']);
    expect(l.effects).toEqual(['XGROUP SETID s g 10-0 ENTRIESREAD 3']);
  });

  test('group commands raise their events and propagate as sent', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    const r = await observe(
      ['XGROUP', 'CREATE', 's', 'g', '$'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
      ['XGROUP', 'SETID', 's', 'g', '0'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
      ['XGROUP', 'DESTROY', 's', 'g'],
      ['XSETID', 's', '5-0'],
      ['XDEL', 's', '1-0'],
      ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
    );
    expect(r.events).toEqual([
      '0 t xgroup-create s', '0 t xgroup-createconsumer s', '0 t xgroup-setid s', '0 t xgroup-delconsumer s',
      '0 t xgroup-destroy s', '0 t xsetid s', '0 t xdel s', '0 t xgroup-create m',
    ]);
    expect(r.effects).toEqual([
      'XGROUP CREATE s g $', 'XGROUP CREATECONSUMER s g c', 'XGROUP SETID s g 0', 'XGROUP DELCONSUMER s g c',
      'XGROUP DESTROY s g', 'XSETID s 5-0', 'XDEL s 1-0', 'XGROUP CREATE m g $ MKSTREAM',
    ]);
  });
});

describe('WATCH, as Redis signals stream keys', () => {
  async function watched(...cmd: string[]): Promise<boolean> {
    const other = await sluice.connect();
    await call('WATCH', 's');
    await other.call(...cmd);
    await call('MULTI');
    await call('PING');
    const exec = await call('EXEC');
    return exec.t === 'array' && exec.v !== null;
  }

  test('XADD, XDEL and XTRIM break WATCH; group commands and XSETID do not, as in Redis', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    await call('XADD', 's', '2-0', 'f', 'v');
    expect(await watched('XGROUP', 'CREATE', 's', 'g', '0')).toBe(true);
    expect(await watched('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toBe(true);
    expect(await watched('XACK', 's', 'g', '1-0')).toBe(true);
    expect(await watched('XSETID', 's', '9-0')).toBe(true);
    expect(await watched('XADD', 's', '10-0', 'f', 'v')).toBe(false);
    expect(await watched('XDEL', 's', '10-0')).toBe(false);
    expect(await watched('XTRIM', 's', 'MAXLEN', '0')).toBe(false);
  });
});

describe('Redis 7.2 answers where 7.0 differs', () => {
  test('ms-* past the last sequence of that millisecond is an ID error (7.0: "Elements are too large to be stored")', async () => {
    await call('XADD', 's', '5-18446744073709551615', 'f', 'v');
    expect(errorOf(await call('XADD', 's', '5-*', 'f', 'v'))).toBe(
      'ERR The ID specified in XADD is equal or smaller than the target stream top item',
    );
  });

  test("an unbalanced XREAD names the command in quotes (7.0: Unbalanced XREAD list)", async () => {
    expect(errorOf(await call('XREAD', 'STREAMS', 'a', 'b', '0'))).toBe(
      "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
    );
    expect(errorOf(await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', 'b', '>'))).toBe(
      "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.",
    );
  });

  test('XSETID refuses an ID below the highest deleted one (7.0 accepts it)', async () => {
    await call('XADD', 's', '5-0', 'f', 'v');
    await call('XDEL', 's', '5-0');
    expect(errorOf(await call('XSETID', 's', '4-0'))).toBe('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  });

  test('a BLOCK timeout that would overflow is refused even when the read is served at once (7.0 serves it)', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    expect(errorOf(await call('XREAD', 'BLOCK', '9223372036854775807', 'STREAMS', 's', '0'))).toBe('ERR timeout is out of range');
  });

  test('XINFO CONSUMERS reports inactive: -1 until the consumer is first served, then the time since', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    await call('XGROUP', 'CREATE', 's', 'g', '$');
    await call('XGROUP', 'CREATECONSUMER', 's', 'g', 'idle');
    await call('XREADGROUP', 'GROUP', 'g', 'reader', 'STREAMS', 's', '>');
    await call('XADD', 's', '2-0', 'f', 'v');
    await call('XREADGROUP', 'GROUP', 'g', 'reader', 'STREAMS', 's', '>');
    const consumers = plain(await call('XINFO', 'CONSUMERS', 's', 'g')) as string[][];
    expect(consumers.map((c) => [c[0], c[1], c[2], c[3], c[4], c[6]])).toEqual([
      ['name', 'idle', 'pending', '0', 'idle', 'inactive'],
      ['name', 'reader', 'pending', '1', 'idle', 'inactive'],
    ]);
    expect(consumers[0][7]).toBe('-1');
    expect(Number(consumers[1][7])).toBeGreaterThanOrEqual(0);
  });

  test('XINFO STREAM FULL shows seen-time and active-time per consumer, and delivery times per pending entry', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    const before = Date.now();
    await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await call('XGROUP', 'CREATECONSUMER', 's', 'g', 'd');
    const full = plain(await call('XINFO', 'STREAM', 's', 'FULL')) as unknown[];
    const group = (full[full.indexOf('groups') + 1] as unknown[][])[0];
    const [c, d] = group[group.indexOf('consumers') + 1] as unknown[][];
    expect(c.slice(0, 2)).toEqual(['name', 'c']);
    expect(Number(c[3])).toBeGreaterThanOrEqual(before);
    expect(c[4]).toBe('active-time');
    expect(c[5]).toBe(c[3]);
    expect(c.slice(6, 8)).toEqual(['pel-count', '1']);
    expect(d.slice(4, 8)).toEqual(['active-time', '-1', 'pel-count', '0']);
    const pending = group[group.indexOf('pending') + 1] as string[][];
    expect(pending).toEqual([['1-0', 'c', c[3], '1']]);
  });

  test('XGROUP HELP and XINFO HELP list their subcommands', async () => {
    const g = plain(await call('XGROUP', 'HELP')) as string[];
    expect(g[0]).toBe('XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(g[1]).toBe('CREATE <key> <groupname> <id|$> [option]');
    expect(g).toHaveLength(17);
    const i = plain(await call('XINFO', 'HELP')) as string[];
    expect(i.slice(1, 7)).toEqual([
      'CONSUMERS <key> <groupname>', '    Show consumers of <groupname>.', 'GROUPS <key>',
      '    Show the stream consumer groups.', 'STREAM <key> [FULL [COUNT <count>]', '    Show information about the stream.',
    ]);
  });
});

describe('stream values as keys', () => {
  test('COPY makes an independent stream, groups included; OBJECT ENCODING is stream', async () => {
    await call('XADD', 's', '1-0', 'f', 'v');
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(plain(await call('COPY', 's', 't'))).toBe('1');
    await call('XADD', 's', '2-0', 'f', 'w');
    await call('XACK', 't', 'g', '1-0');
    expect(plain(await call('XLEN', 't'))).toBe('1');
    expect(plain(await call('XPENDING', 's', 'g'))).toEqual(['1', '1-0', '1-0', [['c', '1']]]);
    expect(plain(await call('XPENDING', 't', 'g'))).toEqual(['0', null, null, null]);
    expect(plain(await call('OBJECT', 'ENCODING', 't'))).toBe('stream');
    expect(plain(await call('TYPE', 't'))).toBe('stream');
  });

  test('IDs past 2^53 stay exact through XADD, XRANGE and deltas within a node', async () => {
    const ids = ['9007199254740993-1', '9007199254740993-18446744073709551615', '18446744073709551614-5', '18446744073709551615-0'];
    for (const id of ids) await call('XADD', 's', id, 'f', id);
    const all = plain(await call('XRANGE', 's', '-', '+')) as [string, string[]][];
    expect(all.map((e) => e[0])).toEqual(ids);
    expect(all.map((e) => e[1][1])).toEqual(ids);
    expect(plain(await call('XREVRANGE', 's', '+', '(18446744073709551614-5'))).toEqual([['18446744073709551615-0', ['f', '18446744073709551615-0']]]);
  });
});
