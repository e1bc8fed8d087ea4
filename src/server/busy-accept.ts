import { closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { packageFile } from '../core/package-file.js';
import { PARKED, RUNNING, SERVE, SLOTS, Slot, type BusyAcceptData } from './busy-accept-protocol.js';
import type { Logger } from './logger.js';

/** How long the end of a busy script waits for the thread to park before giving up on it. */
const PARK_TIMEOUT_MS = 1000;

/** The signals a busy script may be stopped by: those the host stops the server on (see shutdownOnSignal). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface BusyAcceptHost {
  /** The listening sockets whose connections a busy script must not leave waiting (TLS ones excepted). */
  listeners(): readonly net.Server[];
  backlog(): number;
  /** Takes a connection on as a client, as the listeners' own accepts do. */
  accept(socket: net.Socket): void;
  log(): Logger;
}

interface Helper {
  worker: Worker;
  ctl: Int32Array;
  port: MessagePort;
  /** The listeners it was started on: a listener closed or added since needs a new thread (see begin). */
  listeners: readonly net.Server[];
}

/**
 * Every thread started, kept reachable for the life of the process, the
 * ones given up on (listeners replaced, server closed) too: a thread must
 * never end before the process does, since ending closes descriptors it
 * shares with this thread.
 */
const threads: Worker[] = [];

/**
 * Accepting connections while a script holds the event loop, as Redis's
 * processEventsWhileBlocked does: Node has no synchronous accept, so a
 * thread of its own (busy-accept-worker.ts) listens on the same listening
 * descriptors and hands over each accepted descriptor, which BusyPoll then
 * serves like the connections it had. The thread is started at the first
 * busy script and sleeps between them (parked in Atomics.wait, its event
 * loop stopped), so it never competes with the main thread for a
 * connection, nor touches a listener the main thread closes.
 *
 * While serving it also catches SIGTERM and SIGINT for the busy script to
 * answer (signal()): the main thread's handlers cannot run until the
 * script ends.
 *
 * TLS listeners are not covered: their handshake needs the event loop.
 * Where the thread cannot start, or misbehaves, connections wait in the
 * kernel's queue until the script ends, as they did without it.
 */
export class BusyAccept {
  private helper: Helper | null = null;
  /** No thread is started or woken any more (it could not be, or failed). */
  private disabled = false;
  /** The server is closing: what the thread still hands over is closed, not served. */
  private closed = false;
  private serving = false;

  constructor(private readonly host: BusyAcceptHost) {}

  /** A script became busy: the thread accepts from now until end(). */
  begin(): void {
    if (this.disabled || this.serving) return;
    const listeners = this.host.listeners();
    if (listeners.length === 0) return;
    let helper = this.helper;
    if (helper !== null && !sameListeners(helper.listeners, listeners)) {
      // Its old listeners' numbers may be reused by now, and a thread cannot drop a listener without closing it: it sleeps for good.
      this.detach(helper);
      this.helper = helper = null;
    }
    if (helper === null) {
      helper = this.start(listeners);
      if (helper === null) return;
      this.helper = helper;
    }
    const ctl = helper.ctl;
    // Asked anew each time: a host may add or remove its handlers (an embedding server has none of its own).
    Atomics.store(ctl, Slot.Watch, STOP_SIGNALS.reduce((mask, s) => (process.listenerCount(s) > 0 ? mask | (1 << os.constants.signals[s]) : mask), 0));
    Atomics.store(ctl, Slot.Signal, 0);
    Atomics.store(ctl, Slot.State, SERVE);
    Atomics.notify(ctl, Slot.State);
    this.serving = true;
  }

  /** Takes on the connections accepted since the last call. */
  take(): void {
    const helper = this.helper;
    if (helper === null) return;
    for (let m = receiveMessageOnPort(helper.port); m !== undefined; m = receiveMessageOnPort(helper.port)) {
      this.adopt(m.message as number);
    }
  }

