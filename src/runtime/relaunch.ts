import { spawn } from 'node:child_process';
import os from 'node:os';
import { givenToNode } from './node-flags.js';

/**
 * What sluice-server has node start with on a process that may use only
 * one core. First, V8 compiles hot functions with TurboFan on a worker thread,
 * and on one core that thread runs by taking the core from the main
 * thread, collections included. Scavenges whose own work took 1-2 ms
 * lasted 7-16 ms while the compiler ran beside them (`--trace-gc-nvp`: the
 * pause far longer than its phases; the main thread waited 1.4 s in the
 * run queue, from /proc, during an 8 s BullMQ load). Compiling on the main
 * thread instead, as this flag has V8 do, left pauses as long as their
 * work: that load's longest pause 3.4-3.9 ms against 13-16 ms
 * (docs/benchmarks.md, 2026-11-25 late afternoon). With more cores the
 * worker runs beside the main thread, and compiling on the main thread
 * raised the p99 of SET and GET over a fresh server's first 50,000
 * requests (two cores, nothing pinned) to 1.5-1.9 ms from 0.6-0.7 (one
 * run 1.8), so there V8's default stands.
 *
 * Second, one concurrent marking worker instead of up to seven. The
 * incremental marker's last step waits for the concurrent markers to
 * finish, and on one core each of them runs by taking the core in turn:
 * a million stream entries arriving then read, by hand, had last steps
 * of 9.4-16.3 ms (`--trace-incremental-marking`: 22 KB marked in 9.4 ms);
 * with one worker the load's longest pause was 4.1 ms, with two 12.1-12.2.
 * It costs a BullMQ load's mark-compacts some work the workers did: its
 * longest pause 4.7-5.25 ms against 3.0-3.8.
 *
 * Third, scavenges on the main thread alone. A parallel scavenge posts
 * its work to worker threads and waits for them; on one core, waking a
 * worker hands it the core (`perf record -e sched:sched_switch`: most of
 * the main thread's switches during a BullMQ load were inside Scavenge,
 * at the job's post and its lock), and the work is the same. Without it,
 * in runs alternating on the same machine, the rdb section's scavenges
 * took 1,750-1,784 ms in all against 1,954-1,958 and its longest pause was
 * 8.09-8.40 ms against 11.13-14.69; the types section's 333 ms against
 * 410, longest 4.01 ms against 6.43 (docs/benchmarks.md, 2026-11-26).
 *
 * Fourth, for the same reason, a mark-compact's evacuation and its
 * pointer updates on the main thread alone: during the streams section
 * the main thread was switched out, runnable, at the joins of those two
 * parallel jobs for 6.6 and 1.6 ms in all (`perf record -e
 * sched:sched_switch -g`), and for none with these flags.
 */
const ONE_CORE_FLAGS = [
  '--no-concurrent-recompilation',
  '--concurrent-marking-max-worker-num=1',
  '--no-parallel-scavenge',
  '--no-parallel-compaction',
  '--no-parallel-pointer-update',
];

/** The signals that stop a server, passed on to the server a launcher started. */
const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** The launcher's pid, in the environment of the server it starts. */
const LAUNCHER_ENV = 'SLUICE_LAUNCHER_PID';
/** How often a launched server checks that its launcher is still there. */
const LAUNCHER_CHECK_MS = 1000;

/** This server's launcher, or 0 when it was not started by one. */
let launcher = 0;

/**
 * Whether this process goes on to run the server. V8 reads ONE_CORE_FLAGS
 * only as the isolate starts, so on one core (os.availableParallelism
 * follows the affinity `taskset` sets), unless node was given each of them
 * or its opposite already, this process starts node again with those it
 * was not given and the same arguments and standard streams, and answers
 * false: it then only passes on the signals that stop a server and leaves
 * as the server does, with its exit code or its signal. The server runs in
 * a session of its own, so that a terminal's Ctrl-C reaches it once,
 * through this process. Its pid is the one the pidfile and INFO's
 * process_id name.
 */
export function runsServer(cores = os.availableParallelism()): boolean {
  // V8 takes a flag's last value, so one appended to a setting the user gave node would override it.
  const missing = cores > 1 ? [] : ONE_CORE_FLAGS.filter((flag) => !givenToNode(flag));
  if (missing.length === 0) {
    // Taken out of the environment, so that a daemon this server starts does not think it has a launcher.
    launcher = Number(process.env[LAUNCHER_ENV] ?? 0);
    delete process.env[LAUNCHER_ENV];
    return true;
  }
  const server = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, [LAUNCHER_ENV]: String(process.pid) },
  });
  for (const signal of PASSED_ON) process.on(signal, () => server.kill(signal));
  server.on('error', (e) => {
    console.error(`Could not start the server: ${e.message}`);
    process.exit(1);
  });
  server.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
  return false;
}

/**
 * Calls `gone` once, if this server was started by a launcher (runsServer)
 * and the launcher has gone without passing a signal on (killed with
 * SIGKILL): the server is then nobody's child, and would go on serving
 * where whoever killed the launcher meant to stop it.
 */
export function whenLauncherGone(gone: () => void): void {
  if (launcher === 0) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    gone();
  }, LAUNCHER_CHECK_MS);
  timer.unref();
}
