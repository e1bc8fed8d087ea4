import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { CLI, ensureBuild } from './child-sluice.js';
import { RespClient } from './resp-client.js';

/** A process a test started: its output so far, and how it ended. */
export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface CliRuns {
  /** The file's scratch directory, the processes' working directory. */
  dir: () => string;
  /** Starts `file args`, in the scratch directory unless `cwd` says otherwise. */
  run(file: string, args: string[], cwd?: string): Run;
  /** `node dist/cli.js …args`. */
  sluice(...args: string[]): Run;
}

/**
 * For a test file that runs sluice-server (or redis-server) as processes:
 * dist is built first, each process starts in the file's scratch
 * directory, whatever a test left running is killed after it, and the
 * directory goes at the end.
 */
export function useCliRuns(prefix: string): CliRuns {
  const children: ChildProcess[] = [];
  let dir = '';
  beforeAll(() => {
    ensureBuild();
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  }, 120_000);
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (file: string, args: string[], cwd = dir): Run => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    return { child, stdout: () => out, stderr: () => err, exit };
  };
  return { dir: () => dir, run, sluice: (...args) => run(process.execPath, [CLI, ...args]) };
}

/**
 * Waits (at most about 10 s) until the port takes a connection, or with
 * `answering` until it answers PING (its data loaded), or the process ends.
 */
export async function connectWhenUp(port: number, r: Run, answering = false): Promise<RespClient> {
  for (let i = 0; i < 200; i++) {
    if (r.child.exitCode !== null) throw new Error(`sluice exited ${r.child.exitCode}: ${r.stderr()}${r.stdout()}`);
    const c = await RespClient.connect(port).catch(() => null);
    if (c !== null) {
      if (!answering) return c;
      const pong = await c.call('PING').catch(() => null);
      if (pong?.t === 'simple') return c;
      c.close();
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`nothing listening on ${port}; output: ${r.stderr()}${r.stdout()}`);
}
