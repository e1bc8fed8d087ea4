import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { EVAL_SCRIPTS_LIMIT } from '../../src/scripting/script-cache.js';
import { useSluice } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';

/**
 * What EVAL does around the script, as Redis 7.2 does it: the effects it
 * propagates, atomicity, the cache, MONITOR,
 * INFO, and the few replies where 7.2 differs from the 7.0 of the
 * differential tests (checked by hand against 7.2.6).
 */
const sluice = useSluice({ conn: 'fresh', observe: true });

const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const err = (v: string): Resp => ({ t: 'error', v });
const OK: Resp = { t: 'simple', v: 'OK' };
const text = (r: Resp): string => (r.t === 'bulk' && r.v !== null ? r.v : '');
const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1].trim();

async function evalScript(script: string, ...rest: string[]): Promise<Resp> {
  return sluice.conn.call('EVAL', script, ...(rest.length === 0 ? ['0'] : rest));
}

async function effectsOf(fn: () => Promise<unknown>): Promise<string[]> {
  sluice.effects.length = 0;
  await fn();
  return sluice.effects.map((e) => `${e.db} ${e.argv.join(' ')}`);
}

describe('replies where Redis 7.2 differs from 7.0', () => {
  test('a blocking command called by a script answers at once, as if it timed out', async () => {
    expect(await evalScript("return redis.call('blpop', 'nolist', 0)")).toEqual(bulk(null));
    expect(await evalScript("return redis.call('bzpopmin', 'nozset', 0)")).toEqual(bulk(null));
  });

  test('numbers are passed to commands as integers up to 2^62, else in the shortest form that reads back (7.0 used %.17g)', async () => {
    const cases: [string, string][] = [
      ['1.5', '1.5'], ['0.1', '0.1'], ['1/3', '0.3333333333333333'], ['1e20', '1e+20'], ['1e-7', '1e-7'], ['0.5e-300', '5e-301'],
      ['2^53', '9007199254740992'], ['2^62', '4611686018427387904'], ['-2^62', '-4611686018427387904'],
      ['2^62+2^10', '4611686018427389000'], ['2^63', '9223372036854776000'], ['1e16', '10000000000000000'],
      ['123456789012', '123456789012'], ['-0.0', '0'], ['1/0', 'inf'], ['-1/0', '-inf'],
    ];
    for (const [lua, written] of cases) {
      expect(await evalScript(`redis.call('set', 'k', ${lua}) return redis.call('get', 'k')`), lua).toEqual(bulk(written));
    }
  });

  test('redis.set_repl() without its argument says it needs one', async () => {
    const r = await evalScript('redis.set_repl()');
    expect(r).toEqual(err(expect.stringMatching(/^ERR redis\.set_repl\(\) requires one argument\. script: [0-9a-f]{40}, on @user_script:1\.$/) as unknown as string));
  });

  test('the version constants name the version Sluice reports', async () => {
    const info = text(await sluice.conn.call('INFO', 'server'));
    const version = field(info, 'redis_version')!;
    const [major, minor, patch] = version.split('.').map(Number);
    expect(await evalScript('return redis.REDIS_VERSION')).toEqual(bulk(version));
    expect(await evalScript('return redis.REDIS_VERSION_NUM')).toEqual(int(major * 65536 + minor * 256 + patch));
  });
});

