import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test, type ExpectStatic } from 'vitest';
import { CLI, ensureBuild } from '../helpers/child-sluice.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * Start-up configurations that redis-server refuses: Sluice must refuse
 * them with the same report on standard error (the version in its header
 * aside), the same line numbers included.
 */
const BAD_STARTS: Record<string, string[]> = {
  'an unknown option': ['--port', '0', '--no-such', 'x'],
  'a single-value option given two': ['--hz', '1', '2'],
  'an option given nothing': ['--port', '0', '--maxclients'],
  'a bad boolean': ['--daemonize', 'maybe'],
  'a bad memory value': ['--maxmemory', '1xx'],
  'a bad octal number': ['--unixsocketperm', '999'],
  'an octal number out of range': ['--unixsocketperm', '1000'],
  'an odd save list': ['--save', '900'],
  'replicaof without a port': ['--replicaof', 'host'],
  'replicaof with a bad port': ['--replicaof', 'host', '99999'],
  'oom-score-adj-values of two values': ['--oom-score-adj-values', '1', '2'],
  'shutdown flags that contradict': ['--shutdown-on-sigint', 'save', 'nosave'],
  'a password of two words': ['--requirepass', 'a', 'b'],
  'a short output limit': ['--client-output-buffer-limit', 'normal', '1', '2'],
  'seventeen bind addresses': ['--bind', ...Array.from({ length: 17 }, (_, i) => `127.0.0.${i + 1}`)],
  'a log file that cannot be opened': ['--logfile', '/nonexistent/dir/x.log'],
  'a percentage over 100': ['--maxmemory-clients', '101%'],
  'an unknown enum name': ['--maxmemory-policy', 'lru'],
  'a value out of range': ['--port', '0', '--databases', '0'],
};

/** Files whose errors name a line of the file, and options counted after it. */
const BAD_FILES: Record<string, [string, string[]]> = {
  'unbalanced quotes': ['port 0\nrequirepass "open\n', []],
  'a bad line in a file': ['# comment\n\nport 0\nhz x\n', []],
  'an option after a file': ['port 0\n', ['--no-such', 'x']],
  'a rename of a command that does not exist': ['port 0\nrename-command nosuch x\n', []],
  'a rename onto a name taken': ['port 0\n\nrename-command get set\n', []],
  'a rename with one name': ['rename-command get\n', []],
};

let dir: string;
beforeAll(() => {
  ensureBuild();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-conf-diff-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a server that is expected to refuse its configuration; resolves to its exit code and standard error. */
function refused(file: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // A server that starts after all would never end the test: stop it, and the comparison will show it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr: stderr.replace(/\(Redis [0-9.]+\)/, '(Redis x)') });
    });
  });
}

/** The line Sluice adds after Redis's report when the bad line came from the command line (config-file.test.ts checks it). */
const FROM_COMMAND_LINE = /^The directive came from the command line: .*\n/m;

async function compare(expect: ExpectStatic, args: string[]): Promise<void> {
  const [ours, theirs] = await Promise.all([refused(process.execPath, [CLI, ...args]), refused(redisServerPath!, args)]);
  expect(theirs.code).toBe(1);
  expect({ ...ours, stderr: ours.stderr.replace(FROM_COMMAND_LINE, '') }).toEqual(theirs);
}

// Each case waits on two processes that start and stop: the cases run side by side.
describe.skipIf(redisServerPath === null).concurrent('configuration errors at start-up (differential vs redis-server)', () => {
  for (const [name, args] of Object.entries(BAD_STARTS)) {
    test(`${name}: ${args.slice(0, 4).join(' ')}`, ({ expect }) => compare(expect, args));
  }
  for (const [name, [text, args]] of Object.entries(BAD_FILES)) {
    test(name, ({ expect }) => {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.conf`);
      writeFileSync(file, text);
      return compare(expect, [file, ...args]);
    });
  }
});
