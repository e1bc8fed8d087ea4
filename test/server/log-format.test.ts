import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { redisTimestamp } from '../../src/server/log-lines.js';
import { createLogger, setLogFormat, shaped } from '../../src/server/logger.js';
import { Server } from '../../src/server/server.js';
import { logStarting } from '../../src/main/startup-log.js';
import { waitFor } from '../helpers/aof.js';
import { LogCapture } from '../helpers/log-capture.js';
import { parseRedisLine, REDIS_LINE } from '../helpers/redis-log.js';
import { RespClient } from '../helpers/resp-client.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/** A stream that hands each write over synchronously. */
function capture(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}

describe("Redis's log line (logger)", () => {
  test("each event is one line: pid, role M, local time to the millisecond, the level's character, the message", () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'debug', destination: out });
    const before = Date.now();
    log.debug('tracing');
    log.verbose('chatty');
    log.notice('noted');
    log.warning('careful');
    const after = Date.now();
    const lines = text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(REDIS_LINE);
    expect(lines.map((l) => l.replace(/^.* (\S) /, '$1 '))).toEqual(['. tracing', '- chatty', '* noted', '# careful']);
    for (const line of lines) {
      const parsed = parseRedisLine(line)!;
      expect(parsed.pid).toBe(process.pid);
      expect(parsed.role).toBe('M');
      expect(parsed.time).toBeGreaterThanOrEqual(before);
      expect(parsed.time).toBeLessThanOrEqual(after);
    }
  });

  test('the time is strftime\'s "%d %b %Y %H:%M:%S" in local time, then the milliseconds', () => {
    expect(redisTimestamp(new Date(2026, 10, 26, 23, 10, 37, 123).getTime())).toBe('26 Nov 2026 23:10:37.123');
    expect(redisTimestamp(new Date(2027, 0, 5, 4, 3, 2, 7).getTime())).toBe('05 Jan 2027 04:03:02.007');
    expect(redisTimestamp(new Date(2027, 0, 5, 4, 3, 2, 70).getTime())).toBe('05 Jan 2027 04:03:02.070');
  });

  test('the level is honoured, nothing silences everything', () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', destination: out });
    log.debug('no');
    log.verbose('no');
    log.notice('yes');
    log.level = 'nothing';
    log.warning('no');
    expect(text().trimEnd().split('\n').map((l) => parseRedisLine(l)!.msg)).toEqual(['yes']);
  });

  test("fields given to pino have no place in Redis's line: the message is the line", () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', destination: out });
    log.notice({ port: 1, err: new Error('x') }, 'shown');
    expect(text()).toMatch(new RegExp(`^${process.pid}:M \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\* shown\\n$`));
  });

  test("calls of another form (an error alone, printf-style arguments) go through pino's JSON and come out as the same line", () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', destination: out });
    log.warning(new Error('boom'));
    log.notice('%s of %d', 'one', 2);
    log.notice({ port: 1 }, 'with %s', 'fields');
    expect(text().trimEnd().split('\n').map((l) => {
      const p = parseRedisLine(l)!;
      return `${p.pid} ${p.role} ${p.level} ${p.msg}`;
    })).toEqual([`${process.pid} M warning boom`, `${process.pid} M notice one of 2`, `${process.pid} M notice with fields`]);
  });

  test("the other shapes: role C before the server is set up, the signal handler's line, raw text", () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', destination: out });
    log.notice(shaped('early'), 'early');
    log.warning(shaped('signal'), 'Received SIGTERM scheduling shutdown...');
    log.notice(shaped('raw'), '\n    PID: 1\n\n');
    const now = Math.floor(Date.now() / 1000);
    const [early, signal, ...raw] = text().split('\n');
    expect(parseRedisLine(early)).toMatchObject({ role: 'C', level: 'notice', msg: 'early' });
    // Redis's serverLogFromHandler: no date, the Unix time in seconds.
    const m = new RegExp(`^${process.pid}:signal-handler \\((\\d+)\\) Received SIGTERM scheduling shutdown\\.\\.\\.$`).exec(signal)!;
    expect(Math.abs(Number(m[1]) - now)).toBeLessThanOrEqual(1);
    expect(raw.join('\n')).toBe('\n    PID: 1\n\n');
  });

  test('log-format json keeps pino\'s JSON lines: level names, time in ms, pid, msg and the fields, without the shape mark', () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', format: 'json', destination: out });
    const before = Date.now();
    log.verbose('hidden');
    log.notice({ port: 1 }, 'shown');
    log.warning(shaped('signal'), 'Received SIGTERM scheduling shutdown...');
    const lines = text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { level: 'notice', time: expect.any(Number), pid: process.pid, port: 1, msg: 'shown' },
      { level: 'warning', time: expect.any(Number), pid: process.pid, msg: 'Received SIGTERM scheduling shutdown...' },
    ]);
    expect(lines[0].time as number).toBeGreaterThanOrEqual(before);
  });
});

