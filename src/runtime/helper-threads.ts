import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { givenToNode } from './node-flags.js';

/** node's --v8-pool-size when it is not given one: the platform's workers. */
const DEFAULT_POOL_SIZE = 4;
/** Linux's lowest priority for a thread (nice). */
const LOWEST_PRIORITY = 19;
/** How long `chrt` may take before the threads are left at nice 19 alone. */
const CHRT_TIMEOUT_MS = 2000;

/**
 * The thread ids of node's platform threads, which run V8's background
 * work (concurrent marking and sweeping, freeing dead array buffers): the
 * delayed-task scheduler, then the --v8-pool-size workers. node starts
 * them before any other thread of the process, in that order, so they
 * hold the lowest ids after the main thread's, which is the process id.
 * Null where that does not hold or cannot be read: not Linux, a thread id
 * below the main thread's (the kernel's counter wrapped while the process
 * started), a pool size given to node (0 lets node choose), or trace
 * events asked for (their thread starts first).
 */
export function platformThreads(): number[] | null {
  if (process.platform !== 'linux') return null;
  if (givenToNode('--v8-pool-size') || givenToNode('--trace-event-categories')) return null;
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
  } catch {
    return null;
  }
  if (tids[0] !== process.pid) return null;
  const threads = tids.slice(1, 2 + DEFAULT_POOL_SIZE);
  return threads.length === 1 + DEFAULT_POOL_SIZE ? threads : null;
}

/**
 * How V8's background threads were made to yield: Linux's idle scheduling
 * policy, or only the lowest nice value (where `chrt` could not be run).
 */
export type Yielded = 'idle' | 'nice';

/**
 * On a process that may use only one core, makes V8's background threads
 * (platformThreads) yield the core to the main thread, so that their work
 * fills the time the main thread leaves idle instead of taking the core
 * from it. At the default priority, a worker woken in the middle of a
 * collection ran at once and the pause waited for it: freeing a dead 64 MB
 * buffer (the kernel's unmapping of its pages, 5-10 ms) or sweeping the
 * old generation's pages (3-8 ms of "finish" in mark-compacts). Where the
 * main thread needs that work done, it does it itself or waits for it,
 * and while it waits the worker has the core. Linux's priority and policy
 * are per thread, so the main thread and libuv's threads (file I/O,
 * fsync) keep theirs.
 *
 * The threads get nice 19 first, then the idle policy (SCHED_IDLE,
 * through `chrt`; node has no call for it). At nice 19 a woken worker
 * could still take the core at once: Linux preempts at a wakeup when the
 * woken thread's deadline comes first, and a scavenge resuming a sweep it
 * had paused (Sweeper::StartSweeperTasks) lost the core for 2.5-4.8 ms
 * that way, three times in one run of the rdb section (`perf record -e
 * sched:sched_switch`; 182 switches inside collections, 24 ms in all). A
 * thread of the idle policy never preempts at a wakeup: the same run had
 * 50 switches, 3.4 ms, none over 0.25 ms (docs/benchmarks.md, 2026-11-26
 * afternoon). Returns how the threads yield, or false where it left them
 * alone: with more cores, V8's threads run beside the main thread.
 */
export function yieldBackgroundThreads(cores = os.availableParallelism()): Yielded | false {
  if (cores > 1) return false;
  const threads = platformThreads();
  if (threads === null) return false;
  try {
    for (const tid of threads) os.setPriority(tid, LOWEST_PRIORITY);
  } catch {
    return false;
  }
  return threads.every(idlePolicy) ? 'idle' : 'nice';
}

/** Gives thread `tid` Linux's idle scheduling policy; false where `chrt` is missing or refused. */
function idlePolicy(tid: number): boolean {
  const r = spawnSync('chrt', ['-i', '-p', '0', String(tid)], { stdio: 'ignore', timeout: CHRT_TIMEOUT_MS });
  return r.status === 0;
}
