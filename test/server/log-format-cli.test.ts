import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SLUICE_VERSION } from '../../src/server/version.js';
import { CLI } from '../helpers/child-sluice.js';
import { connectWhenUp, useCliRuns } from '../helpers/cli-runs.js';
import { parseRedisLine, parseRedisLog, REDIS_LINE, SIGNAL_LINE, type RedisLogLine } from '../helpers/redis-log.js';
import { freePort } from '../helpers/servers.js';

/**
 * What sluice-server logs as it starts and stops, next to what Redis 7.2.6
 * logged in the same situation (transcripts below, from
 * /root/redis-7.2.6/src/redis-server on 27 Nov 2026).
 */

const { dir, run, sluice } = useCliRuns('sluice-log-format-');

/** A config file in a directory of its own: port, save point, AOF, Unix socket and pid file, as in the Redis run below. */
function configFile(name: string, port: number, extra: string[] = []): { conf: string; data: string } {
  const data = path.join(dir(), name);
  const conf = path.join(dir(), `${name}.conf`);
  writeFileSync(conf, [
    // One address: a host without IPv6 would add the warning for ::1, as Redis warns of an optional address it cannot bind.
    `port ${port}`, 'bind 127.0.0.1', 'save 900 1', 'appendonly yes', `dir ${data}`, `unixsocket ${data}.sock`, `pidfile ${data}.pid`, ...extra, '',
  ].join('\n'));
  return { conf, data };
}

/**
 * Redis 7.2.6, `redis-server r.conf` (port 6486, save 900 1, appendonly
 * yes, dir, unixsocket, pidfile), a SET, then SIGTERM; its system check's
 * overcommit warning and the verbose lines left out:
 */
const REDIS_7_2_6 = `19707:C 27 Nov 2026 00:23:46.675 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo
19707:C 27 Nov 2026 00:23:46.675 * Redis version=7.2.6, bits=64, commit=00000000, modified=0, pid=19707, just started
19707:C 27 Nov 2026 00:23:46.675 * Configuration loaded
19707:M 27 Nov 2026 00:23:46.676 * monotonic clock: POSIX clock_gettime
19707:M 27 Nov 2026 00:23:46.677 * Running mode=standalone, port=6486.
19707:M 27 Nov 2026 00:23:46.677 * Server initialized
19707:M 27 Nov 2026 00:23:46.678 * Creating AOF base file appendonly.aof.1.base.rdb on server start
19707:M 27 Nov 2026 00:23:46.678 * Creating AOF incr file appendonly.aof.1.incr.aof on server start
19707:M 27 Nov 2026 00:23:46.678 * Ready to accept connections tcp
19707:M 27 Nov 2026 00:23:46.678 * Ready to accept connections unix
19707:signal-handler (1795739027) Received SIGTERM scheduling shutdown...
19707:M 27 Nov 2026 00:23:47.582 * User requested shutdown...
19707:M 27 Nov 2026 00:23:47.582 * Calling fsync() on the AOF file.
19707:M 27 Nov 2026 00:23:47.582 * Saving the final RDB snapshot before exiting.
19707:M 27 Nov 2026 00:23:47.583 * DB saved on disk
19707:M 27 Nov 2026 00:23:47.583 * Removing the pid file.
19707:M 27 Nov 2026 00:23:47.583 * Removing the unix socket file.
19707:M 27 Nov 2026 00:23:47.583 # Redis is now ready to exit, bye bye...`;

const LEVEL_CHAR = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const shape = (l: RedisLogLine) => `${l.role} ${LEVEL_CHAR[l.level]} ${l.msg}`;