describe('log-format at run time', () => {
  test("setLogFormat switches the lines that follow between Redis's and pino's JSON, both ways", () => {
    const { out, text } = capture();
    const log = createLogger({ level: 'notice', destination: out });
    log.notice('one');
    setLogFormat(log, 'json');
    log.notice('two');
    log.warning(shaped('signal'), 'three');
    setLogFormat(log, 'redis');
    log.notice({ port: 1 }, 'four');
    const lines = text().trimEnd().split('\n');
    expect(parseRedisLine(lines[0])?.msg).toBe('one');
    expect(JSON.parse(lines[1])).toEqual({ level: 'notice', time: expect.any(Number), pid: process.pid, msg: 'two' });
    expect(JSON.parse(lines[2])).toEqual({ level: 'warning', time: expect.any(Number), pid: process.pid, msg: 'three' });
    expect(parseRedisLine(lines[3])?.msg).toBe('four');
    expect(lines).toHaveLength(4);
  });

  test('CONFIG SET log-format takes redis or json, as Redis takes its enums; the server logs in the new format', async () => {
    const sluice = await startSluice({ logLevel: 'notice' });
    const c = await RespClient.connect(sluice.port);
    try {
      expect(await c.call('CONFIG', 'SET', 'log-format', 'json')).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call('CONFIG', 'GET', 'log-format')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'log-format' }, { t: 'bulk', v: 'json' }] });
      const invalid = await c.call('CONFIG', 'SET', 'log-format', 'xml');
      expect(invalid).toEqual({ t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'log-format') - argument(s) must be one of the following: redis, json" });
      const before = sluice.logs.raw.length;
      expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
      await waitFor(() => sluice.logs.raw.includes('DB saved on disk', before));
      const saved = sluice.logs.raw.slice(before).trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(saved.map((l) => l.msg)).toContain('DB saved on disk');
    } finally {
      c.close();
      await sluice.close();
    }
  });
});

describe('start-up lines before the server is set up', () => {
  const logged = (configGiven: boolean) => {
    const logs = new LogCapture();
    const server = new Server([['port', '0']], { destination: logs });
    logStarting(server, configGiven);
    return logs.lines.map((l) => `${l.role} ${l.level} ${l.msg}`);
  };

  test("Redis 7.2's three lines, role C, with Sluice's name; a process given no argument is told it runs on the defaults", () => {
    // Redis 7.2.6, no argument:
    //   3606:C 27 Nov 2026 00:10:52.642 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo
    //   3606:C 27 Nov 2026 00:10:52.642 * Redis version=7.2.6, bits=64, commit=00000000, modified=0, pid=3606, just started
    //   3606:C 27 Nov 2026 00:10:52.642 # Warning: no config file specified, using the default config. In order to specify a config file use /root/redis-7.2.6/src/redis-server /path/to/redis.conf
    expect(logged(false)).toEqual([
      'C notice oO0OoO0OoO0Oo Sluice is starting oO0OoO0OoO0Oo',
      `C notice Sluice version=0.1.0, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`,
      'C warning Warning: no config file specified, using the default config. In order to specify a config file use sluice-server /path/to/redis.conf',
    ]);
    expect(logged(true)[2]).toBe('C notice Configuration loaded');
  });
});