describe('effects: the commands a script ran, never the script', () => {
  test('several writes propagate wrapped in MULTI/EXEC, in the databases they wrote', async () => {
    const effects = await effectsOf(() =>
      evalScript("redis.call('set', KEYS[1], ARGV[1]) redis.call('get', KEYS[1]) redis.call('select', 3) redis.call('incr', 'n') return 1", '1', 'k', 'v'),
    );
    // MULTI and EXEC belong to no database (-1): a SELECT goes inside, as Redis 7.2 writes it.
    expect(effects).toEqual(['-1 MULTI', '0 set k v', '3 incr n', '-1 EXEC']);
  });

  test('one write propagates alone, and a script that only reads propagates nothing', async () => {
    expect(await effectsOf(() => evalScript("return redis.call('rpush', 'l', 'a')"))).toEqual(['0 rpush l a']);
    expect(await effectsOf(() => evalScript("return redis.call('lrange', 'l', 0, -1)"))).toEqual([]);
  });

  test('a write that changes nothing propagates nothing, and a failed script keeps the writes it made', async () => {
    const effects = await effectsOf(() => evalScript("redis.call('del', 'nokey') redis.call('set', 'a', '1') error('stop')"));
    expect(effects).toEqual(['0 set a 1']);
    expect(await sluice.conn.call('GET', 'a')).toEqual(bulk('1'));
  });

  test('redis.set_repl(REPL_NONE) keeps the following writes out of the AOF', async () => {
    const effects = await effectsOf(() =>
      evalScript("redis.call('set', 'a', '1') redis.set_repl(redis.REPL_NONE) redis.call('set', 'b', '2') redis.set_repl(redis.REPL_ALL) redis.call('set', 'c', '3')"),
    );
    expect(effects).toEqual(['-1 MULTI', '0 set a 1', '0 set c 3', '-1 EXEC']);
    expect(await sluice.conn.call('MGET', 'a', 'b', 'c')).toEqual({ t: 'array', v: [bulk('1'), bulk('2'), bulk('3')] });
  });

  test('random numbers are fine in scripts: what propagates is what they wrote', async () => {
    const effects = await effectsOf(() => evalScript("redis.call('set', 'r', math.random(1000000)) return 1"));
    const value = text(await sluice.conn.call('GET', 'r'));
    expect(effects).toEqual([`0 set r ${value}`]);
  });
});

describe('atomicity', () => {
  test('a client blocked on a key the script pushed to is served after the script ends, with what it left', async () => {
    const waiter = await sluice.connect();
    const popped = waiter.call('BLPOP', 'q', '0');
    await new Promise((r) => setTimeout(r, 50));
    await evalScript("redis.call('lpush', 'q', 'first') redis.call('lpush', 'q', 'second') return redis.call('llen', 'q')");
    expect(await popped).toEqual({ t: 'array', v: [bulk('q'), bulk('second')] });
    expect(await sluice.conn.call('LRANGE', 'q', '0', '-1')).toEqual({ t: 'array', v: [bulk('first')] });
  });

  test('KEYS and ARGV are each call their own', async () => {
    await evalScript('return 1', '2', 'a', 'b', 'c');
    expect(await evalScript('return {#KEYS, #ARGV}')).toEqual({ t: 'array', v: [int(0), int(0)] });
  });
});

describe('the scripts cache', () => {
  test(`EVAL keeps the ${EVAL_SCRIPTS_LIMIT} scripts it used last; SCRIPT LOAD's stay`, async () => {
    await sluice.conn.call('SCRIPT', 'FLUSH');
    const loaded = text(await sluice.conn.call('SCRIPT', 'LOAD', "return 'pinned'"));
    const first = text(await sluice.conn.call('SCRIPT', 'LOAD', 'return 0'));
    // SCRIPT LOAD of a script keeps it; EVAL of a new body may evict.
    await evalScript('return -1');
    for (let i = 1; i <= EVAL_SCRIPTS_LIMIT; i++) await evalScript(`return ${i}`);
    const exists = await sluice.conn.call('SCRIPT', 'EXISTS', loaded, first, '2c41bf6e8d3eff1f8d1d55171aec3bd2ef9e8d14');
    expect(exists).toEqual({ t: 'array', v: [int(1), int(1), int(0)] });
    expect(await sluice.conn.call('EVALSHA', loaded, '0')).toEqual(bulk('pinned'));
    const info = text(await sluice.conn.call('INFO', 'memory'));
    expect(Number(field(info, 'number_of_cached_scripts'))).toBe(EVAL_SCRIPTS_LIMIT + 2);
    expect(Number(field(info, 'used_memory_scripts_eval'))).toBeGreaterThan(EVAL_SCRIPTS_LIMIT * 48);
    await sluice.conn.call('SCRIPT', 'FLUSH');
    expect(field(text(await sluice.conn.call('INFO', 'memory')), 'number_of_cached_scripts')).toBe('0');
  });
});

