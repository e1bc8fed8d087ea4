import { spawnSync } from 'node:child_process';

/**
 * Runs `script` as an ES module in a fresh node, given `nodeFlags` and
 * started through `prefix` when there is one (`taskset -c 0` for a process
 * on one core), with no NODE_OPTIONS, so that what a module sets on V8 or
 * on the process's threads is seen from a clean start; returns what it
 * printed, and throws with its stderr when it fails.
 */
export function freshNodeOutput(script: string, nodeFlags: string[] = [], prefix: string[] = []): string {
  const argv = [...prefix, process.execPath, ...nodeFlags, '--input-type=module', '-e', script];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** The last line freshNodeOutput printed, parsed: what the script logged as JSON. */
export function lastJsonLine(output: string): any {
  return JSON.parse(output.trim().split('\n').pop()!);
}