  /** The stop signal caught since begin(), once; null when none was. */
  signal(): StopSignal | null {
    const helper = this.helper;
    if (helper === null || !this.serving) return null;
    const n = Atomics.exchange(helper.ctl, Slot.Signal, 0);
    return n === 0 ? null : (STOP_SIGNALS.find((s) => os.constants.signals[s] === n) ?? null);
  }

  /**
   * The script ended: the thread parks before this returns, so that the
   * event loop accepts alone again and a listener may be closed. What it
   * accepted meanwhile is taken on.
   */
  end(): void {
    if (!this.serving) return;
    this.serving = false;
    const helper = this.helper!;
    const ctl = helper.ctl;
    Atomics.store(ctl, Slot.Parked, 0);
    // Taking SERVE back before the thread took it up leaves it asleep: there is nothing to wait for.
    if (Atomics.exchange(ctl, Slot.State, PARKED) === RUNNING) {
      helper.worker.postMessage(0);
      const deadline = performance.now() + PARK_TIMEOUT_MS;
      while (Atomics.load(ctl, Slot.Parked) === 0) {
        const left = deadline - performance.now();
        if (left <= 0 || Atomics.wait(ctl, Slot.Parked, 0, left) === 'timed-out') {
          this.giveUp('it did not stop accepting when the script ended');
          break;
        }
      }
    }
    this.take();
  }

  /** The server is closing: the thread stops for good, and connections it handed over too late are closed. */
  close(): void {
    this.end();
    this.disabled = this.closed = true;
    this.take();
    if (this.helper !== null) this.detach(this.helper);
    this.helper = null;
  }

  private start(listeners: readonly net.Server[]): Helper | null {
    const fds = listeners.map(fdOf);
    if (fds.some((fd) => fd < 0)) {
      this.disabled = true;
      return null;
    }
    const ctl = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const backlog = this.host.backlog();
    const data: BusyAcceptData & { out: MessagePort } = { ctl, out: port2, listeners: fds.map((fd) => ({ fd, backlog })) };
    let worker: Worker;
    try {
      // None of the main thread's node flags: some are refused in a worker, and it needs none.
      worker = new Worker(workerFile(), { workerData: data, transferList: [port2], execArgv: [] });
    } catch (e) {
      this.disabled = true;
      this.host.log().warning(`Connections cannot be accepted while a script is busy: ${(e as Error).message}`);
      return null;
    }
    threads.push(worker);
    // The thread never keeps the process alive; what it hands over after a script ended is still taken on.
    worker.unref();
    port1.on('message', (fd: number) => this.adopt(fd));
    port1.unref();
    worker.on('error', (e) => this.giveUp(e.message));
    worker.on('exit', () => this.giveUp('it exited'));
    return { worker, ctl, port: port1, listeners: [...listeners] };
  }

  /**
   * A thread no longer used lets go of this server, which may then be
   * collected. Should one that did not park still hand a connection over,
   * it is closed rather than left open and unread.
   */
  private detach(helper: Helper): void {
    helper.port.removeAllListeners('message');
    helper.port.on('message', closeFd);
    helper.port.unref();
    helper.worker.removeAllListeners('exit');
    helper.worker.removeAllListeners('error');
    helper.worker.on('error', () => {});
  }

  private adopt(fd: number): void {
    if (this.closed) {
      closeFd(fd);
      return;
    }
    let socket: net.Socket;
    try {
      socket = new net.Socket({ fd, readable: true, writable: true });
    } catch {
      closeFd(fd);
      return;
    }
    // The plain listeners set it on each connection (a Unix socket has no such option, and the call does nothing there).
    socket.setNoDelay(true);
    this.host.accept(socket);
  }

  private giveUp(why: string): void {
    if (this.disabled) return;
    this.disabled = true;
    this.host.log().warning(`Connections will no longer be accepted while a script is busy: the accepting thread failed (${why}).`);
  }
}

function sameListeners(a: readonly net.Server[], b: readonly net.Server[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function fdOf(srv: net.Server): number {
  const fd = (srv as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing was leaked.
  }
}

/** The compiled thread, as tsc built it (a worker thread cannot load TypeScript, and the bundle does not hold it). */
const workerFile = (): string => packageFile('dist/server/busy-accept-worker.js');
