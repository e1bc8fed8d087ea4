import { spawn, type ChildProcess } from 'node:child_process';
import { RespClient } from './resp-client.js';
import { freePort, redisServerPath } from './servers.js';

/** A redis-server with its data directory (and so AOF) in a given place. */
export interface Redis {
  port: number;
  /** SHUTDOWN, as an operator would stop it (with NOSAVE when it was started so). */
  stop(): Promise<void>;
}

/**
 * Starts redis-server on `dir` with an AOF of commands only
 * (aof-use-rdb-preamble no), as Sluice writes one; `defer` kills it after
 * the test.
 */
export async function startRedisOn(dir: string, defer: (f: () => Promise<void> | void) => void): Promise<Redis> {
  const started = await spawnRedis(
    ['--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--appendfsync', 'always'],
    defer,
  );
  if ('exited' in started) throw new Error('redis-server did not start');
  return started.redis;
}

/**
 * redis-server on a free loopback port with `args`, once it answers PING;
 * or, when it exits first (a file it refused to load), what it logged.
 * `defer` kills it after the test; `nosave` makes stop() a SHUTDOWN NOSAVE.
 */
export async function spawnRedis(
  args: string[],
  defer: (f: () => Promise<void> | void) => void,
  nosave = false,
): Promise<{ redis: Redis } | { exited: string }> {
  const port = await freePort();
  const child: ChildProcess = spawn(redisServerPath!, ['--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    gone = true;
    resolve();
  }));
  defer(() => {
    child.kill('SIGKILL');
    return exited;
  });
  for (let i = 0; i < 500 && !gone; i++) {
    const c = await RespClient.connect(port).catch(() => null);
    if (c !== null) {
      const r = await c.call('PING').catch(() => null);
      c.close();
      if (r !== null && r.t === 'simple') {
        const stop = async () => {
          const s = await RespClient.connect(port);
          s.writeRaw(nosave ? '*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n' : '*1\r\n$8\r\nSHUTDOWN\r\n');
          await exited;
          s.close();
        };
        return { redis: { port, stop } };
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await exited;
  return { exited: log };
}
