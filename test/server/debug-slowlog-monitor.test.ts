import { describe, expect, test } from 'vitest';
import { quoteRepr } from '../../src/server/monitor.js';
import { c, differential, fails, help, sameType } from '../helpers/differential.js';
import { useSluice, useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath, startSluice } from '../helpers/servers.js';
import net from 'node:net';

const OK: Resp = { t: 'simple', v: 'OK' };

const RAW_END = '$12\r\nend-of-bytes\r\n';

/** The bytes a server answers to `input` (inline commands), up to the reply of a closing ECHO: replies the test client does not parse (RESP3 attributes) compared as bytes. */
function rawReplies(port: number, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith(RAW_END)) {
        socket.destroy();
        resolve(got.slice(0, -RAW_END.length));
      }
    });
    socket.on('error', reject);
    socket.write(input + 'ECHO end-of-bytes\r\n');
  });
}

/** DEBUG PROTOCOL of each type but push, whose order 7.2 changed (see the DEBUG tests). */
const PROTOCOL_TYPES = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'true', 'false', 'verbatim', 'nosuch'];
const protocolInput = (hello: string) => hello + PROTOCOL_TYPES.map((t) => `DEBUG PROTOCOL ${t}\r\n`).join('') + 'DEBUG PROTOCOL\r\n';

function strings(r: Resp): string[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  return r.v.map((x) => (x as { v: string }).v);
}

differential('SLOWLOG, TIME, LASTSAVE, SHUTDOWN and MONITOR errors', {
  'SLOWLOG arguments': [
    fails('SLOWLOG'), fails('SLOWLOG', 'FOO'), fails('SLOWLOG', 'GET', '-2'), fails('SLOWLOG', 'GET', 'x'),
    fails('SLOWLOG', 'GET', '1', '2'), fails('SLOWLOG', 'LEN', 'x'), fails('SLOWLOG', 'RESET', 'x'),
    fails('SLOWLOG', 'HELP', 'x'), help('SLOWLOG', 'HELP'), help('slowlog', 'help'), c('SLOWLOG', 'RESET'),
    sameType('SLOWLOG', 'LEN'), sameType('SLOWLOG', 'GET'), sameType('SLOWLOG', 'GET', '-1'), c('SLOWLOG', 'GET', '0'),
  ],
  'TIME and LASTSAVE': [sameType('TIME'), sameType('LASTSAVE'), fails('TIME', 'x'), fails('LASTSAVE', 'x')],
  'SHUTDOWN arguments that shut nothing down': [
    fails('SHUTDOWN', 'ABORT'), fails('SHUTDOWN', 'FOO'), fails('SHUTDOWN', 'SAVE', 'NOSAVE'),
    fails('SHUTDOWN', 'ABORT', 'NOW'), fails('SHUTDOWN', 'force', 'abort'), fails('SHUTDOWN', 'NOW', 'FOO'),
    c('MULTI'), fails('SHUTDOWN'), fails('EXEC'),
  ],
  'MONITOR inside a transaction': [c('MULTI'), c('MONITOR'), c('EXEC'), fails('MONITOR', 'x')],
});