describe('a server at loglevel verbose', () => {
  let sluice: TestSluice | null = null;
  afterEach(async () => {
    await sluice?.close();
    sluice = null;
  });

  test("logs each connection as Redis does: its address when accepted, its CLIENT LIST line when the client closes it", async () => {
    sluice = await startSluice({ logLevel: 'verbose' });
    const c = await RespClient.connect(sluice.port);
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    const port = await localPort(c);
    const id = (await c.call('CLIENT', 'ID')) as { v: string };
    c.close();
    const logs = sluice.logs;
    await waitFor(() => logs.messages('verbose').some((m) => m.startsWith('Client closed connection')), 5000, 'the close line');
    // Redis 7.2.6 at loglevel verbose, for redis-cli -p 6477 ping:
    //   2016:M 27 Nov 2026 00:09:58.879 - Accepted 127.0.0.1:40604
    //   2016:M 27 Nov 2026 00:09:58.880 - Client closed connection id=3 addr=127.0.0.1:40604 laddr=127.0.0.1:6477 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=16386 argv-mem=0 multi-mem=0 rbs=16392 rbp=16392 obl=0 oll=0 omem=0 tot-mem=33560 events=r cmd=ping user=default redir=-1 resp=2 lib-name= lib-ver=
    expect(logs.messages('verbose')).toEqual([
      `Accepted 127.0.0.1:${port}`,
      expect.stringMatching(new RegExp(
        `^Client closed connection id=${id.v} addr=127\\.0\\.0\\.1:${port} laddr=127\\.0\\.0\\.1:${sluice.port} fd=\\d+ name= age=\\d+ idle=\\d+ flags=N db=0 .* cmd=client\\|id user=default redir=-1 resp=2 lib-name= lib-ver=$`,
      )),
    ]);
  });

  test("a protocol error is logged with Redis's reason, the client and what its query buffer held", async () => {
    sluice = await startSluice({ logLevel: 'verbose' });
    const c = await RespClient.connect(sluice.port);
    c.writeRaw('*1\r\n$x\r\n');
    expect(await c.read()).toEqual({ t: 'error', v: 'ERR Protocol error: invalid bulk length' });
    await c.closed;
    // Redis 7.2.6, the same bytes:
    //   19760:M 27 Nov 2026 00:23:52.257 - Protocol error (invalid bulk length) from client: id=3 addr=127.0.0.1:53498 laddr=127.0.0.1:6486 fd=11 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=8 qbuf-free=16378 argv-mem=0 multi-mem=0 rbs=16392 rbp=16392 obl=42 oll=0 omem=0 tot-mem=33560 events=r cmd=NULL user=default redir=-1 resp=2 lib-name= lib-ver=. Query buffer during protocol error: '$x..'
    expect(sluice.logs.messages('verbose')).toContainEqual(
      expect.stringMatching(/^Protocol error \(invalid bulk length\) from client: id=\d+ addr=127\.0\.0\.1:\d+ laddr=\S+ fd=\d+ .* lib-ver=\. Query buffer during protocol error: '\$x\.\.'$/),
    );
  });
});

describe('log-format', () => {
  test('CONFIG GET shows the format given at start', async () => {
    const sluice = await startSluice({ config: { 'log-format': 'json' } });
    try {
      const c = await RespClient.connect(sluice.port);
      expect(await c.call('CONFIG', 'GET', 'log-format')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'log-format' }, { t: 'bulk', v: 'json' }] });
      c.close();
    } finally {
      await sluice.close();
    }
  });

  test('the default is redis; another value is refused at start with the values allowed', async () => {
    const sluice = await startSluice();
    try {
      const c = await RespClient.connect(sluice.port);
      expect(await c.call('CONFIG', 'GET', 'log-format')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'log-format' }, { t: 'bulk', v: 'redis' }] });
      c.close();
    } finally {
      await sluice.close();
    }
    expect(() => new Server([['log-format', 'pretty']], { destination: new LogCapture() })).toThrow(/'log-format'.*argument\(s\) must be one of the following: redis, json$/);
  });
});

function localPort(c: RespClient): Promise<number> {
  return c.call('CLIENT', 'INFO').then((r) => Number(/ addr=[\d.]+:(\d+) /.exec(String((r as { v: string }).v))![1]));
}

