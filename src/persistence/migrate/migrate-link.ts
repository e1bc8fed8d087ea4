import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { packageFile } from '../../core/package-file.js';
import { cachedTargets, close, exchange, linkName } from './migrate-exchange.js';
import type { MigrateRequest, MigrateResult } from './migrate-protocol.js';

/**
 * The worker, the port its results come back on, and the word it raises
 * when one is ready: made once, since a channel made and transferred per
 * MIGRATE cost more than the exchange's own bookkeeping.
 */
interface Link {
  worker: Worker;
  results: MessagePort;
  flag: Int32Array;
}

let link: Link | null = null;
/** Numbers each request, so that a result that came after its caller gave up is told apart and dropped. */
let sequence = 0;
/** The targets the worker keeps a connection to, as it last reported. */
let workerTargets: ReadonlySet<string> = new Set();

/**
 * INFO's migrate_cached_sockets: the connections of this thread and the
 * worker's. A target has at most one of them: a MIGRATE on one side closes
 * the other side's connection to its target first.
 */
export function migrateCachedSockets(): number {
  return cachedTargets().length + workerTargets.size;
}

/** The compiled worker, as tsc built it (a worker thread cannot load TypeScript, and the bundle does not hold it). */
const workerFile = (): string => packageFile('dist/persistence/migrate/migrate-worker.js');

function theLink(): Link {
  if (link !== null) return link;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(workerFile(), { workerData: { results: port2, flag }, transferList: [port2] });
  // The thread must not keep the process alive, and a thread that died is replaced at the next MIGRATE.
  w.unref();
  w.on('message', (m: { cached: string[] }) => {
    workerTargets = new Set(m.cached);
  });
  w.on('error', () => {
    if (link?.worker === w) link = null;
  });
  w.on('exit', () => {
    if (link?.worker === w) {
      link = null;
      workerTargets = new Set();
    }
  });
  link = { worker: w, results: port1, flag };
  return link;
}

/**
 * Runs one MIGRATE exchange and waits for it, blocking this thread as
 * Redis's MIGRATE blocks its server: at most the timeout for connecting
 * and for each reply, plus a second.
 */
export function runMigrate(req: MigrateRequest): MigrateResult {
  close(linkName(req));
  const { worker, results, flag } = theLink();
  const id = ++sequence;
  Atomics.store(flag, 0, 0);
  worker.postMessage({ id, req });
  const deadline = Date.now() + req.timeoutMs * (req.count + 3) + 1000;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    Atomics.wait(flag, 0, 0, left);
    Atomics.store(flag, 0, 0);
    for (let got = receiveMessageOnPort(results); got !== undefined; got = receiveMessageOnPort(results)) {
      const m = got.message as { id: number; result: MigrateResult };
      if (m.id === id) return m.result;
    }
  }
  return { kind: 'read-error', read: 0, timedOut: true, headerError: null, replies: [] };
}

/**
 * Runs one MIGRATE exchange on this thread, for a MIGRATE that finishes
 * when it ends (Ctx.finishLater).
 */
export function migrateLater(req: MigrateRequest): Promise<MigrateResult> {
  const name = linkName(req);
  if (link !== null && workerTargets.has(name)) link.worker.postMessage({ close: name });
  return exchange(req);
}
