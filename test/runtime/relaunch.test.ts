import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runsServer } from '../../src/runtime/relaunch.js';
import { ensureBuild, isAlive, procStat, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient } from '../helpers/resp-client.js';

/** node behind `taskset -c 0`: a process that may use one core, as the benchmarks run servers. */
const ONE_CORE = ['taskset', '-c', '0', process.execPath];

let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-relaunch-'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serverPid(s: ChildSluice): Promise<number> {
  const c = await RespClient.connect(s.port);
  try {
    const r = await c.call('INFO', 'server');
    return Number(/process_id:(\d+)/.exec(String(r.v))![1]);
  } finally {
    c.close();
  }
}

/** The node flags the server logged as it started. */
function nodeFlagsOf(s: ChildSluice): string[] {
  const flags = /node flags: (.*?), V8 background threads/.exec(s.output())![1];
  return flags === '(none)' ? [] : flags.split(' ');
}

function sessionOf(pid: number): number {
  return Number(procStat(pid)![3]);
}

const args = () => ['--dir', dir, '--save', '', '--appendonly', 'no'];

describe('sluice-server on one core', () => {
  test('taskset is here to pin the tests', () => {
    expect(spawnSync('taskset', ['-c', '0', 'true']).status).toBe(0);
  });

  test('runs the server in node started again with its one-core flags, which a SIGTERM to the launcher shuts down', async () => {
    const s = await startChild(args(), 15000, ONE_CORE);
    const pid = await serverPid(s);
    expect(pid).not.toBe(s.child.pid);
    expect(nodeFlagsOf(s)).toEqual([
      '--no-concurrent-recompilation',
      '--concurrent-marking-max-worker-num=1',
      '--no-parallel-scavenge',
      '--no-parallel-compaction',
      '--no-parallel-pointer-update',
    ]);
    // A session of its own, so that a terminal's Ctrl-C reaches it through the launcher only.
    expect(sessionOf(pid)).toBe(pid);
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(pid)).toBe(false);
    expect(s.output()).toContain('Received SIGTERM scheduling shutdown');
    expect(s.output()).toContain('ready to exit, bye bye');
  });

  test('a SIGINT to the launcher shuts the server down as one sent to the server would', async () => {
    const s = await startChild(args(), 15000, ONE_CORE);
    s.child.kill('SIGINT');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.output()).toContain('Received SIGINT scheduling shutdown');
  });

  test('the launcher leaves with the server\'s exit code when the server cannot start', async () => {
    const first = await startChild(args(), 15000, ONE_CORE);
    const clash = spawnSync(ONE_CORE[0], [...ONE_CORE.slice(1), 'dist/main/cli.js', '--port', String(first.port), '--bind', '127.0.0.1', ...args()], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      timeout: 15000,
    });
    expect(clash.status).toBe(1);
    expect(clash.stdout).toContain(`Failed listening on port ${first.port} (tcp), aborting.`);
    await first.kill('SIGTERM');
  });

  test('the launcher is killed by the signal that killed the server', async () => {
    const s = await startChild(args(), 15000, ONE_CORE);
    process.kill(await serverPid(s), 'SIGKILL');
    expect(await s.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  test('a server whose launcher was killed outright shuts itself down', async () => {
    const s = await startChild(args(), 15000, ONE_CORE);
    const pid = await serverPid(s);
    s.child.kill('SIGKILL');
    // The server holds the launcher's output pipe: it closes when the server has gone too.
    expect(await s.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    expect(s.output()).toContain('The process that started this server is gone, scheduling shutdown');
    expect(s.output()).toContain('ready to exit, bye bye');
  });

  test('a one-core setting given to node stands: the second process gets only the flags it was not given', async () => {
    const s = await startChild(args(), 15000, [...ONE_CORE, '--parallel-scavenge', '--concurrent-marking-max-worker-num=3']);
    expect(await serverPid(s)).not.toBe(s.child.pid);
    expect(nodeFlagsOf(s)).toEqual([
      '--parallel-scavenge',
      '--concurrent-marking-max-worker-num=3',
      '--no-concurrent-recompilation',
      '--no-parallel-compaction',
      '--no-parallel-pointer-update',
    ]);
    await s.kill('SIGTERM');
  });

  test('with every one-core setting given to node, there is no second process', async () => {
    const given = [
      '--concurrent-recompilation',
      '--concurrent_marking_max_worker_num=2',
      '--no-parallel-scavenge',
      '--parallel-compaction',
      '--no-parallel_pointer_update',
    ];
    const s = await startChild(args(), 15000, [...ONE_CORE, ...given]);
    expect(await serverPid(s)).toBe(s.child.pid);
    expect(nodeFlagsOf(s)).toEqual(given);
    await s.kill('SIGTERM');
  });

  test('with more than one core the process runs the server itself', () => {
    expect(runsServer(2)).toBe(true);
  });
});
