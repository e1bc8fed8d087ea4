// A process's CPU time and page faults, read from /proc.
import { readFileSync } from 'node:fs';

/** /proc/<pid>/stat counts CPU time in clock ticks of 10 ms (USER_HZ on Linux). */
const TICK_US = 10_000;

/**
 * A process's user and system CPU time in µs so far and its minor page
 * faults (first touches of memory), or null where /proc is absent.
 */
export function cpuTimes(pid) {
  const fields = statFields(pid);
  return fields === null ? null : { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US, minorFaults: Number(fields[7]) };
}

/** The fields of /proc/<pid>/stat from the third (the state) on, or null. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces (Sluice's process title does): fields are counted after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** A process's user + system CPU time in µs so far, or null where /proc is absent. */
export function cpuMicros(pid) {
  const t = cpuTimes(pid);
  return t === null ? null : t.user + t.system;
}
