// Running random-load.c (redis-benchmark's closed loop with plain random
// integers, for SETBIT offsets and the like): compiled once per run with
// the system's C compiler into a scratch directory, then run pinned like
// redis-benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned, which } from './servers.mjs';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'random-load.c');

/**
 * Compiles the driver; resolves to { file, remove } or null when there is
 * no C compiler (cc). A failed compilation throws with the compiler's output.
 */
export function buildRandomLoad() {
  const cc = which('cc');
  if (cc === null) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-random-load-'));
  const file = path.join(dir, 'random-load');
  const r = spawnSync(cc, ['-O2', '-o', file, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cc failed on ${SOURCE}:\n${r.stderr}`);
  }
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs the driver against a port: `argv` is the command, each `__rand__`
 * in it a random integer in [0, max). Resolves to requests per second;
 * killed, and rejected, after `timeoutMs`.
 */
export function runRandomLoad(driver, port, { clients, requests, pipeline, max, argv, cpu, timeoutMs = 180000 }) {
  const [cmd, args] = pinned(cpu, driver.file, [port, clients, requests, pipeline, max, ...argv].map(String));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Number(out.trim()));
      else reject(new Error(`random-load ${signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited ${code ?? signal}`}: ${err.trim()}`));
    });
  });
}
