import { PARAMETERS } from './config-params.js';

/**
 * Secrets never reach MONITOR or the slow log: Redis replaces them with
 * "(redacted)" in the arguments it shows, and so does Sluice.
 */
export const REDACTED = '(redacted)';

/** Configuration parameters (and aliases) whose CONFIG SET value is a secret. */
const SENSITIVE_CONFIG = new Set(PARAMETERS.filter((p) => p.sensitive).flatMap((p) => (p.alias ? [p.name, p.alias] : [p.name])));

/** The argv to show for a command: the same array when nothing is secret, a redacted copy otherwise. */
export function redactArgv(argv: string[]): string[] {
  const name = argv[0].toLowerCase();
  if (name === 'auth') return hide(argv, range(1, argv.length));
  if (name === 'hello') return hide(argv, helloSecrets(argv));
  if (name === 'config' && argv.length > 3 && argv[1].toLowerCase() === 'set') return hide(argv, configSecrets(argv));
  return argv;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function hide(argv: string[], positions: number[]): string[] {
  if (positions.length === 0) return argv;
  const out = argv.slice();
  for (const i of positions) out[i] = REDACTED;
  return out;
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]]: the username and password. */
function helloSecrets(argv: string[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'auth' && i + 2 < argv.length) {
      out.push(i + 1, i + 2);
      i += 2;
    } else if (opt === 'setname') {
      i++;
    }
  }
  return out;
}

/** CONFIG SET name value [name value ...]: the values of secret parameters. */
function configSecrets(argv: string[]): number[] {
  const out: number[] = [];
  for (let i = 2; i + 1 < argv.length; i += 2) {
    if (SENSITIVE_CONFIG.has(argv[i].toLowerCase())) out.push(i + 1);
  }
  return out;
}
