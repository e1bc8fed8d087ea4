import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ensureBuild } from '../helpers/child-sluice.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { freePort, redisServerPath } from '../helpers/servers.js';

/**
 * A stock redis.conf that Sluice ran from and rewrote must still start
 * redis-server: a user trying Sluice in place of Redis keeps the way back.
 * Debian's file comes with Debian's redis-server, which .ci/run installs.
 */
const STOCK = '/etc/redis/redis.conf';

const ok: Resp = { t: 'simple', v: 'OK' };
const children: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-rewrite-'));
}, 120_000);

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `command args`, and connects once the port answers (at most about 10 s); rejects with what it printed if it exits first. */
async function serve(command: string, args: string[], port: number): Promise<{ child: ChildProcess; conn: RespClient }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${out}`);
    try {
      return { child, conn: await RespClient.connect(port) };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${command} is not listening on ${port}: ${out}`);
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Debian's redis.conf with what a test cannot share changed: port, data directory, log and pid files, and it stays in the foreground. */
function stockCopy(file: string, port: number, data: string): void {
  copyFileSync(STOCK, file);
  let text = readFileSync(file, 'latin1');
  const edits: [RegExp, string][] = [
    [/^port .*$/m, `port ${port}`],
    [/^daemonize .*$/m, 'daemonize no'],
    [/^pidfile .*$/m, `pidfile ${path.join(dir, 'server.pid')}`],
    [/^logfile .*$/m, `logfile ${path.join(dir, 'server.log')}`],
    [/^dir .*$/m, `dir ${data}`],
  ];
  for (const [line, replacement] of edits) {
    // The stock file sets each once; a file that did not would not be the one this test means.
    expect(text.match(new RegExp(line.source, 'gm')), String(line)).toHaveLength(1);
    text = text.replace(line, replacement);
  }
  writeFileSync(file, text, 'latin1');
}

describe.skipIf(redisServerPath === null)('CONFIG REWRITE of a stock redis.conf (differential: redis-server starts from the result)', () => {
  test("Sluice's own parameters are left out with a warning; redis-server serves from the rewritten file with the values set", async () => {
    const conf = path.join(dir, 'redis.conf');
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const port = await freePort();
    stockCopy(conf, port, data);

    const sluice = await serve(process.execPath, [CLI, conf], port);
    const metrics = await freePort();
    expect(await sluice.conn.call('CONFIG', 'SET', 'hz', '20', 'maxmemory', '10mb', 'maxmemory-policy', 'allkeys-lru', 'timeout', '30')).toEqual(ok);
    expect(await sluice.conn.call('CONFIG', 'SET', 'metrics-port', String(metrics))).toEqual(ok);
    expect(await sluice.conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    // NOSAVE: what redis-server starts from is the file alone, not a dump Sluice wrote.
    await sluice.conn.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await stopped(sluice.child);

    const rewritten = readFileSync(conf, 'latin1');
    for (const line of ['hz 20', 'maxmemory 10mb', 'maxmemory-policy allkeys-lru', 'timeout 30']) expect(rewritten).toContain(`\n${line}\n`);
    expect(rewritten).not.toMatch(/^metrics-port/m);
    expect(readFileSync(path.join(dir, 'server.log'), 'latin1')).toContain(`CONFIG REWRITE left 'metrics-port ${metrics}' out of ${conf}`);

    const redisPort = await freePort();
    const redis = await serve(redisServerPath!, [conf, '--port', String(redisPort)], redisPort);
    try {
      expect(await redis.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      const get = async (name: string) => ((await redis.conn.call('CONFIG', 'GET', name)) as { v: Resp[] }).v[1];
      expect(await get('hz')).toEqual({ t: 'bulk', v: '20' });
      expect(await get('maxmemory')).toEqual({ t: 'bulk', v: String(10 * 1024 * 1024) });
      expect(await get('maxmemory-policy')).toEqual({ t: 'bulk', v: 'allkeys-lru' });
    } finally {
      redis.conn.close();
      redis.child.kill('SIGKILL');
      await stopped(redis.child);
    }
  });
});
