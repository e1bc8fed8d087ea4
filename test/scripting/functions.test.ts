import { beforeEach, describe, expect, test } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { crc64 } from '../../src/codecs/crc64.js';
import { dumpPayload, parsePayload } from '../../src/scripting/function-dump.js';
import { RunContext } from '../../src/scripting/run-context.js';
import { perTest, useSluice, useSluiceAndRedis } from '../helpers/fixture.js';
import type { Resp, RespClient } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

/** What 7.0 cannot show: Redis 7.2's payload version, and Sluice's own bookkeeping. */

const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;
const fn = (name: string, body: string) => `redis.register_function('${name}', function(keys, args) ${body} end)`;

/** FUNCTION DUMP of Redis 7.2.6 holding MYLIB_CODE: its strings LZF-compressed, RDB version 11. */
const MYLIB_CODE =
  "#!lua name=mylib\nredis.register_function{function_name='echo_all', callback=function(keys, args) return {keys, args} end, flags={'no-writes'}, description='returns its keys and arguments'}\n" +
  "redis.register_function('incr_by', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)";
const REDIS_7_2_DUMP = Buffer.from(
  'f5c340d841271f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0866756e6374696f6e7bc008005f602b0c276563686f5f616c6c272c2063' +
    '2006046261636b3dc02214286b6579732c2061726773292072657475726e207be001131f7d20656e642c20666c6167733d7b276e6f2d777269746573277d2c2064657363' +
    '027269704071013d27803a05732069747320403e0320616e64405504756d656e74202ee00fab082827696e63725f6279209ce0139380ea40be072827494e43524259203040' +
    '68025b315d80be2008002920ad0164290b0018ef0a8b0cf727d1',
  'hex',
).toString('latin1');

/** A payload of raw bytes with Redis's footer: version (11 unless given) and CRC-64. */
function payload(body: Buffer, version = 11): string {
  const withVersion = Buffer.concat([body, Buffer.from([version & 0xff, version >> 8])]);
  return Buffer.concat([withVersion, crc64(withVersion)]).toString('latin1');
}

const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const int = (v: number): Resp => ({ t: 'int', v: String(v) });
const OK: Resp = { t: 'simple', v: 'OK' };
const err = (v: string): Resp => ({ t: 'error', v });

