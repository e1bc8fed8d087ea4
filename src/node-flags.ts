/**
 * Whether node itself was given a flag matching `pattern`, on its command
 * line or in NODE_OPTIONS: a V8 setting chosen there stands over what
 * sluice-server would set at run time.
 */
export function givenToNode(pattern: RegExp): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => pattern.test(f));
}
