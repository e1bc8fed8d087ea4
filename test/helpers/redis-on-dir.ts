import { spawn, type ChildProcess } from 'node:child_process';
import { RespClient } from './resp-client.js';
import { freePort, redisServerPath } from './servers.js';

/** A redis-server with its data directory (and so AOF) in a given place. */
export interface Redis {
  port: number;
  /** SHUTDOWN, as an operator would stop it. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server on `dir` with an AOF of commands only
 * (aof-use-rdb-preamble no), as Sluice writes one; `defer` kills it after
 * the test.
 */
export async function startRedisOn(dir: string, defer: (f: () => Promise<void> | void) => void): Promise<Redis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    redisServerPath!,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--appendfsync', 'always'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  defer(() => {
    child.kill('SIGKILL');
    return exited;
  });
  for (let i = 0; i < 500; i++) {
    const c = await RespClient.connect(port).catch(() => null);
    if (c !== null) {
      const r = await c.call('PING').catch(() => null);
      c.close();
      if (r !== null && r.t === 'simple') {
        return {
          port,
          stop: async () => {
            const s = await RespClient.connect(port);
            s.writeRaw('*1\r\n$8\r\nSHUTDOWN\r\n');
            await exited;
            s.close();
          },
        };
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('redis-server did not start');
}
