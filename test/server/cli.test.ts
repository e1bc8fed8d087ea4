import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REDIS_VERSION } from '../../src/server/version.js';
import { connectWhenUp, useCliRuns } from '../helpers/cli-runs.js';
import { parseRedisLog } from '../helpers/redis-log.js';
import { RespClient } from '../helpers/resp-client.js';
import { freePort } from '../helpers/servers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const { dir, run, sluice } = useCliRuns('sluice-cli-');

describe('sluice-server', () => {
  test("serves PING on --port, logs Redis's lines, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--dir', path.join(dir(), 'data1'));
    const c = await connectWhenUp(port, r);
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    c.close();
    r.child.kill('SIGTERM');
    expect(await r.exit).toEqual({ code: 0, signal: null });
    const logs = parseRedisLog(r.stdout());
    expect(logs.some((l) => l.level === 'notice' && l.msg === `Running mode=standalone, port=${port}.`)).toBe(true);
    expect(logs.some((l) => l.role === 'signal-handler' && l.msg === 'Received SIGTERM scheduling shutdown...')).toBe(true);
    expect(existsSync(path.join(dir(), 'data1'))).toBe(true);
  });

  // `docker stop` signals the process it started: npm, when the image runs `npm start`.
  test('npm start is stopped by a SIGTERM to npm: the script execs the server, so npm signals it directly', async () => {
    const port = await freePort();
    const npm = run('npm', ['start', '--silent', '--', '--port', String(port), '--dir', path.join(dir(), 'npm-start')], ROOT);
    const c = await connectWhenUp(port, npm);
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    npm.child.kill('SIGTERM');
    await npm.exit;
    await c.closed;
    await expect(RespClient.connect(port)).rejects.toThrow();
  });

  test('used_memory_startup leaves out the garbage of starting up, so a maxmemory just above used_memory still takes writes', async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--dir', path.join(dir(), 'data-startup-memory'));
    const c = await connectWhenUp(port, r);
    const memory = (await c.call('INFO', 'memory')) as { v: string };
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(memory.v)![1]);
    const used = field('used_memory');
    // Counted, start-up's garbage put used_memory_startup 1.3 MB above the heap in use; what is left is V8's own give and take.
    expect(field('used_memory_startup')).toBeLessThan(used + 512 * 1024);
    expect(await c.call('CONFIG', 'SET', 'maxmemory', String(used + 1024 * 1024))).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('SETEX', 'volatile-key', '10000', 'x')).toEqual({ t: 'simple', v: 'OK' });
    c.close();
    r.child.kill('SIGTERM');
    await r.exit;
  });

  test('applies a redis.conf file with comments and quotes; the command line overrides it', async () => {
    const [filePort, port] = [await freePort(), await freePort()];
    const conf = path.join(dir(), 'sluice.conf');
    writeFileSync(
      conf,
      [
        '# Sluice test configuration',
        `port ${filePort}`,
        '',
        'requirepass "s3cret \\x41 pass"   ',
        "databases '2'",
        '   # indented comment',
        'loglevel warning',
      ].join('\n'),
    );
    const r = sluice(conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir(), 'data2'));
    const c = await connectWhenUp(port, r);
    expect(await c.call('PING')).toEqual({ t: 'error', v: 'NOAUTH Authentication required.' });
    expect(await c.call('AUTH', 's3cret A pass')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('SELECT', '1')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('SELECT', '2')).toEqual({ t: 'error', v: 'ERR DB index is out of range' });
    c.close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    // loglevel warning: the notice-level start-up lines are not written, the shutdown warnings are.
    const logs = parseRedisLog(r.stdout());
    expect(logs.map((l) => l.msg)).toEqual(['Received SIGTERM scheduling shutdown...', 'Sluice is now ready to exit, bye bye...']);
    expect(logs.every((l) => l.level === 'warning')).toBe(true);
  });

  test('--loglevel takes Redis level names', async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--dir', path.join(dir(), 'data3'), '--loglevel', 'nothing');
    const c = await connectWhenUp(port, r);
    c.close();
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(0);
    expect(r.stdout()).toBe('');

    const bad = sluice('--loglevel', 'loud');
    expect((await bad.exit).code).toBe(1);
    expect(bad.stderr()).toContain(">>> 'loglevel \"loud\"'\nargument(s) must be one of the following:");
  });

  test("an unknown option exits non-zero with Redis's report, the options numbered after the (empty) file, then names the option", async () => {
    const r = sluice('--port', '0', '--no-such-option', 'yes');
    expect((await r.exit).code).toBe(1);
    expect(r.stderr()).toBe(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line 3\n` +
        `>>> 'no-such-option "yes"'\nBad directive or wrong number of arguments\n` +
        'The directive came from the command line: --no-such-option yes\n',
    );
    const conf = path.join(dir(), 'typo-after-file.conf');
    writeFileSync(conf, 'port 0\nhz 20\n');
    const after = sluice(conf, '--port', '6379', '--nosuchopt', '1');
    expect((await after.exit).code).toBe(1);
    expect(after.stderr()).toBe(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line 5\n` +
        `>>> 'nosuchopt "1"'\nBad directive or wrong number of arguments\nThe directive came from the command line: --nosuchopt 1\n`,
    );
  });

  test('an unknown directive in a file names its line', async () => {
    const conf = path.join(dir(), 'bad.conf');
    writeFileSync(conf, 'port 0\n\n# fine so far\nappendfsink always\n');
    const r = sluice(conf);
    expect((await r.exit).code).toBe(1);
    expect(r.stderr()).toContain('Reading the configuration file, at line 4');
    expect(r.stderr()).toContain(">>> 'appendfsink always'\nBad directive or wrong number of arguments\n");
    expect(r.stderr()).not.toContain('command line');
  });

  test("a port already in use exits 1 with Redis's two lines last in the log", async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const r = sluice('--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir(), 'data5'));
      expect((await r.exit).code).toBe(1);
      // Redis 7.2.6 (--port 6421 --bind 127.0.0.1, the port taken) ends its log with these two warnings; Redis's test suite looks for the second.
      expect(parseRedisLog(r.stdout()).slice(-2).map((l) => `${l.level} ${l.msg}`)).toEqual([
        `warning Warning: Could not create server TCP listening socket 127.0.0.1:${port}: bind: Address already in use`,
        `warning Failed listening on port ${port} (tcp), aborting.`,
      ]);
      expect(r.stderr()).toBe('');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  test('a missing config file is a fatal error', async () => {
    const r = sluice(path.join(dir(), 'nope.conf'));
    expect((await r.exit).code).toBe(1);
    expect(r.stderr()).toContain(`Fatal error, can't open config file '${path.join(dir(), 'nope.conf')}': No such file or directory`);
  });

  test('--version prints the version and --help the usage', async () => {
    const v = sluice('--version');
    expect((await v.exit).code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(v.stdout()).toMatch(new RegExp(`^Sluice server v=${pkg.version.replace(/\./g, '\\.')} redis_compat=7\\.2\\.\\d+`));
    const h = sluice('--help');
    expect((await h.exit).code).toBe(0);
    expect(h.stdout()).toContain('Usage: sluice-server [/path/to/redis.conf] [--option value ...]');
    expect(h.stdout()).toContain('metrics-port');
  });
});
