/**
 * What the main thread and the busy-accept thread share: a few words of
 * shared memory, which the main thread can read and write while a script
 * holds it, and what the thread is started with.
 */

/** Index of each word in the shared Int32Array. */
export const Slot = {
  /** PARKED, SERVE or RUNNING. */
  State: 0,
  /** 1 once the thread has stopped its handles and parked at the main thread's request. */
  Parked: 1,
  /** The number of the last signal caught while serving, 0 for none. */
  Signal: 2,
  /** The signals to catch while serving, a bit for each number: those the process has handlers for. */
  Watch: 3,
} as const;

export const SLOTS = 4;

/** No script is busy: the thread sleeps, its event loop with it. */
export const PARKED = 0;
/** A script is busy and the thread is asked to accept. */
export const SERVE = 1;
/** The thread took SERVE up: it is accepting, and must be asked to park. */
export const RUNNING = 2;

export interface BusyAcceptData {
  ctl: Int32Array;
  /** The main thread's listening descriptors, and the backlog to listen with (listening again sets it). */
  listeners: { fd: number; backlog: number }[];
}