describe('what Sluice does not have', () => {
  test('SCRIPT DEBUG YES and SYNC are refused, there being no Lua debugger; NO answers OK', async () => {
    for (const mode of ['YES', 'sync']) {
      expect(await sluice.conn.call('SCRIPT', 'DEBUG', mode)).toEqual(err('ERR Sluice has no Lua debugger: SCRIPT DEBUG YES and SYNC are not supported'));
    }
    expect(await sluice.conn.call('SCRIPT', 'DEBUG', 'NO')).toEqual(OK);
  });

  test("INFO's Lua VM memory fields are 0: compiled scripts are part of the JavaScript heap", async () => {
    await evalScript('return 1');
    const info = text(await sluice.conn.call('INFO', 'memory'));
    for (const name of ['used_memory_lua', 'used_memory_vm_eval', 'used_memory_vm_functions', 'used_memory_vm_total']) {
      expect(field(info, name), name).toBe('0');
    }
  });
});

/**
 * Redis 7.2 lets a script set fields of the metatable all strings share, so
 * that code one user planted runs inside every later script, with that
 * script's caller's rights (CVE-2025-46818); Redis fixed it later by making
 * the metatable readonly, and so does Sluice.
 */
describe('the string metatable is readonly', () => {
  const READONLY = /Attempt to modify a readonly table script: /;

  test('no script may set a field of it, by assignment or rawset, nor give it a metatable', async () => {
    const planted = "function() return 'pwned' end";
    for (const code of [
      `getmetatable('').__index = ${planted}`,
      `getmetatable('abc').__add = ${planted}`,
      `rawset(getmetatable(''), '__index', ${planted})`,
      `setmetatable(getmetatable(''), { __index = ${planted} })`,
    ]) {
      const r = await evalScript(`${code} return 1`);
      expect(r.t, code).toBe('error');
      expect((r as { v: string }).v, code).toMatch(READONLY);
    }
    expect(await evalScript("return tostring(('x').foo)")).toEqual(bulk('nil'));
    expect(await evalScript("return ('x'):upper()")).toEqual(bulk('X'));
  });

  test("a function cannot plant code in it either, and another user's script is unaffected", async () => {
    const lib = "#!lua name=plant\nredis.register_function('plant', function() getmetatable('').__index = function() return 'pwned' end return 1 end)";
    expect(await sluice.conn.call('FUNCTION', 'LOAD', lib)).toEqual(bulk('plant'));
    const r = await sluice.conn.call('FCALL', 'plant', '0');
    expect(r).toEqual(err('ERR user_function:2: Attempt to modify a readonly table script: plant, on @user_function:2.'));
    expect(await sluice.conn.call('ACL', 'SETUSER', 'other', 'on', 'nopass', '+@all', '~*')).toEqual(OK);
    const other = await RespClient.connect(sluice.port);
    try {
      expect(await other.call('AUTH', 'other', 'x')).toEqual(OK);
      expect(await other.call('EVAL', "return tostring(('x').foo)", '0')).toEqual(bulk('nil'));
    } finally {
      other.close();
      await sluice.conn.call('ACL', 'DELUSER', 'other');
      await sluice.conn.call('FUNCTION', 'FLUSH');
    }
  });
});