describe.skipIf(redisServerPath === null)('DEBUG (differential vs redis-server with enable-debug-command)', () => {
  const s = useSluiceAndRedis({ sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] });

  /** Runs the commands on both servers; DEBUG OBJECT's address and LRU clock are not compared. */
  async function compare(cmds: string[][]): Promise<void> {
    const a = await RespClient.connect(s.sluice.port);
    const b = await RespClient.connect(s.redis.port);
    const norm = (r: Resp) =>
      r.t === 'simple' ? { ...r, v: r.v.replace(/^Value at:\S+/, 'Value at:-').replace(/ lru:\d+ lru_seconds_idle:\d+/, ' lru:-') } : r;
    try {
      for (const cmd of cmds) {
        const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
        expect(norm(ra), cmd.join(' ')).toEqual(norm(rb));
      }
    } finally {
      a.close();
      b.close();
    }
  }

  test('subcommand and argument errors', async () => {
    await compare([
      ['DEBUG'], ['DEBUG', 'FOO'], ['debug', 'jmap'], ['DEBUG', 'SLEEP'], ['DEBUG', 'SLEEP', '0', '1'], ['DEBUG', 'HELP', 'x'],
      ['DEBUG', 'OBJECT'], ['DEBUG', 'OBJECT', 'k', 'x'], ['DEBUG', 'OBJECT', 'no-such-key'], ['DEBUG', 'SET-ACTIVE-EXPIRE'],
    ]);
  });

  test('SLEEP reads its argument as strtod does and SET-ACTIVE-EXPIRE as atoi does', async () => {
    await compare([
      ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'abc'], ['DEBUG', 'SLEEP', '-1'], ['DEBUG', 'SLEEP', 'inf'],
      ['DEBUG', 'SLEEP', '0.001xyz'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['DEBUG', 'SET-ACTIVE-EXPIRE', 'abc'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]);
  });

  test('LOG, AOF-FLUSH-SLEEP and PAUSE-CRON take exactly one argument', async () => {
    await compare([
      ['DEBUG', 'LOG', 'a line'], ['DEBUG', 'LOG'], ['DEBUG', 'LOG', 'a', 'b'], ['DEBUG', 'AOF-FLUSH-SLEEP', '0'],
      ['DEBUG', 'AOF-FLUSH-SLEEP', 'x'], ['DEBUG', 'AOF-FLUSH-SLEEP'], ['DEBUG', 'PAUSE-CRON', '0'], ['DEBUG', 'PAUSE-CRON'],
      ['DEBUG', 'PAUSE-CRON', '0', '1'], ['SHUTDOWN', 'ABORT'],
    ]);
  });

  test('SET-SKIP-CHECKSUM-VALIDATION lets RESTORE take a payload whatever its checksum, not its version; a corrupt body is still refused', async () => {
    // A string payload of RDB version 10 (what Debian's Redis 7.0 takes), its CRC-64 zeroed.
    const hello = '\x00\x05hello\x0a\x00' + '\x00'.repeat(8);
    const newer = '\x00\x05hello\x0c\x00' + '\x00'.repeat(8);
    // Redis's corrupt-dump test "quicklist with empty ziplist".
    const empty = '\x0E\x01\x0B\x0B\x00\x00\x00\x0A\x00\x00\x00\x00\x00\xFF\x09\x00\xC2\x69\x37\x83\x3C\x7F\xFE\x6F';
    await compare([
      ['RESTORE', 'sk1', '0', hello], ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'], ['RESTORE', 'sk1', '0', hello], ['GET', 'sk1'],
      ['RESTORE', 'sk2', '0', newer], ['RESTORE', 'sk3', '0', empty], ['EXISTS', 'sk3'], ['PING'],
      ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', 'x'], ['RESTORE', 'sk4', '0', hello], ['DEL', 'sk1'],
    ]);
  });

  test('OBJECT reports encoding, refcount and serialized length of strings', async () => {
    const unique64 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
    const values = [
      'hello', '', ' 1', '007', '-0', '0', '100', '9999', '10000', '-1', '127', '128', '-128', '-129', '32767', '32768',
      '99999', '2147483647', '2147483648', '-2147483648', '4294967296', '9223372036854775807', '-9223372036854775808',
      '9223372036854775808', '12345678901234567890', '01234567890123456789', unique64.slice(0, 44), unique64.slice(0, 45),
      unique64,
    ];
    await compare(values.flatMap((v) => [['SET', 'k', v], ['DEBUG', 'OBJECT', 'k']]));
  });

  test('DIGEST and DIGEST-VALUE sign every type, its TTL and its database as Redis does', async () => {
    // Sorted-set scores whose %.17g (7.0's digest) and shortest form (7.2's) are the same text.
    await compare([
      ['FLUSHALL'], ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE'], ['DEBUG', 'DIGEST-VALUE', 'missing'],
      ['DEBUG', 'DIGEST', 'x'], ['SET', 's', 'hello'], ['SET', 'n', '12345'], ['SET', 'e', ''], ['SET', 'big', 'y'.repeat(5000)],
      ['APPEND', 'm', 'abc'], ['SETRANGE', 'm', '10', 'xyz'], ['SETBIT', 'bits', '100', '1'],
      ['RPUSH', 'l', 'a', 'b', '1', '2', '300000000000', '-5'], ['RPUSH', 'ql', ...Array.from({ length: 300 }, (_, i) => `e${i}`.repeat(5))],
      ['SADD', 'si', '1', '2', '3', '-7'], ['SADD', 'sl', 'a', 'b', 'c', '1'], ['SADD', 'sh', ...Array.from({ length: 200 }, (_, i) => `m${i}`)],
      ['ZADD', 'z', '1', 'a', '2.5', 'b', '-3', 'c', '-0', 'd', 'inf', 'e', '-inf', 'f', '100', 'g', '7', '8'],
      ['ZADD', 'zb', ...Array.from({ length: 200 }, (_, i) => [`${i}.5`, `m${i}`]).flat()],
      ['HSET', 'h', 'f1', 'v1', 'f2', '2', '3', 'v3'], ['HSET', 'hb', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
      ['XADD', 'x', '1-1', 'a', '1', 'b', '2'], ['XADD', 'x', '1-2', 'a', '3', 'b', '4'], ['XADD', 'x', '2-0', 'c', '5'], ['XDEL', 'x', '1-2'],
      ['SET', 'ttl', 'v', 'EX', '1000'], ['RPUSH', 'lttl', 'a'], ['EXPIRE', 'lttl', '1000'], ['PFADD', 'hll', 'a', 'b', 'c'],
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
      ['DEBUG', 'DIGEST-VALUE', 's', 'n', 'e', 'big', 'm', 'bits', 'l', 'ql', 'si', 'sl', 'sh', 'z', 'zb', 'h', 'hb', 'x', 'ttl', 'lttl', 'hll', 'g', 'missing'],
      ['DEBUG', 'DIGEST'], ['SELECT', '3'], ['SET', 'other', '1'], ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'other', 's'], ['SELECT', '0'],
      ['RPUSH', 'l', 'c'], ['DEBUG', 'DIGEST-VALUE', 'l'], ['SADD', 'sl', 'd'], ['DEBUG', 'DIGEST-VALUE', 'sl'], ['PERSIST', 'ttl'],
      ['DEBUG', 'DIGEST-VALUE', 'ttl'], ['DEBUG', 'DIGEST'],
    ]);
  });

  test('PROTOCOL answers with each RESP type as Redis does, in RESP2 and RESP3', async () => {
    for (const hello of ['', 'HELLO 3\r\n']) {
      const [a, b] = await Promise.all([rawReplies(s.sluice.port, protocolInput(hello)), rawReplies(s.redis.port, protocolInput(hello))]);
      // HELLO's own reply names the server and its version.
      const body = (r: string) => (hello === '' ? r : r.slice(r.indexOf('$11\r\nHello World')));
      expect(body(a), hello === '' ? 'RESP2' : 'RESP3').toBe(body(b));
    }
    await compare([['DEBUG', 'PROTOCOL', 'push'], ['DEBUG', 'PROTOCOL', 'string', 'x']]);
  });

  test('SET-DISABLE-DENY-SCRIPTS lets scripts call DEBUG, which reads each PROTOCOL type as Redis converts it', async () => {
    const call = (resp: number, type: string) => ['EVAL', `redis.setresp(${resp}); return redis.call('debug', 'protocol', '${type}')`, '0'];
    const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'true', 'false', 'verbatim'];
    await compare([
      call(2, 'string'), ['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1'],
      ...types.flatMap((t) => [call(2, t), call(3, t)]),
      ['EVAL', "redis.setresp(3); local r = redis.call('debug', 'protocol', 'map'); return r['map'][1]", '0'],
      // pairs() walks a RESP3 map in the order the table's history gives it, as in Redis's Lua.
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', '10', '6', '20', '7'],
      ['EVAL', "redis.setresp(3); local out = {}; for k, v in pairs(redis.call('hgetall', 'h')['map']) do out[#out + 1] = k; out[#out + 1] = v end; return out", '0'],
      ['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0'], call(3, 'string'), ['DEBUG', 'SET-DISABLE-DENY-SCRIPTS'],
    ]);
  });

  test('OBJECT reports strings modified in place as raw, with the serialized length of what they hold', async () => {
    await compare([
      ['SET', 'k', '12'], ['APPEND', 'k', '3'], ['DEBUG', 'OBJECT', 'k'], ['SETRANGE', 'k', '0', '-'], ['DEBUG', 'OBJECT', 'k'],
      ['SETRANGE', 'z', '0', '99999'], ['DEBUG', 'OBJECT', 'z'], ['SET', 'e', 'abc'], ['APPEND', 'e', ''], ['DEBUG', 'OBJECT', 'e'],
      ['APPEND', 'e', 'defghijklmnopqr'], ['DEBUG', 'OBJECT', 'e'],
    ]);
  });
});

