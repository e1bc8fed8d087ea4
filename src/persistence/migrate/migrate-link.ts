import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MigrateRequest, MigrateResult } from './migrate-protocol.js';

let worker: Worker | null = null;
/** The connections the worker keeps open to targets, as it last reported (INFO migrate_cached_sockets). */
let cached = 0;

export function migrateCachedSockets(): number {
  return cached;
}

/**
 * The compiled worker: next to this module in dist/, or, when this module
 * runs from its TypeScript source (the tests), the one the build put in
 * dist/, since a worker thread cannot load TypeScript.
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = path.join(path.dirname(here), 'migrate-worker.js');
  if (existsSync(beside)) return beside;
  return path.resolve(path.dirname(here), '../../../dist/persistence/migrate/migrate-worker.js');
}

function theWorker(): Worker {
  if (worker !== null) return worker;
  const w = new Worker(workerFile());
  // The thread must not keep the process alive, and a thread that died is replaced at the next MIGRATE.
  w.unref();
  w.on('message', (m: { cached: number }) => {
    cached = m.cached;
  });
  w.on('error', () => {
    if (worker === w) worker = null;
  });
  w.on('exit', () => {
    if (worker === w) {
      worker = null;
      cached = 0;
    }
  });
  worker = w;
  return w;
}

/**
 * Runs one MIGRATE exchange and waits for it, blocking this thread as
 * Redis's MIGRATE blocks its server: at most the timeout for connecting
 * and for each reply, plus a second.
 */
export function runMigrate(req: MigrateRequest): MigrateResult {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  theWorker().postMessage({ req, port: port2, flag }, [port2]);
  Atomics.wait(flag, 0, 0, req.timeoutMs * (req.restores.length + 3) + 1000);
  const got = receiveMessageOnPort(port1);
  port1.close();
  if (got === undefined) return { kind: 'read-error', read: 0, timedOut: true, headerError: null, replies: [] };
  return got.message as MigrateResult;
}