describe('MONITOR and statistics', () => {
  test('MONITOR shows EVAL, then the commands it called as the lua client', async () => {
    const m = await sluice.connect();
    expect(await m.call('MONITOR')).toEqual(OK);
    await evalScript("return redis.call('set', 'k', 'v')");
    const shown: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await m.read();
      shown.push(r.t === 'simple' ? r.v.replace(/^\d+\.\d+ /, '') : '');
    }
    expect(shown[0]).toMatch(/^\[0 127\.0\.0\.1:\d+\] "EVAL" "return redis\.call\('set', 'k', 'v'\)" "0"$/);
    expect(shown[1]).toBe('[0 lua] "set" "k" "v"');
  });

  test("a command's error passed on by the script is counted once", async () => {
    await sluice.conn.call('CONFIG', 'RESETSTAT');
    await sluice.conn.call('SET', 'k', 'v');
    expect((await evalScript("return redis.call('incr', 'k')")).t).toBe('error');
    const info = text(await sluice.conn.call('INFO', 'errorstats'));
    expect(field(info, 'errorstat_ERR')).toBe('count=1');
  });

  // Redis 7.2.6 answers these three scripts with the same counts.
  test('EVAL counts as failed when its reply is an error, whether or not the error was counted already', async () => {
    await sluice.conn.call('CONFIG', 'RESETSTAT');
    await sluice.conn.call('SET', 'k', 'v');
    expect((await evalScript("return redis.call('incr', 'k')")).t).toBe('error');
    expect(await evalScript("local t = redis.pcall('incr', 'k'); return 1")).toEqual({ t: 'int', v: '1' });
    expect((await evalScript("return redis.pcall('incr', 'k')")).t).toBe('error');
    const commands = text(await sluice.conn.call('INFO', 'commandstats'));
    expect(field(commands, 'cmdstat_eval')).toMatch(/^calls=3,.*,rejected_calls=0,failed_calls=2$/);
    expect(field(commands, 'cmdstat_incr')).toMatch(/^calls=3,.*,rejected_calls=0,failed_calls=3$/);
    expect(field(text(await sluice.conn.call('INFO', 'errorstats')), 'errorstat_ERR')).toBe('count=3');
    expect(field(text(await sluice.conn.call('INFO', 'stats')), 'total_error_replies')).toBe('3');
  });
});

describe('command statistics inside scripts', () => {
  test("a command a script calls is timed alone: the script's own work before it counts to the script", async () => {
    await sluice.conn.call('CONFIG', 'RESETSTAT');
    await evalScript("local n = 0; for i = 1, 3000000 do n = n + i end; redis.call('incr', 'counter'); return n");
    const commands = text(await sluice.conn.call('INFO', 'commandstats'));
    const usec = (name: string) => Number(/usec=(\d+)/.exec(field(commands, name)!)![1]);
    expect(usec('cmdstat_eval')).toBeGreaterThan(1000);
    expect(usec('cmdstat_incr')).toBeLessThan(usec('cmdstat_eval') / 2);
  });
});

describe('results nested past what Redis converts', () => {
  /**
   * How many times a reply repeats one aggregate header before its error,
   * read raw: a self-nesting reply is far too deep to parse recursively.
   */
  async function nesting(proto: 2 | 3, script: string, header: string): Promise<{ count: number; error: string | undefined }> {
    const enc = (...a: string[]) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');
    const socket = net.connect(sluice.port, '127.0.0.1');
    let text = '';
    const ended = new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (/\r\n-[^\r]*\r\n/.test(text)) resolve();
      });
    });
    socket.write((proto === 3 ? enc('HELLO', '3') : '') + enc('EVAL', script, '0'));
    await ended;
    socket.destroy();
    const lines = text.split('\r\n');
    return { count: lines.filter((l) => l === header).length, error: lines.find((l) => l.startsWith('-')) };
  }

  // The counts are Redis 7.2.6's for the same scripts.
  test('a table that contains itself is written as deep as Redis goes, then "reached lua stack limit"', async () => {
    const r = await nesting(2, 'local a = {}; local b = {a}; a[1] = b; return a', '*1');
    expect(r).toEqual({ count: 7995, error: '-ERR reached lua stack limit' });
  });

  test('maps and sets nest less deep, as they take more of the Lua stack per level', async () => {
    expect(await nesting(3, 'local a = {}; a.map = {k = a}; return a', '%1')).toEqual({ count: 2665, error: '-ERR reached lua stack limit' });
    expect(await nesting(3, 'local a = {}; a.map = {}; a.map[a] = 1; return a', '%1')).toEqual({ count: 1999, error: '-ERR reached lua stack limit' });
    expect(await nesting(3, 'local a = {}; a.set = {}; a.set[a] = true; return a', '~1')).toEqual({ count: 2665, error: '-ERR reached lua stack limit' });
  });
});
