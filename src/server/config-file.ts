import { splitInlineArgs } from '../protocol/inline.js';
import { Config } from './config.js';
import { formatValue } from './config-values.js';

export interface ConfigLine {
  name: string;
  value: string;
  /** Where it came from: a file and line number, or the command line. */
  file: string | null;
  line: number;
  /** The line or option as written, quoted back in error messages. */
  text: string;
}

/** A configuration that cannot be used; the message is the complete report, Redis-style. */
export class ConfigError extends Error {
  constructor(where: { file: string | null; line: number; text: string }, reason: string) {
    const origin = where.file === null ? 'Reading the command line' : `Reading the configuration file ${where.file}, at line ${where.line}`;
    super(`${origin}\n>>> '${where.text}'\n${reason}`);
  }
}

/** Nested `include` directives deeper than this are a loop, not a layout. */
const MAX_INCLUDE_DEPTH = 16;

/**
 * Parses redis.conf text: one directive a line, `#` comments, Redis's
 * quoting ("double" with escapes, 'single'), and `include <path>` read
 * through `readInclude`.
 */
export function parseConfigText(
  text: string,
  file: string,
  readInclude: (path: string) => string = () => {
    throw new Error('include is not available here');
  },
  depth = 0,
): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where = { file, line: i + 1, text: trimmed };
    const args = splitInlineArgs(Buffer.from(trimmed, 'latin1'));
    if (args === null) throw new ConfigError(where, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    const [name, ...rest] = args.map((a) => a.toString('latin1'));
    if (name.toLowerCase() === 'include') {
      if (rest.length !== 1) throw new ConfigError(where, 'include takes exactly one file name');
      if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigError(where, `include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      let included: string;
      try {
        included = readInclude(rest[0]);
      } catch (e) {
        throw new ConfigError(where, `Fatal error, can't open config file '${rest[0]}': ${(e as Error).message}`);
      }
      out.push(...parseConfigText(included, rest[0], readInclude, depth + 1));
      continue;
    }
    out.push({ name: name.toLowerCase(), value: rest.join(' '), ...where });
  }
  return out;
}

export interface ParsedArgs {
  /** A config file path, '-' for standard input, or null. */
  file: string | null;
  lines: ConfigLine[];
}

/**
 * Turns redis-server style arguments (`[file] --port 7000 --bind a b`) into
 * directives: an option takes every argument up to the next `--option`.
 */
export function parseArgs(args: readonly string[]): ParsedArgs {
  let file: string | null = null;
  let i = 0;
  if (args.length > 0 && !args[0].startsWith('--')) file = args[i++];
  const lines: ConfigLine[] = [];
  while (i < args.length) {
    const a = args[i++];
    const where = { file: null, line: 0, text: a };
    if (!a.startsWith('--') || a.length === 2) {
      throw new ConfigError(where, `Unexpected argument '${a}': options are written --name value, and only the first argument may be a config file`);
    }
    const values: string[] = [];
    while (i < args.length && !args[i].startsWith('--')) values.push(args[i++]);
    lines.push({ name: a.slice(2).toLowerCase(), value: values.join(' '), ...where, text: [a, ...values].join(' ') });
  }
  return { file, lines };
}

/**
 * Checks every directive against the parameters Sluice knows, one at a time
 * so an error names its line, and resolves repeats as Redis does: the last
 * one wins (the command line comes after the file), except for a parameter
 * whose lines add up (save).
 */
export function resolveConfig(lines: readonly ConfigLine[]): [string, string][] {
  const scratch = new Config();
  const byName = new Map<string, string>();
  for (const l of lines) {
    const def = scratch.def(l.name);
    if (def === undefined) throw new ConfigError(l, `Bad directive or wrong number of arguments: unknown option '${l.name}'`);
    const prev = byName.get(def.name);
    const value = def.accumulates && prev !== undefined && prev !== '' && l.value !== '' ? `${prev} ${l.value}` : l.value;
    const err = scratch.setMany([[l.name, value]], { startup: true });
    if (err !== null) throw new ConfigError(l, `Bad value for '${l.name}': ${reasonOf(err)}`);
    byName.delete(def.name);
    // The resulting value, not the line: a parameter may merge its lines (client-output-buffer-limit).
    byName.set(def.name, formatValue(scratch.value(def)));
  }
  return [...byName];
}

/** The reason part of a CONFIG SET error ("... - argument must be ..."). */
function reasonOf(err: string): string {
  const dash = err.indexOf(' - ');
  return dash === -1 ? err.replace(/^ERR /, '') : err.slice(dash + 3);
}
