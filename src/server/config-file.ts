import { checkUserDirective } from './acl/config-users.js';
import { splitInlineArgs } from '../protocol/inline.js';
import { Config } from './config.js';
import { DEPRECATED_DIRECTIVES } from './config-params.js';
import { quoteRepr } from './monitor.js';
import { REDIS_VERSION } from './version.js';

export interface ConfigLine {
  /** The directive, lower-cased, then its arguments. */
  args: string[];
  /** The file it came from (for the caller; Redis's messages name only the line). */
  file: string;
  line: number;
  /** The line as written, trimmed, quoted back in error messages. */
  text: string;
  /** For a line the command line made: the arguments it was made from (`--port 7000`). */
  option?: string;
}

/**
 * A configuration that cannot be used; the message is the complete report,
 * worded as Redis words it (the line number within the file that holds the
 * line, the line, the reason). Redis numbers the command line's options as
 * lines after the file's, which leaves a user looking for a typo in the
 * file; a line the command line made is named as such after the report,
 * which stays as Redis's so that tools reading it still can.
 */
export class ConfigError extends Error {
  constructor(where: { line: number; text: string; option?: string } | null, reason: string) {
    const at = where === null ? '' : `Reading the configuration file, at line ${where.line}\n>>> '${where.text}'\n`;
    const source = where?.option === undefined ? '' : `\nThe directive came from the command line: ${where.option}`;
    super(`*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n${at}${reason}${source}`);
  }
}

/** Nested `include` directives deeper than this are a loop, not a layout. */
const MAX_INCLUDE_DEPTH = 16;

/** The blanks Redis trims from both ends of a config line. */
const BLANKS = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Parses redis.conf text: one directive a line, `#` comments, Redis's
 * quoting ("double" with escapes, 'single'), and `include <path>` read
 * through `readInclude` (its lines numbered within their own text), which
 * throws the error that stops the start when the file cannot be read.
 */