describe("sluice-server's log, next to Redis 7.2.6's", () => {
  test("starts and stops with Redis's lines in Redis's order, Sluice's name where Redis gives its own", async () => {
    const port = await freePort();
    const { conf } = configFile('sequence', port);
    const started = Date.now();
    const r = sluice(conf);
    const c = await connectWhenUp(port, r, true);
    expect(await c.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
    c.close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    const pid = r.child.pid!;
    const text = r.stdout();
    for (const line of text.trimEnd().split('\n')) expect(REDIS_LINE.test(line) || SIGNAL_LINE.test(line), line).toBe(true);
    const lines = parseRedisLog(text);
    expect(lines.every((l) => l.pid === pid && l.time >= Math.floor(started / 1000) * 1000 && l.time <= Date.now())).toBe(true);

    const expected = parseRedisLog(REDIS_7_2_6).flatMap((l) => {
      if (l.msg.startsWith('monotonic clock')) {
        // Where Redis names its clock, Sluice says what it answers as and the runtime it got.
        return [`M * Sluice answers as Redis 7.2.4. Node ${process.version}, node flags: (none)`];
      }
      const msg = l.msg
        .replace('Redis is starting', 'Sluice is starting')
        .replace('Redis version=7.2.6', `Sluice version=${SLUICE_VERSION}`)
        .replace('Redis is now ready', 'Sluice is now ready')
        .replace('pid=19707', `pid=${pid}`)
        .replace('port=6486', `port=${port}`);
      return [shape({ ...l, msg })];
    });
    expect(lines.map(shape)).toEqual(expected);
  });

  test('with always-show-logo yes, a banner stands for the logo: it has " PID: <pid>" before "Server initialized", as Redis\'s test suite waits for', async () => {
    const port = await freePort();
    const { conf } = configFile('banner', port, ['always-show-logo yes', 'appendonly no']);
    const r = sluice(conf);
    (await connectWhenUp(port, r, true)).close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    const text = r.stdout();
    // tests/support/server.tcl, wait_server_started: regexp -- " PID: $pid.*Server initialized"
    expect(text).toMatch(new RegExp(` PID: ${r.child.pid}[\\s\\S]*Server initialized`));
    expect(text).toContain(`\n    Sluice ${SLUICE_VERSION} (answers as Redis 7.2.4) 64 bit\n    Running in standalone mode\n    Port: ${port}\n    PID: ${r.child.pid}\n\n`);
    // In place of Redis's "Running mode" line, which a logo replaces.
    expect(text).not.toContain('Running mode=');
  });

  test('log-format json: the same events as JSON lines, no banner', async () => {
    const port = await freePort();
    const { conf } = configFile('json', port, ['always-show-logo yes', 'log-format json', 'appendonly no']);
    const r = sluice(conf);
    (await connectWhenUp(port, r, true)).close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    const lines = r.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['level', 'msg', 'pid', 'time']);
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'notice oO0OoO0OoO0Oo Sluice is starting oO0OoO0OoO0Oo',
      `notice Sluice version=${SLUICE_VERSION}, bits=64, commit=00000000, modified=0, pid=${r.child.pid}, just started`,
      'notice Configuration loaded',
      expect.stringMatching(/^notice Sluice answers as Redis 7\.2\.4\. Node /),
      `notice Running mode=standalone, port=${port}.`,
      'notice Server initialized',
      'notice Ready to accept connections tcp',
      'notice Ready to accept connections unix',
      'warning Received SIGTERM scheduling shutdown...',
      'notice User requested shutdown...',
      'notice Saving the final RDB snapshot before exiting.',
      'notice DB saved on disk',
      'notice Removing the pid file.',
      'notice Removing the unix socket file.',
      'warning Sluice is now ready to exit, bye bye...',
    ]);
  });

  test('logfile: the same lines appended to the file, nothing on standard output', async () => {
    const port = await freePort();
    const logfile = path.join(dir(), 'server.log');
    writeFileSync(logfile, 'an older line\n');
    const r = sluice('--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir(), 'logfile'), '--save', '', '--appendonly', 'no', '--logfile', logfile);
    (await connectWhenUp(port, r, true)).close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    expect(r.stdout()).toBe('');
    const [older, ...lines] = readFileSync(logfile, 'utf8').trimEnd().split('\n');
    expect(older).toBe('an older line');
    for (const line of lines) expect(REDIS_LINE.test(line) || SIGNAL_LINE.test(line), line).toBe(true);
    expect(lines.map((l) => parseRedisLine(l)!.msg)).toEqual([
      'oO0OoO0OoO0Oo Sluice is starting oO0OoO0OoO0Oo',
      `Sluice version=${SLUICE_VERSION}, bits=64, commit=00000000, modified=0, pid=${r.child.pid}, just started`,
      'Configuration loaded',
      expect.stringMatching(/^Sluice answers as Redis /),
      `Running mode=standalone, port=${port}.`,
      'Server initialized',
      'Ready to accept connections tcp',
      'Received SIGTERM scheduling shutdown...',
      'User requested shutdown...',
      'Sluice is now ready to exit, bye bye...',
    ]);
  });

  test('a burst of lines just before the exit all come out, in order, though the reader stalled', async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--dir', path.join(dir(), 'burst'), '--save', '', '--appendonly', 'no');
    const c = await connectWhenUp(port, r, true);
    // About 250 KB: more than a pipe holds, so writes wait on the reader while the server goes down.
    r.child.stdout!.pause();
    const script = "for i = 1, 2000 do redis.log(redis.LOG_WARNING, 'line ' .. i .. ' ' .. string.rep('x', 100)) end";
    expect(await c.call('EVAL', script, '0')).toEqual({ t: 'bulk', v: null });
    r.child.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 300));
    r.child.stdout!.resume();
    expect((await r.exit).code).toBe(0);
    const msgs = parseRedisLog(r.stdout()).map((l) => l.msg);
    const first = msgs.findIndex((m) => m.startsWith('line 1 '));
    expect(msgs.slice(first, first + 2000).map((m) => m.split(' ')[1])).toEqual(Array.from({ length: 2000 }, (_, i) => String(i + 1)));
    expect(msgs.slice(first + 2000)).toEqual(['Received SIGTERM scheduling shutdown...', 'User requested shutdown...', 'Sluice is now ready to exit, bye bye...']);
  });

  const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
  test.skipIf(script === '' || !existsSync('/proc'))("on a terminal, Redis's lines with the banner, as Redis shows its logo there", async () => {
    const port = await freePort();
    // script(1) gives the server a pseudo-terminal; exec makes the server its direct child.
    const cmd = `exec '${process.execPath}' '${CLI}' --port ${port} --save '' --appendonly no --dir '${path.join(dir(), 'tty')}'`;
    const r = run(script, ['-qec', cmd, '/dev/null']);
    (await connectWhenUp(port, r, true)).close();
    const kids = readFileSync(`/proc/${r.child.pid}/task/${r.child.pid}/children`, 'utf8').trim().split(/\s+/);
    expect(kids).toHaveLength(1);
    process.kill(Number(kids[0]), 'SIGTERM');
    expect((await r.exit).code).toBe(0);
    const text = r.stdout().replace(/\r\n/g, '\n');
    expect(text).toContain(`    PID: ${kids[0]}\n`);
    expect(parseRedisLog(text).map((l) => l.msg)).toContain('Ready to accept connections tcp');
    expect(text).not.toContain('{"level"');
  });
});