describe('the DUMP payload format', () => {
  test("CRC-64 is Redis's (Jones, reflected): 123456789 gives e9c6d914c4b8d9ca, stored little-endian", () => {
    expect(crc64(Buffer.from('123456789')).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
  });

  test('each library is opcode 245 and its code as an RDB string, then RDB version 11 and the CRC-64', () => {
    const p = Buffer.from(dumpPayload(['#!lua name=a\nx', 'y'.repeat(100)]), 'latin1');
    expect([...p.subarray(0, 2)]).toEqual([245, 14]);
    expect(p.toString('latin1', 2, 16)).toBe('#!lua name=a\nx');
    // 100 needs the 14-bit length: 0x40 | (100 >> 8), 100 & 0xff.
    expect([...p.subarray(16, 19)]).toEqual([245, 0x40, 100]);
    expect([...p.subarray(p.length - 10, p.length - 8)]).toEqual([11, 0]);
    expect(p.subarray(p.length - 8)).toEqual(crc64(p, p.length - 8));
    expect(parsePayload(p.toString('latin1'))).toEqual({ codes: ['#!lua name=a\nx', 'y'.repeat(100)] });
  });

  test("Redis 7.2.6's payload, strings LZF-compressed, reads back to the library's code", () => {
    expect(parsePayload(REDIS_7_2_DUMP)).toEqual({ codes: [MYLIB_CODE] });
  });

  test('integer-encoded strings read as their digits; an LZF length past any possible expansion is refused before allocating', () => {
    expect(parsePayload(payload(Buffer.from([245, 0xc0, 0xfb])))).toEqual({ codes: ['-5'] });
    expect(parsePayload(payload(Buffer.from([245, 0xc1, 0x39, 0x30])))).toEqual({ codes: ['12345'] });
    const huge = Buffer.from([245, 0xc3, 0x01, 0x80, 0x7f, 0xff, 0xff, 0xff, 0x00]);
    expect(parsePayload(payload(huge))).toEqual({ error: 'Failed loading library payload' });
  });
});

describe('FUNCTION DUMP and RESTORE', () => {
  const s = useSluice({ conn: 'fresh', observe: true });
  beforeEach(async () => {
    await s.conn.call('FUNCTION', 'FLUSH');
  });

  test("Redis 7.2.6's DUMP restores, and its functions run with their flags and description", async () => {
    const c = s.conn;
    expect(await c.call('FUNCTION', 'RESTORE', REDIS_7_2_DUMP)).toEqual(OK);
    expect(await c.call('FUNCTION', 'LIST', 'WITHCODE')).toEqual({
      t: 'array',
      v: [
        {
          t: 'array',
          v: [
            bulk('library_name'), bulk('mylib'), bulk('engine'), bulk('LUA'), bulk('functions'),
            {
              t: 'array',
              v: [
                { t: 'array', v: [bulk('name'), bulk('echo_all'), bulk('description'), bulk('returns its keys and arguments'), bulk('flags'), { t: 'array', v: [{ t: 'simple', v: 'no-writes' }] }] },
                { t: 'array', v: [bulk('name'), bulk('incr_by'), bulk('description'), bulk(null), bulk('flags'), { t: 'array', v: [] }] },
              ],
            },
            bulk('library_code'), bulk(MYLIB_CODE),
          ],
        },
      ],
    });
    expect(await c.call('FCALL', 'incr_by', '1', 'n', '4')).toEqual(int(4));
    expect(await c.call('FCALL_RO', 'echo_all', '1', 'k', 'a')).toEqual({
      t: 'array',
      v: [{ t: 'array', v: [bulk('k')] }, { t: 'array', v: [bulk('a')] }],
    });
  });

  test('DUMP, FLUSH, RESTORE gives the same libraries back', async () => {
    const c = s.conn;
    await c.call('FUNCTION', 'LOAD', lib('one', fn('f1', 'return 1')));
    await c.call('FUNCTION', 'LOAD', lib('two', `${fn('f2', 'return 2')} ${fn('f3', 'return 3')}`));
    const before = await c.call('FUNCTION', 'LIST', 'WITHCODE');
    const dump = await c.call('FUNCTION', 'DUMP');
    expect(await c.call('FUNCTION', 'FLUSH')).toEqual(OK);
    expect(await c.call('FUNCTION', 'RESTORE', dump.v as string)).toEqual(OK);
    expect(await c.call('FUNCTION', 'LIST', 'WITHCODE')).toEqual(before);
    expect(await c.call('FCALL', 'f3', '0')).toEqual(int(3));
  });

  test('APPEND (the default) refuses a library that exists; REPLACE swaps it; FLUSH drops the others; failures change nothing', async () => {
    const c = s.conn;
    await c.call('FUNCTION', 'LOAD', lib('one', fn('f1', 'return 1')));
    const dump = (await c.call('FUNCTION', 'DUMP')).v as string;
    await c.call('FUNCTION', 'LOAD', 'REPLACE', lib('one', fn('f1', 'return 11')));
    await c.call('FUNCTION', 'LOAD', lib('other', fn('g', 'return 7')));
    expect(await c.call('FUNCTION', 'RESTORE', dump)).toEqual(err('ERR Library one already exists'));
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'APPEND')).toEqual(err('ERR Library one already exists'));
    expect(await c.call('FCALL', 'f1', '0')).toEqual(int(11));
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'replace')).toEqual(OK);
    expect(await c.call('FCALL', 'f1', '0')).toEqual(int(1));
    expect(await c.call('FCALL', 'g', '0')).toEqual(int(7));
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'FLUSH')).toEqual(OK);
    expect(await c.call('FCALL', 'g', '0')).toEqual(err('ERR Function not found'));
    expect(await c.call('FUNCTION', 'STATS')).toEqual({
      t: 'array',
      v: [bulk('running_script'), bulk(null), bulk('engines'), { t: 'array', v: [bulk('LUA'), { t: 'array', v: [bulk('libraries_count'), int(1), bulk('functions_count'), int(1)] }] }],
    });
  });

  test('a function another library holds fails the restore, even with REPLACE, and the replaced library comes back', async () => {
    const c = s.conn;
    await c.call('FUNCTION', 'LOAD', lib('one', fn('shared', 'return 1')));
    const dump = (await c.call('FUNCTION', 'DUMP')).v as string;
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', lib('one', fn('mine', 'return 2')));
    await c.call('FUNCTION', 'LOAD', lib('two', fn('SHARED', 'return 3')));
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'REPLACE')).toEqual(err('ERR Function shared already exists'));
    expect(await c.call('FCALL', 'mine', '0')).toEqual(int(2));
    expect(await c.call('FCALL', 'shared', '0')).toEqual(int(3));
  });

  test('malformed payloads: a later RDB version, another type, the pre-GA format, a string cut short, code that does not load', async () => {
    const c = s.conn;
    const entryOf = (code: string) => Buffer.from(dumpPayload([code]), 'latin1').subarray(0, -10);
    const entry = entryOf(lib('x', fn('fx', 'return 1')));
    expect(await c.call('FUNCTION', 'RESTORE', payload(entry, 12))).toEqual(err('ERR DUMP payload version or checksum are wrong'));
    expect(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([0, 1, 2])))).toEqual(err('ERR given type is not a function'));
    expect(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([246, 1, 2])))).toEqual(err('ERR Pre-GA function format not supported'));
    expect(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([245, 63, 1, 2])))).toEqual(err('ERR Failed loading library payload'));
    const two = Buffer.concat([entry, entryOf('#!lua name=y\nreturn 1')]);
    expect(await c.call('FUNCTION', 'RESTORE', payload(two))).toEqual(err('ERR No functions registered'));
    const twice = Buffer.concat([entry, entry]);
    expect(await c.call('FUNCTION', 'RESTORE', payload(twice))).toEqual(err("ERR Library 'x' already exists"));
    expect(await c.call('FUNCTION', 'LIST')).toEqual({ t: 'array', v: [] });
    // An older version is read as well.
    expect(await c.call('FUNCTION', 'RESTORE', payload(entry, 10))).toEqual(OK);
  });
});