describe('DEBUG', () => {
  const sluice = useSluice({ start: { config: { 'slowlog-log-slower-than': 0, 'enable-debug-command': 'yes' } } });

  // Redis 7.2.6 answers this when its table cannot be allocated (7.0.15, under overcommit, tries and never answers).
  test('POPULATE refuses a count whose keys the heap cannot hold, before making any', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      const oom = { t: 'error', v: 'ERR OOM in dictTryExpand' };
      expect(await a.call('DEBUG', 'POPULATE', '100000000000')).toEqual(oom);
      expect(await a.call('DEBUG', 'POPULATE', '10000000', 'p', '100000')).toEqual(oom);
      expect(await a.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    } finally {
      a.close();
    }
  });

  test('SLEEP stops the server for that long, as the slow log measures it', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      expect(await a.call('DEBUG', 'SLEEP', '0.05')).toEqual(OK);
      const [entry] = sluice.server.slowlog.newest(1);
      expect(entry.argv).toEqual(['DEBUG', 'SLEEP', '0.05']);
      expect(entry.usec).toBeGreaterThanOrEqual(45_000);
    } finally {
      a.close();
    }
  });

  test.each([
    ['SET-ACTIVE-EXPIRE', '0', '1'],
    ['PAUSE-CRON', '1', '0'],
  ])('%s %s keeps the cron from deleting expired keys; %s lets it again', async (sub, off, on) => {
    const a = await RespClient.connect(sluice.port);
    const server = sluice.server;
    const cron = () => (server as unknown as { serverCron(): void }).serverCron();
    const db = server.keyspace.db(0);
    try {
      expect(await a.call('DEBUG', sub, off)).toEqual(OK);
      db.set('stale', 'v');
      db.setDeadline('stale', Date.now() - 1000);
      for (let i = 0; i < 10; i++) cron();
      expect(db.dict.has('stale')).toBe(true);
      expect(await a.call('DEBUG', sub, on)).toEqual(OK);
      for (let i = 0; i < 100 && db.dict.has('stale'); i++) cron();
      expect(db.dict.has('stale')).toBe(false);
    } finally {
      server.activeExpire = true;
      server.cronPaused = false;
      a.close();
    }
  });

  test('OBJECT shows the key\'s access stamp and idle seconds: a GET under CLIENT NO-TOUCH leaves them, one without it refreshes them (Redis 7.2)', async () => {
    const a = await RespClient.connect(sluice.port);
    const lru = async (): Promise<[number, number]> => {
      const r = (await a.call('DEBUG', 'OBJECT', 'touched')) as { v: string };
      const m = /lru:(\d+) lru_seconds_idle:(\d+)$/.exec(r.v);
      return [Number(m![1]), Number(m![2])];
    };
    try {
      await a.call('SET', 'touched', 'v');
      expect(await a.call('CLIENT', 'NO-TOUCH', 'ON')).toEqual(OK);
      const [first, fresh] = await lru();
      expect(first).toBeGreaterThan(0);
      expect(fresh).toBe(0);
      await new Promise((r) => setTimeout(r, 1100));
      await a.call('GET', 'touched');
      const [untouched, idle] = await lru();
      expect(untouched).toBe(first);
      expect(idle).toBeGreaterThanOrEqual(1);
      expect(await a.call('CLIENT', 'NO-TOUCH', 'OFF')).toEqual(OK);
      await a.call('GET', 'touched');
      const [touched, since] = await lru();
      expect(touched).toBeGreaterThan(first);
      expect(since).toBe(0);
    } finally {
      await a.call('CLIENT', 'NO-TOUCH', 'OFF');
      a.close();
    }
  });

  test('LOG writes its message to the log as a warning, cut at a NUL as Redis\'s %s cuts it', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      expect(await a.call('DEBUG', 'LOG', 'written by a test')).toEqual(OK);
      expect(await a.call('DEBUG', 'LOG', 'before\0after')).toEqual(OK);
      const warnings = sluice.logs.messages('warning');
      expect(warnings).toContain('DEBUG LOG: written by a test');
      expect(warnings).toContain('DEBUG LOG: before');
    } finally {
      a.close();
    }
  });

  test('OBJECT shows a key past its deadline that nothing has deleted yet, as Redis does', async () => {
    const a = await RespClient.connect(sluice.port);
    const db = sluice.server.keyspace.db(0);
    try {
      await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      db.set('late', 'v');
      db.setDeadline('late', Date.now() - 1000);
      const r = await a.call('DEBUG', 'OBJECT', 'late');
      expect(r).toMatchObject({ t: 'simple', v: expect.stringMatching(/^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:2 lru:\d+ lru_seconds_idle:0$/) });
    } finally {
      await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      a.close();
    }
  });

  test('DIGEST-VALUE writes sorted-set scores in their shortest form, as Redis 7.2 does (7.0 used %.17g)', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      await a.call('ZADD', 'z', '0.1', 'a', '1e10', 'b', '1e-7', 'c', '123456789012345678', 'd');
      // What redis-server 7.2.6 answers for the same set.
      expect(await a.call('DEBUG', 'DIGEST-VALUE', 'z')).toEqual({ t: 'array', v: [{ t: 'simple', v: 'd013478cdd1e0d37ba601c6ca68ddaad50eaa456' }] });
    } finally {
      await a.call('DEL', 'z');
      a.close();
    }
  });

  test('PROTOCOL push sends the push after the command\'s reply, as Redis 7.2 sends every push to the client running a command', async () => {
    const got = await rawReplies(sluice.port, 'HELLO 3\r\nDEBUG PROTOCOL push\r\n');
    expect(got.slice(got.indexOf('$40\r\n'))).toBe('$40\r\nSome real reply following the push reply\r\n>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
  });

  test('TIME stands still inside a script and inside EXEC, as Redis 7.2\'s cached time does (7.0 read the clock)', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      await a.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1');
      const script = await a.call('EVAL', "local a = redis.call('TIME'); redis.call('DEBUG', 'SLEEP', 0.01); local b = redis.call('TIME'); return {a, b}", '0');
      const [first, second] = (script as { v: Resp[] }).v;
      expect(second).toEqual(first);
      await a.call('MULTI');
      await a.call('TIME');
      await a.call('DEBUG', 'SLEEP', '0.01');
      await a.call('TIME');
      const exec = (await a.call('EXEC')) as { v: Resp[] };
      expect(exec.v[2]).toEqual(exec.v[0]);
      const before = strings(await a.call('TIME'));
      await a.call('DEBUG', 'SLEEP', '0.01');
      const after = strings(await a.call('TIME'));
      expect(Number(after[0]) * 1e6 + Number(after[1])).toBeGreaterThan(Number(before[0]) * 1e6 + Number(before[1]));
    } finally {
      await a.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0');
      a.close();
    }
  });

  test('HELP lists only the subcommands Sluice implements', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      const lines = strings(await a.call('DEBUG', 'HELP'));
      expect(lines[0]).toBe('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
      expect(lines.filter((l) => !l.startsWith(' ')).slice(1)).toEqual([
        'AOF-FLUSH-SLEEP <microsec>', 'DIGEST', 'DIGEST-VALUE <key> [<key> ...]', 'LOG <message>', 'LOADAOF', 'OBJECT <key>', 'POPULATE <count> [<prefix>] [<size>]',
        'PROTOCOL <type>', 'RELOAD [option ...]', 'SET-ACTIVE-EXPIRE <0|1>', 'SLEEP <seconds>', 'PAUSE-CRON <0|1>', 'HELP',
      ]);
    } finally {
      a.close();
    }
  });
});

