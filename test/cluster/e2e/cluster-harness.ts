import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, redisServerPath, startSluice, type TestSluice } from '../../helpers/servers.js';
import type { TestCerts } from '../../helpers/tls-certs.js';
import { startChild } from '../../helpers/child-sluice.js';
import { RespClient } from '../../helpers/resp-client.js';

const run = promisify(execFile);

/** One node of a test cluster: Sluice in this process, or a real redis-server child. */
export interface ClusterTestNode {
  kind: 'sluice' | 'redis';
  port: number;
  /** What it logged (Sluice's notices and up; nothing of a real Redis). */
  log(): string;
  stop(): Promise<void>;
}

/** The settings of Redis's own cluster tests (start_cluster): a short node timeout. */
const CLUSTER_SETTINGS = { 'cluster-enabled': 'yes', 'cluster-node-timeout': '3000' };

export async function sluiceNode(): Promise<ClusterTestNode & { sluice: TestSluice }> {
  // RDB version 10, so that a Redis 7.0 replica (CI's) can load what a Sluice master sends.
  const config = { ...CLUSTER_SETTINGS, loglevel: process.env.CLUSTER_TEST_LOGLEVEL ?? 'notice', 'repl-rdb-version': '10', 'repl-diskless-sync-delay': '0' };
  const sluice = await startSluice({ port: await freePort(), config });
  return { kind: 'sluice', port: sluice.port, sluice, log: () => sluice.logs.raw, stop: () => sluice.close() };
}

/** A node's TLS settings: the TLS port, the bus (tls-cluster) and replication (tls-replication) over TLS, the test certificates. */
function tlsSettings(certs: TestCerts, tlsPort: number): Record<string, string> {
  return {
    'tls-port': String(tlsPort), 'tls-cluster': 'yes', 'tls-replication': 'yes',
    'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey, 'tls-ca-cert-file': certs.caCert,
    'tls-client-cert-file': certs.clientCert, 'tls-client-key-file': certs.clientKey,
  };
}

/** A Sluice node whose bus speaks TLS (tls-cluster), as its replication (tls-replication); the TLS port's bus port is free. */
export async function sluiceTlsNode(certs: TestCerts): Promise<ClusterTestNode & { tlsPort: number }> {
  const tlsPort = await freePort();
  const config = { ...CLUSTER_SETTINGS, loglevel: process.env.CLUSTER_TEST_LOGLEVEL ?? 'notice', ...tlsSettings(certs, tlsPort) };
  const sluice = await startSluice({ port: await freePort(), config });
  return { kind: 'sluice', port: sluice.port, tlsPort, log: () => sluice.logs.raw, stop: () => sluice.close() };
}

/**
 * Sluice in a process of its own, for what one thread cannot do with
 * itself: MIGRATE waits for its target, so resharding between two nodes
 * needs them in two processes. stop() kills it.
 */
export async function sluiceChildNode(dir: string, extra: Record<string, string> = {}): Promise<ClusterTestNode> {
  const port = await freePort();
  const args = ['--dir', dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--repl-rdb-version', '10',
    ...Object.entries({ ...CLUSTER_SETTINGS, ...extra }).flatMap(([k, v]) => [`--${k}`, v])];
  const child = await startChild(args, 20000, port);
  return { kind: 'sluice', port, log: () => child.output(), stop: () => child.kill('SIGKILL') };
}

/** sluiceTlsNode's settings on a node in a process of its own (resharding needs two processes, see sluiceChildNode). */
export async function sluiceTlsChildNode(dir: string, certs: TestCerts): Promise<ClusterTestNode & { tlsPort: number }> {
  const tlsPort = await freePort();
  const node = await sluiceChildNode(dir, tlsSettings(certs, tlsPort));
  return { ...node, tlsPort };
}

/** A real redis-server (PATH's: 7.0 in CI) as a cluster node, in a scratch directory, killed and removed by stop(). */
export async function redisNode(): Promise<ClusterTestNode> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-cluster-redis-'));
  const settings = Object.entries(CLUSTER_SETTINGS).flatMap(([k, v]) => [`--${k}`, v]);
  const child = spawn(
    redisServerPath!,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--repl-diskless-sync-delay', '0', ...settings],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(`redis-server on ${port}`, () => new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  }), 10000);
  return {
    kind: 'redis',
    port,
    log: () => out,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** redis-cli from PATH (Debian's 7.0 in CI), bounded in time; its output with the colour codes taken out. */
export async function redisCli(args: string[], timeoutMs = 60000): Promise<string> {
  const plain = (s: unknown) => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  try {
    const { stdout, stderr } = await run('redis-cli', args, { timeout: timeoutMs, maxBuffer: 1 << 24 });
    return plain(`${stdout}${stderr}`);
  } catch (e) {
    const failed = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`redis-cli ${args.join(' ')} failed: ${failed.message}\n${plain(failed.stdout)}${plain(failed.stderr)}`);
  }
}

/**
 * redis-cli --cluster check's output once it passes. A change made on one
 * node reaches the others by gossip, as in Redis (whose tests wait the same
 * way, wait_for_cluster_propagation): an outbound bus link sends with
 * Nagle's algorithm, so a PONG may wait for the ACK of the message before.
 */
export async function agreedClusterCheck(port: number, timeoutMs = 10000): Promise<string> {
  let out = '';
  await until(`redis-cli --cluster check of ${port} passing`, async () => {
    try {
      out = await redisCli(['--cluster', 'check', `127.0.0.1:${port}`]);
      return true;
    } catch (e) {
      out = (e as Error).message;
      return false;
    }
  }, timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${out}`);
  });
  return out;
}

/** A command's reply as text: a bulk or simple string's value, an error's message. */
export async function call(port: number, ...args: string[]): Promise<string> {
  const c = await RespClient.connect(port);
  try {
    const reply = (await c.call(...args)) as { t: string; v: unknown };
    return String(reply.v);
  } finally {
    c.socket.destroy();
  }
}

/** Polls until `check` holds, or fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function infoField(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(text)?.[1]?.trim();
}
