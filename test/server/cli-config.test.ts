import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ensureBuild, isAlive } from '../helpers/child-sluice.js';
import { parseRedisLog } from '../helpers/redis-log.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { freePort } from '../helpers/servers.js';

/** Debian's stock file, installed by the redis-server package (which CI installs). */
const DEBIAN_CONF = '/etc/redis/redis.conf';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
/** Daemons are not our children: they are stopped by the pid they wrote. */
const daemons: number[] = [];
let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-config-'));
}, 120_000);

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sluice(...args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls (at most about 10 s) until the port answers PING; `alive` says whether to keep waiting. */
async function pingWhenUp(port: number, alive: () => boolean, why: () => string): Promise<RespClient> {
  for (let i = 0; i < 400 && alive(); i++) {
    const c = await RespClient.connect(port).catch(() => null);
    if (c !== null) {
      const r = await c.call('PING').catch(() => null);
      if (r?.t === 'simple' && r.v === 'PONG') return c;
      c.close();
    }
    await pause(25);
  }
  throw new Error(`no PONG on ${port}: ${why()}`);
}

async function untilGone(file: string): Promise<void> {
  for (let i = 0; i < 400 && existsSync(file); i++) await pause(25);
}

function configValue(r: Resp): string {
  if (r.t !== 'array' || r.v === null || r.v.length !== 2) throw new Error(`not one pair: ${JSON.stringify(r)}`);
  return (r.v[1] as { v: string }).v;
}

describe.skipIf(!existsSync(DEBIAN_CONF))("Debian's stock redis.conf", () => {
  test('starts Sluice, with the system paths overridden on the command line, and its settings read back', async () => {
    const port = await freePort();
    const data = path.join(dir, 'debian');
    const pidfile = path.join(dir, 'debian.pid');
    const logfile = path.join(dir, 'debian.log');
    // The stock file says daemonize yes and names /run, /var/log and /var/lib paths: the test keeps to its own directory.
    const r = sluice(DEBIAN_CONF, '--port', String(port), '--dir', data, '--daemonize', 'no', '--pidfile', pidfile, '--logfile', logfile);
    const c = await pingWhenUp(port, () => r.child.exitCode === null, r.stderr);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${r.child.pid}\n`);
    for (const [name, value] of [
      ['protected-mode', 'yes'], ['tcp-keepalive', '300'], ['tcp-backlog', '511'], ['daemonize', 'no'],
      ['aof-use-rdb-preamble', 'yes'], ['jemalloc-bg-thread', 'yes'], ['oom-score-adj-values', '0 200 800'],
      ['bind', '127.0.0.1 -::1'], ['appendonly', 'no'], ['dir', data], ['logfile', logfile],
      ['proc-title-template', '{title} {listen-addr} {server-mode}'],
    ]) {
      expect(configValue(await c.call('CONFIG', 'GET', name)), name).toBe(value);
    }
    c.close();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    // The log went to the file, not to standard output; the pid file is removed at exit.
    expect(r.stdout()).toBe('');
    const log = readFileSync(logfile, 'utf8');
    expect(log).toContain(`${r.child.pid}:M `);
    expect(log).toContain('* Ready to accept connections tcp');
    // The stock file persists through RDB snapshots: SIGTERM saves the final one, as Redis does.
    expect(log).toContain('Saving the final RDB snapshot before exiting.');
    expect(existsSync(path.join(data, 'dump.rdb'))).toBe(true);
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe('daemonize yes', () => {
  test('the command returns at once with 0; the daemon writes its pid file, serves, and removes the file at exit', async () => {
    const port = await freePort();
    const pidfile = path.join(dir, 'daemon.pid');
    const logfile = path.join(dir, 'daemon.log');
    const r = sluice('--daemonize', 'yes', '--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'daemon'), '--pidfile', pidfile, '--logfile', logfile);
    expect(await r.exit).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    const c = await pingWhenUp(port, () => true, () => (existsSync(logfile) ? readFileSync(logfile, 'utf8') : 'no log'));
    const pid = Number(readFileSync(pidfile, 'utf8'));
    daemons.push(pid);
    expect(pid).not.toBe(r.child.pid);
    expect(configValue(await c.call('CONFIG', 'GET', 'daemonize'))).toBe('yes');
    expect(configValue(await c.call('CONFIG', 'GET', 'pidfile'))).toBe(pidfile);
    expect(await c.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
    c.close();
    process.kill(pid, 'SIGTERM');
    await untilGone(pidfile);
    expect(existsSync(pidfile)).toBe(false);
    // As Redis, the pid file goes before the last lines are logged.
    for (let i = 0; i < 400 && isAlive(pid); i++) await pause(25);
    expect(isAlive(pid)).toBe(false);
    expect(readFileSync(logfile, 'utf8')).toContain('Sluice is now ready to exit');
  });

  test('settings read from standard input reach the daemon', async () => {
    const port = await freePort();
    const pidfile = path.join(dir, 'stdin-daemon.pid');
    const child = spawn(process.execPath, [CLI, '-'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    child.stdin!.end(`daemonize yes\nport ${port}\nbind 127.0.0.1\ndir ${path.join(dir, 'stdin-daemon')}\npidfile ${pidfile}\nhz 42\n`);
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const c = await pingWhenUp(port, () => true, () => 'no daemon');
    daemons.push(Number(readFileSync(pidfile, 'utf8')));
    expect(configValue(await c.call('CONFIG', 'GET', 'hz'))).toBe('42');
    c.close();
  });
});

describe('include', () => {
  test('reads the files a pattern matches in name order; a pattern matching nothing is no error', async () => {
    const confd = path.join(dir, 'conf.d');
    mkdirSync(confd);
    writeFileSync(path.join(confd, '20-b.conf'), 'hz 30\nmaxclients 50\n');
    writeFileSync(path.join(confd, '10-a.conf'), 'hz 20\ntimeout 7\n');
    writeFileSync(path.join(confd, 'notes.txt'), 'not a directive\n');
    const main = path.join(dir, 'main.conf');
    writeFileSync(main, `include ${confd}/*.conf\ninclude ${confd}/none-*.conf\n`);
    const port = await freePort();
    const r = sluice(main, '--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'include'));
    const c = await pingWhenUp(port, () => r.child.exitCode === null, r.stderr);
    expect(configValue(await c.call('CONFIG', 'GET', 'hz'))).toBe('30');
    expect(configValue(await c.call('CONFIG', 'GET', 'maxclients'))).toBe('50');
    expect(configValue(await c.call('CONFIG', 'GET', 'timeout'))).toBe('7');
    c.close();
  });

  test('a file that cannot be read stops the start, naming it', async () => {
    const main = path.join(dir, 'bad-include.conf');
    writeFileSync(main, 'include /nonexistent/sluice.conf\n');
    const r = sluice(main, '--port', '0');
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toBe("Fatal error, can't open config file '/nonexistent/sluice.conf': No such file or directory\n");
  });
});

describe('rename-command', () => {
  test('a renamed command answers to its new name only; one renamed to "" is gone', async () => {
    const conf = path.join(dir, 'rename.conf');
    writeFileSync(conf, 'rename-command FLUSHALL wipe-everything\nrename-command config ""\n');
    const port = await freePort();
    const r = sluice(conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'rename'));
    const c = await pingWhenUp(port, () => r.child.exitCode === null, r.stderr);
    expect(await c.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('FLUSHALL')).toEqual({ t: 'error', v: "ERR unknown command 'FLUSHALL', with args beginning with: " });
    expect(await c.call('CONFIG', 'GET', 'hz')).toEqual({ t: 'error', v: "ERR unknown command 'CONFIG', with args beginning with: 'GET' 'hz' " });
    expect(await c.call('WIPE-EVERYTHING')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('EXISTS', 'k')).toEqual({ t: 'int', v: '0' });
    c.close();
  });
});

describe.skipIf(!existsSync('/proc/self/cmdline'))('set-proc-title and proc-title-template', () => {
  const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/[\0 ]+$/, '');

  test('sluice-server names itself and its address in its process title, and follows CONFIG SET of the template', async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'title'), '--appendonly', 'no');
    const c = await pingWhenUp(port, () => r.child.exitCode === null, r.stderr);
    expect(cmdline(r.child.pid!)).toBe(`sluice-server 127.0.0.1:${port}`);
    expect(await c.call('CONFIG', 'SET', 'proc-title-template', '{title} {{{port}} {config-file}')).toEqual({ t: 'simple', v: 'OK' });
    expect(cmdline(r.child.pid!)).toBe(`sluice-server {${port}} -`);
    c.close();
  });
});

describe('start-up checks and notices', () => {
  test('a log file that cannot be opened is a configuration error, as in Redis', async () => {
    const r = sluice('--port', '0', '--logfile', path.join(dir, 'no-such-dir', 'x.log'));
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toContain("*** FATAL CONFIG FILE ERROR (Redis 7.2.");
    expect(r.stderr()).toContain("Can't open the log file: No such file or directory");
  });

  test('parameters set away from their defaults that Sluice ignores are named once in a warning; those at their defaults are not', async () => {
    const port = await freePort();
    const r = sluice('--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'noeffect'), '--io-threads', '4', '--activedefrag', 'yes', '--jemalloc-bg-thread', 'yes');
    const c = await pingWhenUp(port, () => r.child.exitCode === null, r.stderr);
    expect(configValue(await c.call('CONFIG', 'GET', 'io-threads'))).toBe('4');
    c.close();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    const warnings = parseRedisLog(r.stdout()).filter((l) => l.level === 'warning' && l.msg.includes('has no effect'));
    expect(warnings.map((w) => w.msg.split(' ')[0]).sort()).toEqual(['activedefrag', 'io-threads']);
    expect(warnings.find((w) => w.msg.startsWith('io-threads'))!.msg).toBe(
      "io-threads is set to '4', which has no effect in Sluice: Sluice serves every client on one thread.",
    );
  });
});
