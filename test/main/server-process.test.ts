import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI } from '../helpers/child-sluice.js';
import { connectWhenUp, useCliRuns, type Run } from '../helpers/cli-runs.js';
import { parseRedisLog } from '../helpers/redis-log.js';
import { freePort } from '../helpers/servers.js';

/**
 * Tools that watch a server by its pid (Redis's test suite, which waits for
 * the pid in the log; systemd's Type=simple; container runtimes) need the
 * process they started to be the server, on any number of cores.
 */

const { dir, run } = useCliRuns('sluice-process-');

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

/** The CPUs a process may run on, as /proc gives them ("0", "0-1"). */
function cpusAllowed(pid: number): string {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

const WAYS: { name: string; start: (args: string[]) => Run }[] = [
  { name: 'node dist/cli.js', start: (args) => run(process.execPath, [CLI, ...args]) },
  { name: 'taskset -c 0 node dist/cli.js (one core)', start: (args) => run('taskset', ['-c', '0', process.execPath, CLI, ...args]) },
];

describe.each(WAYS)('the process started as $name', ({ name, start }) => {
  test.skipIf(name.startsWith('taskset') && !hasTaskset)('is the server: it answers, INFO names its pid, it starts no other process, and a SIGTERM to it shuts it down as Redis does', async () => {
    const port = await freePort();
    const r = start(['--port', String(port), '--dir', path.join(dir(), `data-${port}`), '--save', '', '--appendonly', 'no']);
    const pid = r.child.pid!;
    const c = await connectWhenUp(port, r, true);
    if (name.startsWith('taskset')) expect(cpusAllowed(pid)).toBe('0');
    const info = (await c.call('INFO', 'server')) as { v: string };
    expect(Number(/^process_id:(\d+)\r$/m.exec(info.v)![1])).toBe(pid);
    expect(childrenOf(pid)).toEqual([]);
    c.close();

    r.child.kill('SIGTERM');
    expect(await r.exit).toEqual({ code: 0, signal: null });
    const logs = parseRedisLog(r.stdout());
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => l.pid === pid)).toBe(true);
    expect(logs.slice(-3).map((l) => [l.role, l.msg])).toEqual([
      ['signal-handler', 'Received SIGTERM scheduling shutdown...'],
      ['M', 'User requested shutdown...'],
      ['M', 'Sluice is now ready to exit, bye bye...'],
    ]);
  });
});
