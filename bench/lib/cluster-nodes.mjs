// Clusters for the cluster section: nodes of one kind (Sluice or
// redis-server) started with cluster-enabled, joined by `redis-cli
// --cluster create` as an operator would, and asked about their state
// through redis-cli, which both kinds answer alike.
import { spawn } from 'node:child_process';
import { which } from './servers.mjs';

export const REDIS_CLI = which('redis-cli');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs redis-cli with `args`; resolves to its stdout, rejects on a non-zero exit or after `timeoutMs`. */
export function cli(args, timeoutMs = 600_000) {
  if (REDIS_CLI === null) return Promise.reject(new Error('redis-cli is not installed'));
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-cli ${args.join(' ')}: ${signal ?? `exit ${code}`}\n${out.split('\n').slice(-8).join('\n')}`));
    });
  });
}

/** One node's answer to a command, as redis-cli prints it raw. */
export async function ask(port, ...args) {
  return (await cli(['-h', '127.0.0.1', '-p', String(port), ...args], 30_000)).trim();
}

/** CLUSTER INFO as { field: value }. */
export async function clusterInfo(port) {
  const out = {};
  for (const line of (await ask(port, 'CLUSTER', 'INFO')).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return out;
}

/** CLUSTER NODES as [{ id, port, flags, master, slots }], slots as [start, end] pairs. */
export async function clusterNodes(port) {
  return (await ask(port, 'CLUSTER', 'NODES')).split('\n').filter(Boolean).map((line) => {
    const f = line.split(' ');
    const slots = f.slice(8).filter((s) => !s.startsWith('[')).map((s) => s.split('-').map(Number)).map(([a, b]) => [a, b ?? a]);
    return { id: f[0], port: Number(f[1].split(':')[1].split('@')[0]), flags: f[2].split(','), master: f[3], slots };
  });
}

/** Waits until `check()` holds, polling every `everyMs`; rejects naming `what` after `timeoutMs`. */
export async function until(what, check, timeoutMs = 60_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Whether every node says cluster_state:ok and knows all `total` nodes. */
export async function clusterSettled(ports, total = ports.length) {
  for (const port of ports) {
    const info = await clusterInfo(port);
    if (info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== total) return false;
  }
  return true;
}

/**
 * Starts `count` nodes with `start` (startSluice or startRedis, taking {dir,
 * cpu, extra}); node i runs on cpus[i % cpus.length]. Returns the servers.
 */
export async function startNodes(start, { dir, count, cpus, nodeTimeoutMs }) {
  const nodes = [];
  try {
    for (let i = 0; i < count; i++) {
      const extra = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}-${Date.now()}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs)];
      nodes.push(await start({ dir, cpu: cpus[i % cpus.length], extra }));
    }
    return nodes;
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
}

/** `redis-cli --cluster create` of the nodes (masters first, then replicas), then waits until every node agrees. */
export async function createCluster(nodes, replicas = 0) {
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  await cli(['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes']);
  await until('the cluster to be ok on every node', () => clusterSettled(nodes.map((n) => n.port)));
}
