// Starting and stopping the servers a benchmark measures: Sluice from dist/,
// and a real redis-server when one is installed, each optionally pinned to a core.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gcPausesIn, readGcLog, TRACE_GC_FLAG } from './gc-pauses.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SLUICE_CLI = path.join(ROOT, 'dist/cli.js');
const NODE_FLOOR = path.join(ROOT, 'bench/lib/node-floor.mjs');

/** The absolute path of a program on PATH, or null. */
export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
}

/** taskset, when it exists and there are two cores to split between servers and load generators. */
export const TASKSET = os.cpus().length >= 2 ? which('taskset') : null;
/** The redis-server measured: SLUICE_BENCH_REDIS_SERVER (a path, e.g. a 7.2 build) or the one on PATH. */
export const REDIS_SERVER = process.env.SLUICE_BENCH_REDIS_SERVER || which('redis-server');
export const REDIS_BENCHMARK = which('redis-benchmark');

/** Prefixes a command line with `taskset -c <cpu>` when taskset exists and a cpu is given. */
export function pinned(cpu, file, args) {
  if (TASKSET === null || cpu === undefined || cpu === null) return [file, args];
  return [TASKSET, ['-c', String(cpu), file, ...args]];
}

/**
 * Moves this process to one core, so the driver's own work stays off the
 * servers' core: all its threads (`-a`), since without it taskset moves
 * only the main thread, and the driver's V8 and libuv threads, already
 * started, went on running on the servers' core (perf, 2026-11-26).
 */