describe.skipIf(redisServerPath === null)('SLOWLOG entries (differential vs redis-server logging everything)', () => {
  const s = useSluiceAndRedis({ sluice: { config: { 'slowlog-log-slower-than': 0 } }, redis: ['--slowlog-log-slower-than', '0'] });

  async function run(port: number): Promise<{ entries: Resp[]; addr: string; len: Resp }> {
    const conn = await RespClient.connect(port);
    try {
      const info = (await conn.call('CLIENT', 'INFO')) as { v: string };
      const addr = / addr=(\S+)/.exec(info.v)![1];
      await conn.call('SLOWLOG', 'RESET');
      await conn.call('CLIENT', 'SETNAME', 'slow-client');
      await conn.call('SET', 'k', 'v'.repeat(200));
      // PUBLISH's message reaches its handler as bytes; the entry still shows it, trimmed like any argument.
      await conn.call('PUBLISH', 'ch', 'm'.repeat(40));
      await conn.call('PUBLISH', 'ch', 'p'.repeat(200));
      await conn.call('SPUBLISH', 'ch', 's'.repeat(30));
      await conn.call('AUTH', 'secret');
      await conn.call('HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'slow-client');
      await conn.call('CLIENT', 'LIST', 'ID', ...Array.from({ length: 40 }, (_, i) => String(1000 + i)));
      const got = await conn.call('SLOWLOG', 'GET', '-1');
      const len = await conn.call('SLOWLOG', 'LEN');
      return { entries: (got as { v: Resp[] }).v, addr, len };
    } finally {
      conn.close();
    }
  }

  test('arguments, trimming, redaction, client address and name match Redis', async () => {
    const [a, b] = await Promise.all([run(s.sluice.port), run(s.redis.port)]);
    // Everything but the id, time and duration: [argv, addr, name].
    const shape = (r: { entries: Resp[]; addr: string }) =>
      r.entries.map((e) => {
        const f = (e as { v: Resp[] }).v;
        expect(f[3]).toMatchObject({ t: 'array' });
        expect(f[4]).toEqual({ t: 'bulk', v: r.addr });
        return [f[3], f[5]];
      });
    expect(shape(a)).toEqual(shape(b));
    expect(a.len).toEqual(b.len);
    const ids = a.entries.map((e) => Number(((e as { v: Resp[] }).v[0] as { v: string }).v));
    expect(ids).toEqual(ids.map((_, i) => ids[0] - i));
  });
});

describe('SLOWLOG length and GET count', () => {
  test('slowlog-max-len caps the log; a lower limit applies at the next entry, as in Redis', async () => {
    const sluice = await startSluice({ config: { 'slowlog-log-slower-than': 0, 'slowlog-max-len': 5 } });
    const a = await RespClient.connect(sluice.port);
    try {
      for (let i = 0; i < 200; i++) await a.call('ECHO', String(i));
      expect(await a.call('SLOWLOG', 'LEN')).toEqual({ t: 'int', v: '5' });
      const got = (await a.call('SLOWLOG', 'GET', '2')) as { v: { v: Resp[] }[] };
      expect(got.v.map((e) => e.v[3])).toEqual([
        { t: 'array', v: [{ t: 'bulk', v: 'SLOWLOG' }, { t: 'bulk', v: 'LEN' }] },
        { t: 'array', v: [{ t: 'bulk', v: 'ECHO' }, { t: 'bulk', v: '199' }] },
      ]);
      sluice.server.config.setMany([['slowlog-max-len', '2']]);
      expect(sluice.server.slowlog.length).toBe(5);
      await a.call('PING');
      expect(sluice.server.slowlog.length).toBe(2);
      expect(((await a.call('SLOWLOG', 'GET', '-1')) as { v: Resp[] }).v.length).toBe(2);
    } finally {
      a.close();
      await sluice.close();
    }
  });
});

describe.skipIf(redisServerPath === null)('MONITOR (differential vs redis-server)', () => {
  const s = useSluiceAndRedis();

  /** Reads monitor output until a line matches, normalising time and client address. */
  async function readUntil(m: RespClient, marker: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await m.read();
      const line = r.t === 'simple' ? r.v.replace(/^\d+\.\d{6} \[(\d+) \d+\.\d+\.\d+\.\d+:\d+\]/, 'T [$1 ADDR]') : JSON.stringify(r);
      out.push(line);
      if (line.includes(marker)) return out;
    }
    throw new Error(`no ${marker} in monitor output`);
  }

  async function session(port: number): Promise<{ own: string[]; fed: string[] }> {
    const m = await RespClient.connect(port);
    const w = await RespClient.connect(port);
    try {
      expect(await m.call('MONITOR')).toEqual(OK);
      // The monitor's own commands: it sees itself, may not touch keys, and a second MONITOR is silent.
      for (const cmd of [['PING'], ['GET', 'k'], ['MONITOR'], ['ECHO', 'own-end']]) m.writeRaw(`${cmd.join(' ')}\r\n`);
      const own = await readUntil(m, 'own-end');
      const binary = 'a\x00b\\"\n\r\t\x07\x08\xff~ z';
      for (const cmd of [
        ['SELECT', '5'], ['SET', 'k', binary], ['AUTH', 'hunter2'], ['AUTH', 'user', 'hunter2'],
        ['HELLO', '2', 'AUTH', 'user', 'hunter2', 'SETNAME', 'visible'], ['MULTI'], ['SET', 'x', '1'], ['GET', 'x'],
        ['EXEC'], ['CLIENT', 'ID'], ['CLIENT', 'LIST'], ['NOSUCH'], ['GET'], ['SELECT', '0'],
        ['PUBLISH', 'ch', 'x'.repeat(40) + binary], ['SPUBLISH', 'ch', binary.repeat(3)], ['ECHO', 'end'],
      ]) {
        await w.call(...cmd);
      }
      return { own, fed: await readUntil(m, '"ECHO" "end"') };
    } finally {
      m.close();
      w.close();
    }
  }

  test('a monitor sees what Redis shows, in the same order and quoting', async () => {
    const [a, b] = await Promise.all([session(s.sluice.port), session(s.redis.port)]);
    expect(a).toEqual(b);
    expect(a.fed.join('\n')).not.toContain('hunter2');
  });
});

