/**
 * Whether node itself was given a setting of the V8 flag `flag` (its name,
 * with or without a value: `--concurrent-sweeping`, `--no-parallel-scavenge`,
 * `--page-promotion-threshold=0`), either way and with any value, on its
 * command line or in NODE_OPTIONS: a V8 setting chosen there stands over
 * what sluice-server would set. V8 reads `-` and `_` in a name alike.
 */
export function givenToNode(flag: string): boolean {
  const name = flag.replace(/^--(no-)?/, '').replace(/=.*$/, '');
  const pattern = new RegExp(`^--(no-)?${name.split(/[-_]/).join('[-_]')}(=|$)`);
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => pattern.test(f));
}