describe('loading libraries', () => {
  const s = useSluice({ conn: 'fresh', observe: true });
  beforeEach(async () => {
    await s.conn.call('FUNCTION', 'FLUSH');
  });

  test("a library's code that runs past 500 ms is stopped, and nothing changes", async () => {
    const c = s.conn;
    await c.call('FUNCTION', 'LOAD', lib('slow', fn('f', 'return 1')));
    expect(await c.call('FUNCTION', 'LOAD', 'REPLACE', lib('slow', 'local i = 0 while true do i = i + 1 end'))).toEqual(
      err('ERR Error registering functions: ERR FUNCTION LOAD timeout'),
    );
    expect(await c.call('FCALL', 'f', '0')).toEqual(int(1));
    expect(await c.call('EVAL', 'return 1', '0')).toEqual(int(1));
  });

  test('FUNCTION HELP lists the subcommands as Redis does', async () => {
    const r = await s.conn.call('FUNCTION', 'HELP');
    const lines = (r.v as Resp[]).map((x) => x.v);
    expect(lines[0]).toBe('FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(lines[1]).toBe('LOAD [REPLACE] <FUNCTION CODE>');
    expect(lines).toContain('RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]');
    expect(lines).toHaveLength(40);
  });

  test('INFO reads the counts and memory: functions FCALL can find, libraries, bytes of code', async () => {
    const c = s.conn;
    const f = s.server.scripting.functions;
    expect([f.functionCount, f.libraryCount, f.memory]).toEqual([0, 0, 0]);
    const code = lib('m', `${fn('m1', 'return 1')} ${fn('m2', 'return 2')}`);
    await c.call('FUNCTION', 'LOAD', code);
    expect([f.functionCount, f.libraryCount]).toEqual([2, 1]);
    expect(f.memory).toBeGreaterThan(code.length);
    const info = (await c.call('INFO', 'memory')).v as string;
    const field = (name: string) => new RegExp(`^${name}:(.*)\r?$`, 'm').exec(info)?.[1];
    expect([field('number_of_functions'), field('number_of_libraries'), field('used_memory_functions')]).toEqual(['2', '1', String(f.memory)]);
    await c.call('FUNCTION', 'DELETE', 'm');
    expect([f.functionCount, f.libraryCount, f.memory]).toEqual([0, 0, 0]);
  });

  test('FUNCTION LOAD, DELETE, FLUSH and RESTORE propagate as themselves; FCALL propagates the writes it makes', async () => {
    const c = s.conn;
    const code = lib('p', fn('p', "redis.call('SET', keys[1], 'v') return redis.call('GET', keys[1])"));
    await c.call('FUNCTION', 'LOAD', code);
    const dump = (await c.call('FUNCTION', 'DUMP')).v as string;
    await c.call('FCALL', 'p', '1', 'k');
    await c.call('FUNCTION', 'DELETE', 'p');
    await c.call('FUNCTION', 'RESTORE', dump);
    await c.call('FUNCTION', 'FLUSH', 'ASYNC');
    await c.call('FUNCTION', 'DELETE', 'p');
    expect(s.effects.map((e) => e.argv)).toEqual([
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', code],
      ['SET', 'k', 'v'],
      ['FUNCTION', 'DELETE', 'p'],
      ['FUNCTION', 'RESTORE', dump],
      ['FUNCTION', 'FLUSH', 'ASYNC'],
    ]);
  });
});

describe.skipIf(redisServerPath === null)('FUNCTION DUMP between Sluice and redis-server', () => {
  const servers = useSluiceAndRedis();
  const t = perTest();

  async function both(): Promise<[RespClient, RespClient]> {
    const a = await t.connect(servers.sluice);
    const b = await t.connect(servers.redis);
    for (const c of [a, b]) await c.call('FUNCTION', 'FLUSH');
    return [a, b];
  }

  const libs = [
    lib('plain', fn('plain_f', 'return 1')),
    lib('long', Array.from({ length: 30 }, (_, i) => fn(`long_${i}`, `return 'a long enough body to be compressed ${i}'`)).join('\n')),
    lib('flagged', "redis.register_function{function_name='ro_f', callback=function() return 'ro' end, flags={'no-writes', 'allow-oom'}, description='d'}"),
  ];
  /** FUNCTION LIST in a comparable order: Redis lists libraries, and each library's functions, in its hash order. */
  const sorted = (r: Resp) =>
    (r.v as Resp[])
      .map((library) => (library.v as Resp[]).map((field) => (field.t === 'array' ? (field.v as Resp[]).map((x) => JSON.stringify(x)).sort() : field)))
      .map((x) => JSON.stringify(x))
      .sort();

  test("redis-server's DUMP restores into Sluice to the same libraries", async () => {
    const [sluice, redis] = await both();
    for (const code of libs) await redis.call('FUNCTION', 'LOAD', code);
    const dump = await redis.call('FUNCTION', 'DUMP');
    expect(await sluice.call('FUNCTION', 'RESTORE', dump.v as string)).toEqual(OK);
    expect(sorted(await sluice.call('FUNCTION', 'LIST', 'WITHCODE'))).toEqual(sorted(await redis.call('FUNCTION', 'LIST', 'WITHCODE')));
    expect(await sluice.call('FCALL', 'long_29', '0')).toEqual(bulk('a long enough body to be compressed 29'));
  });

  test("Sluice's DUMP restores into redis-server 7.2; 7.0 refuses it as it refuses 7.2.6's own", async () => {
    const [sluice, redis] = await both();
    for (const code of libs) await sluice.call('FUNCTION', 'LOAD', code);
    const dump = (await sluice.call('FUNCTION', 'DUMP')).v as string;
    const info = (await redis.call('INFO', 'server')).v as string;
    if (/redis_version:7\.0\./.test(info)) {
      const refusal = err('ERR DUMP payload version or checksum are wrong');
      expect(await redis.call('FUNCTION', 'RESTORE', REDIS_7_2_DUMP)).toEqual(refusal);
      expect(await redis.call('FUNCTION', 'RESTORE', dump)).toEqual(refusal);
    } else {
      expect(await redis.call('FUNCTION', 'RESTORE', dump)).toEqual(OK);
      expect(sorted(await redis.call('FUNCTION', 'LIST', 'WITHCODE'))).toEqual(sorted(await sluice.call('FUNCTION', 'LIST', 'WITHCODE')));
      expect(await redis.call('FCALL_RO', 'ro_f', '0')).toEqual(bulk('ro'));
    }
  });
});

describe('FUNCTION STATS while a script runs', () => {
  const s = useSluice({ conn: 'fresh' });

  /** Runs `f` as though `run` were the script executing now (a busy script lets FUNCTION STATS in). */
  async function during<T>(evalMode: boolean, argv: string[], f: () => Promise<T>): Promise<T> {
    const scripting = s.server.scripting;
    const caller = s.server.scripting.current;
    const flags = { compat: false, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
    // FUNCTION STATS reads the name, the mode and the start of the run, never its caller.
    scripting.current = new RunContext(null as unknown as Ctx, argv[1], evalMode, flags, false, false, performance.now());
    scripting.functions.runningArgv = evalMode ? null : argv;
    try {
      return await f();
    } finally {
      scripting.current = caller;
      scripting.functions.runningArgv = null;
    }
  }

  test('running_script names the function, the FCALL line and how long it has run', async () => {
    const r = await during(false, ['FCALL', 'slowfn', '1', 'k', 'arg'], () => s.conn.call('FUNCTION', 'STATS'));
    const v = r.v as Resp[];
    expect(v[0]).toEqual(bulk('running_script'));
    const running = v[1].v as Resp[];
    expect(running.slice(0, 4)).toEqual([
      bulk('name'), bulk('slowfn'), bulk('command'), { t: 'array', v: ['FCALL', 'slowfn', '1', 'k', 'arg'].map(bulk) },
    ]);
    expect(running[4]).toEqual(bulk('duration_ms'));
    expect(running[5].t).toBe('int');
  });

  test('while an EVAL script runs, FUNCTION STATS answers BUSY as Redis does', async () => {
    const r = await during(true, ['EVAL', 'x'.repeat(40)], () => s.conn.call('FUNCTION', 'STATS'));
    expect(r).toEqual(err('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'));
  });
});