export function parseConfigText(
  text: string,
  file: string,
  readInclude: (path: string) => string = () => {
    throw new Error('include is not available here');
  },
  depth = 0,
  /** Shown each line of this text itself (not of the files it includes) before it is read, to add what the caller knows of it. */
  mark: (l: ConfigLine) => void = () => {},
): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].replace(BLANKS, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where: ConfigLine = { args: [], file, line: i + 1, text: trimmed };
    mark(where);
    const split = splitInlineArgs(Buffer.from(trimmed, 'latin1'));
    if (split === null) throw new ConfigError(where, 'Unbalanced quotes in configuration line');
    if (split.length === 0) continue;
    const args = split.map((a) => a.toString('latin1'));
    args[0] = args[0].toLowerCase();
    if (args[0] === 'include' && args.length === 2) {
      if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigError(where, `include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      out.push(...parseConfigText(readInclude(args[1]), args[1], readInclude, depth + 1));
      continue;
    }
    out.push({ ...where, args });
  }
  return out;
}

export interface ParsedArgs {
  /** A config file path, or null. */
  file: string | null;
  /** Whether the configuration continues on standard input (`-` first or last). */
  stdin: boolean;
  /** The options as config-file lines, appended after the file (and standard input) as Redis does. */
  options: string;
  /** The arguments each option was made from, with the line of `options` it starts on (0 for the first). */
  sources: { line: number; args: string[] }[];
}

/**
 * Turns redis-server arguments (`[file] [-] --port 7000 --bind a b`) into
 * config-file text, as Redis does: each `--name` starts a line, the
 * arguments after it are quoted onto it; an option still waiting for its
 * first value takes the next argument even if it starts with `--`, except
 * that `--save` followed by an option (or last) means `save ""`.
 */
export function parseArgs(args: readonly string[]): ParsedArgs {
  let file: string | null = null;
  let stdin = false;
  let j = 0;
  if (args.length > 0 && !args[0].startsWith('-')) file = args[j++];
  let options = '';
  const sources: ParsedArgs['sources'] = [];
  let valueDone = true;
  for (; j < args.length; j++) {
    const a = args[j];
    if (a === '-' && (j === 0 || j === args.length - 1)) {
      stdin = true;
    } else if (valueDone && a.startsWith('--')) {
      if (options !== '') options += '\n';
      sources.push({ line: lineCount(options), args: [a] });
      options += `${a.slice(2)} `;
      const words = splitInlineArgs(Buffer.from(a, 'latin1'));
      if (words !== null && words.length === 1) {
        valueDone = false;
        const nextIsOption = j !== args.length - 1 && args[j + 1].startsWith('--');
        if (a.toLowerCase() === '--save' && (nextIsOption || j === args.length - 1)) {
          options += '""';
          valueDone = true;
        }
      } else {
        valueDone = true;
      }
    } else {
      if (sources.length === 0) sources.push({ line: 0, args: [] });
      sources[sources.length - 1].args.push(a);
      options += `${quoteRepr(a)} `;
      valueDone = true;
    }
  }
  return { file, stdin, options, sources };
}

/** How many line breaks `text` holds: an option's name may hold one of its own. */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** An argument as a shell would take it back: quoted only when it has to be. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** What the config text of a file, standard input and options is, joined as Redis joins them. */
export function configText(fileText: string, stdinText: string, options: string): string {
  return `${fileText}${stdinText}\n${options}`;
}

/**
 * The lines of the configuration sluice-server starts from, as
 * parseConfigText reads configText's text, each line the command line made
 * carrying the arguments it came from.
 */
export function parseStartupConfig(
  fileText: string, stdinText: string, parsed: ParsedArgs, file: string, readInclude: (path: string) => string,
): ConfigLine[] {
  const before = lineCount(`${fileText}${stdinText}\n`);
  return parseConfigText(configText(fileText, stdinText, parsed.options), file, readInclude, 0, (l) => {
    const at = l.line - 1 - before;
    if (at < 0) return;
    let source = parsed.sources[0];
    for (const s of parsed.sources) if (s.line <= at) source = s;
    if (source !== undefined) l.option = source.args.map(shellWord).join(' ');
  });
}

/**
 * Checks every directive against the parameters, one at a time so an error
 * names its line, and resolves repeats as Redis does: the last one wins
 * (the command line comes after the file), except for a parameter whose
 * lines add up (save). Returns the settings as [parameter, value] pairs.
 */
export function resolveConfig(lines: readonly ConfigLine[]): [string, string][] {
  const scratch = new Config();
  const byName = new Map<string, string>();
  const users = new Set<string>();
  for (const l of lines) {
    const [name, ...args] = l.args;
    const def = scratch.def(name);
    if (def === undefined) {
      if (DEPRECATED_DIRECTIVES.get(name) === args.length || isRename(l)) continue;
      if (isUser(l)) {
        const err = checkUserDirective(args, users);
        if (err !== null) throw new ConfigError(l, err);
        continue;
      }
      throw new ConfigError(l, 'Bad directive or wrong number of arguments');
    }
    let words = args;
    if (!def.multiArg && args.length !== 1) throw new ConfigError(l, 'wrong number of arguments');
    // A multi-argument parameter given one argument reads it as several ("--save '900 1'"), unless it is empty.
    if (def.multiArg && args.length === 1 && args[0] !== '') {
      words = (splitInlineArgs(Buffer.from(args[0], 'latin1')) ?? []).map((w) => w.toString('latin1'));
    }
    const value = words.join(' ');
    const prev = byName.get(def.name);
    const merged = def.accumulates && prev !== undefined && prev !== '' && value !== '' ? `${prev} ${value}` : value;
    const err = scratch.setMany([[name, merged]], { startup: true });
    if (err !== null) throw new ConfigError(l, reasonOf(err));
    byName.delete(def.name);
    // The resulting value, not the line: a parameter may merge its lines (client-output-buffer-limit).
    byName.set(def.name, scratch.settable(def));
  }
  return [...byName];
}

/** A `rename-command <name> <new name>` line (an empty new name removes the command). */
function isRename(l: ConfigLine): boolean {
  return l.args[0] === 'rename-command' && l.args.length === 3;
}

/** A `user <name> <rules...>` line: an ACL user declared in the config. */
function isUser(l: ConfigLine): boolean {
  return l.args[0] === 'user' && l.args.length >= 2;
}

/** The users the `user` lines declare, each as its name then its rules, in order. */
export function configuredUsers(lines: readonly ConfigLine[]): string[][] {
  return lines.filter(isUser).map((l) => l.args.slice(1));
}

/** The `rename-command` lines, in order: the server applies them to its command table at start. */
export function commandRenames(lines: readonly ConfigLine[]): ConfigLine[] {
  return lines.filter(isRename);
}

/** The reason part of a CONFIG SET error ("... - argument must be ..."). */
function reasonOf(err: string): string {
  const dash = err.indexOf(' - ');
  return dash === -1 ? err.replace(/^ERR /, '') : err.slice(dash + 3);
}
