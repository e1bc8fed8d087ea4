import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RespClient } from './resp-client.js';
import { freePort } from './servers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Tests that run the CLI need dist/ (npm test follows npm run build); a missing or stale build is rebuilt once. */
export function ensureBuild(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(path.join(ROOT, 'src'))) return;
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(CLI)) throw new Error('dist/cli.js could not be built: run npm run build');
}

/** A Sluice running as a child process (`node dist/cli.js …`). */
export interface ChildSluice {
  port: number;
  child: ChildProcess;
  /** What it printed so far (its log). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node dist/cli.js --port <port, else a free one> --bind 127.0.0.1 …args` and waits
 * (at most `timeoutMs`) until it answers PING with PONG, i.e. until its AOF
 * is loaded. Rejects with its output when it exits first.
 */
export async function startChild(args: string[], timeoutMs = 15000, port?: number): Promise<ChildSluice> {
  port ??= await freePort();
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--bind', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const handle: ChildSluice = {
    port,
    child,
    output: () => out,
    exited,
    kill: async (signal) => {
      if (!ended) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (ended) throw new Error(`sluice exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      await handle.kill('SIGKILL');
      throw new Error(`sluice was not ready within ${timeoutMs} ms:\n${out}`);
    }
    const c = await RespClient.connect(port).catch(() => null);
    if (c !== null) {
      const r = await c.call('PING').catch(() => null);
      c.close();
      if (r !== null && r.t === 'simple' && r.v === 'PONG') return handle;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The fields of /proc/<pid>/stat from the third on (the state, the parent,
 * the process group, the session, …), or null when there is no such process.
 */
export function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces (Sluice's process title does).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Whether a process of that pid is still running: one that exited and awaits its parent's reaping (a zombie) is not. */
export function isAlive(pid: number): boolean {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== 'Z';
}
