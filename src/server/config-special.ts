import { toFloat } from '../core/numbers.js';
import { strtoll } from './save-points.js';

/**
 * The parameters whose values have a syntax of their own (Redis's "special"
 * configs and its validators): each exports a validate function (an error
 * reason or null) and, where Redis prints the value differently from how it
 * was written, a normalize function. Values holding several arguments come
 * joined by single spaces, as CONFIG SET receives them.
 */

const WRONG_ARGS = 'wrong number of arguments';

/** Redis splits a multi-argument value on single spaces (so two spaces make an empty word). */
function words(raw: string): string[] {
  return raw === '' ? [] : raw.split(' ');
}

/** Redis accepts at most this many addresses in `bind` (CONFIG_BINDADDR_MAX). */
const MAX_BIND_ADDRESSES = 16;

export function validateBind(raw: string): string | null {
  return words(raw).length > MAX_BIND_ADDRESSES ? 'Too many bind addresses specified.' : null;
}

/** `replicaof <host> <port>` or `replicaof no one`; stored as "host port" or empty. */
export function validateReplicaOf(raw: string): string | null {
  const w = words(raw);
  if (w.length !== 2) return WRONG_ARGS;
  if (isNoOne(w)) return null;
  const port = strtoll(w[1]);
  return port === null || port < 0n || port > 65535n ? 'Invalid master port' : null;
}

export function normalizeReplicaOf(raw: string): string {
  const w = words(raw);
  return isNoOne(w) ? '' : `${w[0]} ${Number(strtoll(w[1]))}`;
}

function isNoOne(w: string[]): boolean {
  return w[0].toLowerCase() === 'no' && w[1].toLowerCase() === 'one';
}

/** oom-score-adj-values: one adjustment per process class (master, replica, background child). */
export function validateOomScoreAdjValues(raw: string): string | null {
  const w = words(raw);
  if (w.length !== 3) return WRONG_ARGS;
  for (const v of w) {
    const n = strtoll(v);
    if (n === null || n < -2000n || n > 2000n) return 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.';
  }
  return null;
}

export function normalizeOomScoreAdjValues(raw: string): string {
  return words(raw).map((v) => String(strtoll(v))).join(' ');
}

/** latency-tracking-info-percentiles: doubles within [0, 100]; empty for none. */
export function validatePercentiles(raw: string): string | null {
  for (const v of words(raw)) {
    const d = toFloat(v);
    if (d === null || Number.isNaN(d)) return 'Invalid latency-tracking-info-percentiles parameters';
    if (d > 100 || d < 0) return 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]';
  }
  return null;
}

/** As Redis prints them: "%f", then trailing zeros and a trailing point removed. */
export function normalizePercentiles(raw: string): string {
  return words(raw)
    .map((v) => toFloat(v)!.toFixed(6).replace(/\.?0+$/, ''))
    .join(' ');
}

/** shutdown-on-sigint/sigterm flags, in the order Redis lists (and prints) them. */
const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'] as const;

export function validateShutdownFlags(raw: string): string | null {
  const w = words(raw).map((x) => x.toLowerCase());
  if (w.length === 0 || w.some((x) => !(SHUTDOWN_FLAGS as readonly string[]).includes(x))) {
    return `argument(s) must be one of the following: ${SHUTDOWN_FLAGS.join(', ')}`;
  }
  if (w.includes('save') && w.includes('nosave')) return "shutdown options SAVE and NOSAVE can't be used simultaneously";
  return null;
}

/** The flags set, in Redis's order; `default` alone when none is. */
export function normalizeShutdownFlags(raw: string): string {
  const w = new Set(words(raw).map((x) => x.toLowerCase()));
  const set = SHUTDOWN_FLAGS.filter((f) => f !== 'default' && w.has(f));
  return set.length === 0 ? 'default' : set.join(' ');
}

/** Redis's NET_HOST_STR_LEN: announced hostnames must be shorter. */
const HOST_STR_LEN = 256;

export function validateHostname(raw: string): string | null {
  if (raw.length >= HOST_STR_LEN) return `Hostnames must be less than ${HOST_STR_LEN} characters`;
  return /^[A-Za-z0-9.-]*$/.test(raw) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
}

/** Characters a cluster node's human name may not hold (Redis's isValidAuxChar). */
const AUX_FORBIDDEN = /[!#$%&()*+:;<>?@[\]^{|}~\0]/;

export function validateNodename(raw: string): string | null {
  return AUX_FORBIDDEN.test(raw) ? 'Announced human node name contained invalid character' : null;
}

/** Placeholders for checking a template: the variables that may be empty at run time are empty. */
const TITLE_CHECK_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['title', ''], ['listen-addr', 'x'], ['server-mode', ''], ['config-file', 'x'], ['port', 'x'], ['tls-port', 'x'], ['unixsocket', ''],
]);

/**
 * Expands a proc-title-template (`{name}` variables, `{{` for a brace),
 * trimming spaces as Redis does; null when a variable is unknown or
 * unterminated.
 */
export function expandTitleTemplate(raw: string, variables: ReadonlyMap<string, string>): string | null {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf('{', i);
    if (open === -1) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, open);
    if (open + 1 >= raw.length) return null;
    if (raw[open + 1] === '{') {
      out += '{';
      i = open + 2;
      continue;
    }
    const close = raw.indexOf('}', open + 1);
    if (close === -1) return null;
    const value = variables.get(raw.slice(open + 1, close));
    if (value === undefined) return null;
    out += value;
    i = close + 1;
  }
  return out.replace(/^ +| +$/g, '');
}

/** proc-title-template: invalid when it does not expand, or expands to nothing. */
export function validateProcTitleTemplate(raw: string): string | null {
  const title = expandTitleTemplate(raw, TITLE_CHECK_VARIABLES);
  return title === null || title === '' ? 'template format is invalid or contains unknown variables' : null;
}
