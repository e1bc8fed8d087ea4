import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient } from '../helpers/resp-client.js';

const OK = { t: 'simple', v: 'OK' };

let root = '';
let n = 0;
beforeAll(() => {
  ensureBuild();
  root = mkdtempSync(path.join(os.tmpdir(), 'sluice-signals-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  const dir = path.join(root, `d${n++}`);
  mkdirSync(dir);
  return dir;
}

/** Waits (at most 10 s) until the child has logged `text`. */
async function logged(s: ChildSluice, text: string): Promise<void> {
  for (let i = 0; i < 400 && !s.output().includes(text); i++) await new Promise((r) => setTimeout(r, 25));
  expect(s.output()).toContain(text);
}

/** Runs `body` on a child started in `dir` with DEBUG enabled and a connection to it; the child is killed after. */
async function withChild(dir: string, args: string[], body: (s: ChildSluice, c: RespClient) => Promise<void>): Promise<void> {
  const s = await startChild(['--dir', dir, '--enable-debug-command', 'yes', ...args]);
  const c = await RespClient.connect(s.port);
  try {
    await body(s, c);
  } finally {
    c.close();
    await s.kill('SIGKILL');
  }
}

describe('SIGTERM and SIGINT', () => {
  test('the shutdown a signal asks for is left to the cron: while DEBUG PAUSE-CRON holds it, SHUTDOWN ABORT calls it off', async () => {
    await withChild(freshDir(), ['--save', ''], async (s, c) => {
      expect(await c.call('SHUTDOWN', 'ABORT')).toEqual({ t: 'error', v: 'ERR No shutdown in progress.' });
      expect(await c.call('DEBUG', 'PAUSE-CRON', '1')).toEqual(OK);
      s.child.kill('SIGTERM');
      await logged(s, 'Received SIGTERM scheduling shutdown...');
      expect(await c.call('SHUTDOWN', 'ABORT')).toEqual(OK);
      await logged(s, 'Shutdown manually aborted.');
      expect(await c.call('SHUTDOWN', 'ABORT')).toEqual({ t: 'error', v: 'ERR No shutdown in progress.' });
      expect(await c.call('DEBUG', 'PAUSE-CRON', '0')).toEqual(OK);
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(s.output()).not.toContain('User requested shutdown');
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 0, signal: null });
      expect(s.output()).toContain('User requested shutdown...');
    });
  });

  test('a second SIGINT before the shutdown began exits at once, with an error, and removes the temporary file of a save', async () => {
    const dir = freshDir();
    await withChild(dir, ['--save', '900 1'], async (s, c) => {
      const temp = path.join(dir, `temp-${s.child.pid}.rdb`);
      expect(await c.call('SET', 'k', 'v')).toEqual(OK);
      expect(await c.call('DEBUG', 'PAUSE-CRON', '1')).toEqual(OK);
      writeFileSync(temp, 'REDIS0011');
      s.child.kill('SIGINT');
      await logged(s, 'Received SIGINT scheduling shutdown...');
      s.child.kill('SIGINT');
      expect(await s.exited).toEqual({ code: 1, signal: null });
      expect(s.output()).toContain('You insist... exiting now.');
      expect(existsSync(temp)).toBe(false);
      // No final save: the process left before the cron could make one.
      expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
    });
  });

  test('shutdown-on-sigterm says how: nosave leaves out the final save the save points ask for', async () => {
    const dir = freshDir();
    await withChild(dir, ['--save', '900 1', '--appendonly', 'no'], async (s, c) => {
      expect(await c.call('SET', 'k', 'v')).toEqual(OK);
      expect(await c.call('CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave')).toEqual(OK);
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 0, signal: null });
      expect(s.output()).not.toContain('Saving the final RDB snapshot before exiting.');
      expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
    });
  });

  test('a final save that fails keeps the server up on SIGTERM, until shutdown-on-sigterm says force', async () => {
    const dir = freshDir();
    await withChild(dir, ['--save', '900 1', '--appendonly', 'no'], async (s, c) => {
      expect(await c.call('SET', 'k', 'v')).toEqual(OK);
      // A directory where the dump goes: the save's rename fails.
      mkdirSync(path.join(dir, 'dump.rdb'));
      s.child.kill('SIGTERM');
      await logged(s, "Error trying to save the DB, can't exit.");
      await logged(s, 'Errors trying to shut down the server. Check the logs for more information.');
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(await c.call('CONFIG', 'SET', 'shutdown-on-sigterm', 'force')).toEqual(OK);
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 0, signal: null });
      expect(s.output()).toContain('Error trying to save the DB. Exit anyway.');
    });
  });
});
