import { readFileSync } from 'node:fs';

/** Linux reports a thread's times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * The main thread's own CPU time in µs (Redis's RUSAGE_THREAD), from
 * /proc: process.cpuUsage() also counts V8's and libuv's threads. Null
 * where /proc has no such file.
 */
export function mainThreadCpu(): { user: number; system: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: the fields that follow start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
  return { user: (user * 1e6) / USER_HZ, system: (system * 1e6) / USER_HZ };
}
