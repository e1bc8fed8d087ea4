import { openSync, readSync } from 'node:fs';

/** Linux reports a thread's times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * The main thread's stat file, opened once: every INFO reads it, and a
 * pread at offset 0 of an open procfs file gives its current content for
 * one syscall, where opening it again took four and a fresh buffer.
 */
let statFd: number | null | undefined;
const statBuffer = Buffer.alloc(4096);

function readStat(): string | null {
  if (statFd === undefined) {
    try {
      statFd = openSync(`/proc/self/task/${process.pid}/stat`, 'r');
    } catch {
      statFd = null;
    }
  }
  if (statFd === null) return null;
  try {
    return statBuffer.toString('latin1', 0, readSync(statFd, statBuffer, 0, statBuffer.length, 0));
  } catch {
    return null;
  }
}

/**
 * The main thread's own CPU time in µs (Redis's RUSAGE_THREAD), from
 * /proc: process.cpuUsage() also counts V8's and libuv's threads. Null
 * where /proc has no such file.
 */
export function mainThreadCpu(): { user: number; system: number } | null {
  const stat = readStat();
  if (stat === null) return null;
  // The command name is in parentheses and may hold spaces: the fields that follow start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
  return { user: (user * 1e6) / USER_HZ, system: (system * 1e6) / USER_HZ };
}
