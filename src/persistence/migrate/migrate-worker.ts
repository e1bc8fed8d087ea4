import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { cachedTargets, close, exchange, whenCachedChanges } from './migrate-exchange.js';
import type { MigrateRequest, MigrateResult } from './migrate-protocol.js';

/**
 * The thread a MIGRATE that must finish within its command (in EXEC or a
 * script) runs its exchange on: the server's thread waits for it
 * (Atomics.wait), as Redis's blocks on its synchronous socket, so that no
 * key changes between the payloads and the deletion.
 */

/** Where results go, and the word the server's thread waits on (migrate-link.ts). */
const { results, flag } = workerData as { results: MessagePort; flag: Int32Array };

/** Tells the server's thread which targets this one keeps a connection to (INFO's migrate_cached_sockets). */
whenCachedChanges(() => parentPort!.postMessage({ cached: cachedTargets() }));

parentPort!.on('message', (msg: { id: number; req: MigrateRequest } | { close: string }) => {
  if ('close' in msg) {
    close(msg.close);
    return;
  }
  void exchange(msg.req).then((result) => finish(msg.id, result));
});

function finish(id: number, result: MigrateResult): void {
  results.postMessage({ id, result });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
