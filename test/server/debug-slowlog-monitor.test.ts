import { describe, expect, test } from 'vitest';
import { quoteRepr } from '../../src/server/monitor.js';
import { c, differential, fails, help, sameType } from '../helpers/differential.js';
import { useSluice, useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath, startSluice } from '../helpers/servers.js';

const OK: Resp = { t: 'simple', v: 'OK' };

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

  test('SET-ACTIVE-EXPIRE 0 keeps the cron from deleting expired keys; 1 lets it again', async () => {
    const a = await RespClient.connect(sluice.port);
    const server = sluice.server;
    const cron = () => (server as unknown as { serverCron(): void }).serverCron();
    const db = server.keyspace.db(0);
    try {
      expect(await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toEqual(OK);
      db.set('stale', 'v');
      db.setDeadline('stale', Date.now() - 1000);
      cron();
      expect(db.dict.has('stale')).toBe(true);
      expect(await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toEqual(OK);
      for (let i = 0; i < 100 && db.dict.has('stale'); i++) cron();
      expect(db.dict.has('stale')).toBe(false);
    } finally {
      server.activeExpire = true;
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
      expect(r).toMatchObject({ t: 'simple', v: expect.stringMatching(/^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:2 lru:0 lru_seconds_idle:0$/) });
    } finally {
      await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      a.close();
    }
  });

  test('HELP lists only the subcommands Sluice implements', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      const lines = strings(await a.call('DEBUG', 'HELP'));
      expect(lines[0]).toBe('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
      expect(lines.filter((l) => !l.startsWith(' ')).slice(1)).toEqual(['OBJECT <key>', 'RELOAD [option ...]', 'SET-ACTIVE-EXPIRE <0|1>', 'SLEEP <seconds>', 'HELP']);
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
        ['EXEC'], ['CLIENT', 'ID'], ['CLIENT', 'LIST'], ['NOSUCH'], ['GET'], ['SELECT', '0'], ['ECHO', 'end'],
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
