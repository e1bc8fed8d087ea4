import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type StartOptions } from '../../src/index.js';
import { LogCapture } from './log-capture.js';

/** An in-process Sluice whose log lines the test can read. */
export type TestSluice = RunningServer & { logs: LogCapture };

/**
 * An in-process Sluice on a free loopback port, its log captured rather
 * than printed. Without a `dir` of its own it gets a scratch directory,
 * removed when it closes, so that nothing a test turns on (CONFIG SET
 * appendonly yes) writes into the working directory's default `./data`.
 */
export async function startSluice(opts: StartOptions = {}): Promise<TestSluice> {
  const logs = new LogCapture();
  const scratchDir = opts.config?.dir === undefined ? mkdtempSync(path.join(os.tmpdir(), 'sluice-test-')) : null;
  // Naming a dir turns the AOF on in the embedding API: a scratch dir must not.
  const config = scratchDir === null ? opts.config : { appendonly: 'no', ...opts.config, dir: scratchDir };
  const running = await startServer({ port: 0, bind: '127.0.0.1', logTo: logs, ...opts, config });
  if (scratchDir === null) return { ...running, logs };
  return {
    ...running,
    logs,
    async close() {
      await running.close();
      rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}

export const redisServerPath: string | null = (() => {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
})();

if (redisServerPath === null) {
  console.warn('NOTE: redis-server is not installed: differential tests against real Redis are skipped. .ci/run installs it.');
}

export interface RealRedis {
  port: number;
  stop(): Promise<void>;
}

/**
 * Where freePort() looks: below Linux's ephemeral range (32768-60999), so
 * that no outgoing connection and no server listening on port 0 is handed
 * the port between freePort() and the listen it is for, with the port's
 * cluster bus (port + 10000) below it too. Each vitest worker (VITEST_POOL_ID)
 * has its own slice, so test files running at once never pick the same port.
 */
const PORTS_FROM = 10000;
const PORTS_PER_WORKER = 500;
const WORKER_SLICES = 20;
let nextPort = 0;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A loopback port that is free, and its port + 10000 too (a cluster node's bus, where redis-cli 7.0's --cluster create meets it), for servers that must be told their port. */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const slice = Number.isSafeInteger(worker) && worker > 0 ? (worker - 1) % WORKER_SLICES : 0;
  for (let tries = 0; tries < PORTS_PER_WORKER; tries++) {
    const port = PORTS_FROM + slice * PORTS_PER_WORKER + (nextPort++ % PORTS_PER_WORKER);
    if ((await canListen(port)) && (await canListen(port + 10000))) return port;
  }
  throw new Error(`no free loopback port in this worker's ${PORTS_PER_WORKER}`);
}

/** Starts a throwaway real redis-server (no persistence) on a free loopback port. */
export async function startRedis(extra: string[] = []): Promise<RealRedis> {
  if (redisServerPath === null) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'));
  const child: ChildProcess = spawn(
    redisServerPath,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10000;
  while (true) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
}