export function pinSelf(cpu) {
  if (TASKSET === null) return false;
  return spawnSync(TASKSET, ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const live = new Set();

/** Where to copy each Sluice server's log (its --trace-gc lines) when it stops; null to keep none. */
let gcLogDir = null;

/** Keeps every Sluice server's log in `dir` from now on (npm run bench -- --gc-logs dir), for reading its collections afterwards. */
export function keepGcLogsIn(dir) {
  mkdirSync(dir, { recursive: true });
  gcLogDir = dir;
}

// Whatever happens to the driver, no server outlives it.
process.on('exit', () => {
  for (const kill of live) kill();
});

/** Resident set size of a process in bytes, from /proc (null where /proc is absent). */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Spawns a server, waits until its port accepts connections (at most
 * `startTimeoutMs`), and returns a handle whose stop() always ends it.
 */
async function launch(name, file, args, { port, dir, cpu, startTimeoutMs = 15000, env }) {
  const logPath = path.join(dir, `${name}.log`);
  const logFd = openSync(logPath, 'a');
  const [cmd, argv] = pinned(cpu, file, args);
  const spawnedAt = Date.now();
  let readyAfterMs = Infinity;
  const child = spawn(cmd, argv, { stdio: ['ignore', logFd, logFd], cwd: dir, env: env === undefined ? process.env : { ...process.env, ...env } });
  closeSync(logFd);
  const kill = () => child.kill('SIGKILL');
  live.add(kill);
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    live.delete(kill);
    if (name === 'sluice') {
      readGcLog(logPath, readyAfterMs, spawnedAt);
      if (gcLogDir !== null && existsSync(logPath)) copyFileSync(logPath, path.join(gcLogDir, `sluice-${child.pid}.log`));
    }
    resolve();
  }));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n') : '');
  const deadline = Date.now() + startTimeoutMs;
  while (!(await canConnect(port))) {
    if (exited !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      throw new Error(`${name} did not start on port ${port} (${exited ? `exit ${exited.code ?? exited.signal}` : 'timed out'}):\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  readyAfterMs = Date.now() - spawnedAt;
  return {
    name,
    port,
    pid: child.pid,
    log,
    /** The collections its --trace-gc log shows after start-up (gc-pauses.mjs, gcPausesIn); read once it has stopped. */
    gcPauses: () => gcPausesIn(logPath, readyAfterMs, spawnedAt),
    /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
    async stop(graceMs = 5000) {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A scratch directory removed by the returned function. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The flags `npm start` gives node before dist/cli.js (package.json's start
 * script), so that the benchmarks measure the server as that command runs it.
 */
const START_NODE_FLAGS = (() => {
  const start = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.split(/\s+/);
  return start.slice(1, start.indexOf('dist/cli.js')).filter((a) => a.startsWith('--'));
})();

/**
 * Node flags from the environment (SLUICE_NODE_FLAGS, space-separated) for an A/B of a V8 flag: node refuses
 * most V8 flags in NODE_OPTIONS, and a comparison should run the same benchmark on the same build.
 */
const ENV_NODE_FLAGS = (process.env.SLUICE_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/**
 * `nodeFlags` go to node itself (for example --expose-gc, so that MEMORY PURGE runs a full collection); `env`
 * adds to the environment (SLUICE_SCRIPT_CACHE_DIR: a script store of the benchmark's own, see run.mjs).
 */
export async function startSluice({ dir, cpu, extra = [], nodeFlags = [], env }) {
  if (!existsSync(SLUICE_CLI)) throw new Error(`${SLUICE_CLI} is missing: run \`npm run build\` first`);
  const port = await freePort();
  // Like the Redis below, without persistence unless a section asks for it in `extra` (the later option wins).
  const args = [TRACE_GC_FLAG, ...START_NODE_FLAGS, ...ENV_NODE_FLAGS, ...nodeFlags, SLUICE_CLI, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra];
  return launch('sluice', process.execPath, args, { port, dir, cpu, env });
}

/**
 * Node's floor (bench/lib/node-floor.mjs): Sluice's read and write path with a fixed reply and no commands;
 * with `workMicros`, that many µs of busy work on every request (named node-floor-work); with `keep`
 * ('strings' or 'bytes'), each SET's key and value kept, as strings in a Map or as bytes off V8's heap, the
 * process run with Sluice's node flags and its collections logged (named node-floor-keep or
 * node-floor-keep-bytes; the handle's gcPauses() reads them once it has stopped).
 */
export async function startNodeFloor({ dir, cpu, workMicros = 0, keep = null }) {
  if (!existsSync(SLUICE_CLI)) throw new Error(`${SLUICE_CLI} is missing: run \`npm run build\` first`);
  const port = await freePort();
  if (keep === null) {
    const name = workMicros > 0 ? 'node-floor-work' : 'node-floor';
    return launch(name, process.execPath, [NODE_FLOOR, String(port), String(workMicros)], { port, dir, cpu });
  }
  const mode = keep === 'bytes' ? 'keep-bytes' : 'keep';
  const args = [TRACE_GC_FLAG, ...START_NODE_FLAGS, NODE_FLOOR, String(port), String(workMicros), mode];
  return launch(`node-floor-${mode}`, process.execPath, args, { port, dir, cpu });
}

export async function startRedis({ dir, cpu, extra = [] }) {
  if (REDIS_SERVER === null) throw new Error('redis-server is not installed');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  return launch('redis', REDIS_SERVER, args, { port, dir, cpu });
}

/**
 * Runs `fn(server)` with a fresh server from `start` (startSluice, startRedis
 * or a wrapper taking the same options) in its own scratch directory; the
 * server is stopped and the directory removed whatever happens.
 */
export async function withServer(prefix, start, options, fn) {
  const scratch = scratchDir(prefix);
  let server = null;
  try {
    server = await start({ ...options, dir: scratch.dir });
    return await fn(server);
  } finally {
    await server?.stop();
    scratch.remove();
  }
}

/**
 * Runs `fn({ sluice, redis })` with a Sluice and, when it is installed, a
 * redis-server (else null) in one scratch directory, both on `cpu`; both are
 * stopped and the directory removed whatever happens.
 */
export async function withBothServers(prefix, { cpu, sluiceExtra = [] }, fn) {
  const scratch = scratchDir(prefix);
  const servers = [];
  try {
    const sluice = await startSluice({ dir: scratch.dir, cpu, extra: sluiceExtra });
    servers.push(sluice);
    const redis = REDIS_SERVER ? await startRedis({ dir: scratch.dir, cpu }) : null;
    if (redis) servers.push(redis);
    return await fn({ sluice, redis });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    scratch.remove();
  }
}

/** Gives a server a moment to finish what the last replies left behind before its RSS is read. */
function settle() {
  return new Promise((r) => setTimeout(r, 500));
}

/**
 * A server's resident set before and after `load` runs, each read once the
 * server has settled: { before, after }, or null where /proc is absent.
 */
export async function rssAround(server, load) {
  await settle();
  const before = rssBytes(server.pid);
  await load();
  await settle();
  const after = rssBytes(server.pid);
  return before === null || after === null ? null : { before, after };
}

/** "7.0.15" from `redis-server --version`, or null. */
export function redisVersion() {
  if (REDIS_SERVER === null) return null;
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return /v=(\S+)/.exec(r.stdout ?? '')?.[1] ?? null;
}
