import net from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PARKED, RUNNING, SERVE, Slot, type BusyAcceptData } from './busy-accept-protocol.js';

/**
 * The thread that accepts connections while a script holds the main
 * thread (see BusyAccept). It listens on the main thread's own listening
 * descriptors and hands each accepted descriptor over by number.
 *
 * It shares those descriptors without owning them, so it must never close
 * a handle, and never end: a thread that ends closes every handle it has,
 * and by then the number may name a connection or a file of the main
 * thread. Hence no error may escape, and the handles of the connections
 * it accepted are kept, unread, for the life of the process.
 */
const { ctl, out, listeners } = workerData as BusyAcceptData & { out: MessagePort };

process.on('uncaughtException', () => {});

type Accept = (this: unknown, err: number, clientHandle: { fd?: number } | undefined) => unknown;

function hand(fd: number | undefined): void {
  if (typeof fd === 'number' && fd >= 0) out.postMessage(fd);
}

/** Listens on one of the main thread's descriptors; a failure leaves that one to wait, as before. */
function listenOn(fd: number, backlog: number): void {
  // Paused: a connection's bytes are the main thread's to read.
  const srv = net.createServer({ pauseOnConnect: true }, (socket) => {
    hand((socket as unknown as { _handle?: { fd?: number } })._handle?.fd);
  });
  srv.on('error', () => {});
  // Listening again sets the backlog, which Node takes only from this argument when given a descriptor.
  srv.listen({ fd }, backlog);
  // The bare accepted handle is all this thread needs: a socket around each would be kept alive with it.
  const handle = (srv as unknown as { _handle?: { onconnection?: Accept } | null })._handle;
  if (handle != null && typeof handle.onconnection === 'function') {
    handle.onconnection = function busyAccepted(err, clientHandle) {
      if (err === 0) hand(clientHandle?.fd);
      return undefined;
    };
  }
}

for (const { fd, backlog } of listeners) {
  try {
    listenOn(fd, backlog);
  } catch {
    // An error thrown out of the module would end the thread.
  }
}

interface SignalHandle {
  onsignal: (signum: number) => void;
  start(signum: number): number;
  close(): void;
}

type SignalClass = new () => SignalHandle;

/** libuv's signal handle (process.on exists only on the main thread): undefined until first needed, null where this Node does not offer it. */
let Signal: SignalClass | null | undefined;

function signalHandleClass(): SignalClass | null {
  const p = process as unknown as { binding?: (name: string) => { Signal?: new () => SignalHandle }; noDeprecation?: boolean };
  const quiet = p.noDeprecation;
  // Its DEP0111 warning would reach the server's log for a use that is deliberate.
  p.noDeprecation = true;
  try {
    return p.binding?.('signal_wrap').Signal ?? null;
  } catch {
    return null;
  } finally {
    p.noDeprecation = quiet;
  }
}

let watching: SignalHandle[] = [];

/**
 * Handles exist only while serving: a signal caught then is the busy
 * script's to answer, and one left over must not stop the next script.
 */
function watchSignals(): void {
  const mask = Atomics.load(ctl, Slot.Watch);
  if (mask === 0) return;
  Signal ??= signalHandleClass();
  if (Signal === null) return;
  for (let signum = 1; signum < 32; signum++) {
    if ((mask & (1 << signum)) === 0) continue;
    try {
      const s = new Signal();
      s.onsignal = (n) => Atomics.store(ctl, Slot.Signal, n);
      if (s.start(signum) === 0) watching.push(s);
      else s.close();
    } catch {
      // Without it a signal waits for the script to end, as it did before.
    }
  }
}

function unwatchSignals(): void {
  for (const s of watching) s.close();
  watching = [];
}

/** Blocks this thread, its event loop included, until the main thread asks for service again. */
function park(): void {
  for (;;) {
    const state = Atomics.load(ctl, Slot.State);
    // A compare-and-set: once the main thread has taken SERVE back, this thread cannot start running.
    if (state === SERVE && Atomics.compareExchange(ctl, Slot.State, SERVE, RUNNING) === SERVE) break;
    if (state !== SERVE) Atomics.wait(ctl, Slot.State, state);
  }
  watchSignals();
}

// The main thread's script ended: it waits for the acknowledgement before it may close a listener.
parentPort!.on('message', () => {
  if (Atomics.load(ctl, Slot.State) !== PARKED) return;
  unwatchSignals();
  Atomics.store(ctl, Slot.Parked, 1);
  Atomics.notify(ctl, Slot.Parked);
  park();
});

park();
