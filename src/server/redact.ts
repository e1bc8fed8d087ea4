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
  // ACL SETUSER: the user name and every rule (passwords among them).
  if (name === 'acl' && argv.length > 2 && argv[1].toLowerCase() === 'setuser') return hide(argv, range(2, argv.length));
  if (name === 'migrate') return hide(argv, migrateSecrets(argv));
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

/** MIGRATE ... [AUTH password | AUTH2 username password] [KEYS ...]: the credentials. */
function migrateSecrets(argv: string[]): number[] {
  for (let i = 6; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'keys') break;
    if (opt === 'auth' && i + 1 < argv.length) return [i + 1];
    if (opt === 'auth2' && i + 2 < argv.length) return [i + 1, i + 2];
  }
  return [];
}