describe('MONITOR quoting', () => {
  test('quotes as sdscatrepr: C escapes, \\xHH for other bytes outside printable ASCII', () => {
    expect(quoteRepr('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteRepr('\n\r\t\x07\x08')).toBe('"\\n\\r\\t\\a\\b"');
    expect(quoteRepr('\x00\x1f\x7f\x80\xff ~')).toBe('"\\x00\\x1f\\x7f\\x80\\xff ~"');
  });
});

describe('TIME and SHUTDOWN', () => {
  test('TIME answers seconds and microseconds as bulk strings from the wall clock', async () => {
    const sluice = await startSluice();
    const a = await RespClient.connect(sluice.port);
    try {
      const [secs, micros] = strings(await a.call('TIME'));
      expect(secs).toMatch(/^\d+$/);
      expect(micros).toMatch(/^\d{1,6}$/);
      expect(Math.abs(Number(secs) - Date.now() / 1000)).toBeLessThan(5);
    } finally {
      a.close();
      await sluice.close();
    }
  });

  test('SHUTDOWN tells the host, closes every connection without a reply and stops listening', async () => {
    const sluice = await startSluice();
    let told = 0;
    sluice.server.onShutdown = () => told++;
    const a = await RespClient.connect(sluice.port);
    const other = await RespClient.connect(sluice.port);
    const reply = a.call('SHUTDOWN', 'NOSAVE', 'NOW').then(
      () => 'replied',
      () => 'closed',
    );
    expect(await reply).toBe('closed');
    await other.closed;
    expect(told).toBe(1);
    await sluice.close();
    await expect(RespClient.connect(sluice.port)).rejects.toThrow();
  });
});

describe('DEBUG LOADAOF', () => {
  const sluice = useSluice({ conn: 'fresh', observe: true, start: { config: { appendonly: 'yes', 'enable-debug-command': 'yes' } } });

  test('neither it nor RELOAD is propagated: replayed from the AOF they would load again', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    sluice.effects.length = 0;
    expect(await sluice.conn.call('DEBUG', 'RELOAD')).toEqual(OK);
    expect(await sluice.conn.call('DEBUG', 'LOADAOF')).toEqual(OK);
    expect(sluice.effects).toEqual([]);
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
  });

  test('empties the data and loads it back from the AOF: the same digest, TTLs and function libraries', async () => {
    const a = sluice.conn;
    await a.call('SET', 's', 'v', 'EX', '1000');
    await a.call('RPUSH', 'l', 'a', 'b', 'c');
    await a.call('HSET', 'h', 'f', 'v');
    await a.call('ZADD', 'z', '1', 'm', '2.5', 'n');
    await a.call('SADD', 'set', 'x', 'y');
    await a.call('XADD', 'x', 'MAXLEN', '~', '1', '*', 'f', 'v');
    await a.call('XGROUP', 'CREATE', 'x', 'g', '0');
    await a.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'x', '>');
    await a.call('SELECT', '2');
    await a.call('SET', 'other', '1');
    await a.call('SELECT', '0');
    await a.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    const digest = await a.call('DEBUG', 'DIGEST');
    const pending = await a.call('XPENDING', 'x', 'g');
    expect(await a.call('DEBUG', 'LOADAOF')).toEqual(OK);
    expect(await a.call('DEBUG', 'DIGEST')).toEqual(digest);
    expect(await a.call('XPENDING', 'x', 'g')).toEqual(pending);
    expect(Number((await a.call('TTL', 's') as { v: string }).v)).toBeGreaterThan(990);
    expect(await a.call('FCALL', 'f', '0')).toEqual({ t: 'int', v: '1' });
  });

  test('replays an approximate trim as it was propagated, LIMIT and all', async () => {
    const a = sluice.conn;
    await a.call('CONFIG', 'SET', 'stream-node-max-entries', '10');
    try {
      for (let i = 1; i <= 100; i++) await a.call('XADD', 's', `${i}-1`, 'f', 'v');
      await a.call('XADD', 's', 'MAXLEN', '~', '55', 'LIMIT', '30', '101-1', 'f', 'v');
      expect(await a.call('XLEN', 's')).toEqual({ t: 'int', v: '71' });
      await a.call('CONFIG', 'SET', 'stream-node-max-entries', '1');
      expect(await a.call('DEBUG', 'LOADAOF')).toEqual(OK);
      expect(await a.call('XLEN', 's')).toEqual({ t: 'int', v: '71' });
    } finally {
      await a.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
    }
  });

  test('what the AOF never held is gone after it', async () => {
    const a = sluice.conn;
    await a.call('SET', 'kept', '1');
    sluice.server.keyspace.db(0).set('unlogged', 'v');
    expect(await a.call('DEBUG', 'LOADAOF')).toEqual(OK);
    expect(await a.call('EXISTS', 'kept', 'unlogged')).toEqual({ t: 'int', v: '1' });
  });

  test('with the AOF off it empties the data and answers Redis 7.2\'s error', async () => {
    const off = await startSluice({ config: { 'enable-debug-command': 'yes' } });
    const c = await RespClient.connect(off.port);
    try {
      await c.call('SET', 'k', 'v');
      expect(await c.call('DEBUG', 'LOADAOF')).toEqual({ t: 'error', v: 'ERR Error trying to load the AOF files, check server logs.' });
      expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    } finally {
      c.close();
      await off.close();
    }
  });
});
