// Running redis-benchmark with a time limit and reading its --csv output.
import { spawn } from 'node:child_process';
import { pinned, REDIS_BENCHMARK } from './servers.mjs';

/**
 * Parses `redis-benchmark --csv` output: a header line, then one quoted row
 * per test. Returns [{ test, rps, avgMs, p50Ms, p99Ms, maxMs }] keyed by the test
 * name as printed ("PING_INLINE", "SET", "MSET (10 keys)"…).
 */
export function parseCsv(text) {
  const rows = [];
  let header = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('"')) continue;
    const cells = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (header === null) {
      header = cells;
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    rows.push({
      test: row.test,
      rps: Number(row.rps),
      avgMs: Number(row.avg_latency_ms),
      p50Ms: Number(row.p50_latency_ms),
      p99Ms: Number(row.p99_latency_ms),
      maxMs: Number(row.max_latency_ms),
    });
  }
  return rows;
}

/** Requests per second by test id: the first word of the CSV's test name, lower-cased ("MSET (10 keys)" → mset). */
export function rpsByTest(rows) {
  const out = new Map();
  for (const r of rows) out.set(r.test.split(' ')[0].toLowerCase(), r.rps);
  return out;
}

/**
 * Runs redis-benchmark against a port and resolves to its parsed rows.
 * Killed, and rejected, after `timeoutMs`.
 */
export function runRedisBenchmark(port, { tests, clients = 50, requests, pipeline = 1, cpu, timeoutMs = 180000, extra = [] }) {
  if (REDIS_BENCHMARK === null) return Promise.reject(new Error('redis-benchmark is not installed'));
  const args = ['-h', '127.0.0.1', '-p', String(port), ...(tests.length === 0 ? [] : ['-t', tests.join(',')]), '-c', String(clients), '-n', String(requests), '-P', String(pipeline), '-q', '--csv', ...extra];
  const [cmd, argv] = pinned(cpu, REDIS_BENCHMARK, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const rows = parseCsv(out);
      if (code === 0) resolve(rows);
      else reject(new Error(`redis-benchmark ${signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited ${code ?? signal}`}: ${(err + out).trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
