import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { globMatch } from '../core/glob.js';
import { daemonHandover, DEFAULT_PID_FILE, type Handover } from './daemon.js';
import { strerror } from '../persistence/io.js';
import {
  commandRenames, ConfigError, configuredUsers, parseArgs, parseStartupConfig, resolveConfig, type ConfigLine,
} from '../server/config-file.js';
import { CommandRenameError, Server } from '../server/server.js';

/**
 * What sluice-server starts from: its configuration (a file, standard
 * input, the command line, or what the process that daemonized handed
 * over) and the server built from it.
 */

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch (e) {
    throw new Error(`Fatal error, can't open config file '${file}': ${strerror(e)}`);
  }
}

/**
 * An `include` directive's files: the one named, or, for a pattern in its
 * last part (`include /etc/redis/conf.d/*.conf`), the matching files in
 * name order read as one text, none being no error (Redis's glob rules).
 */
function readInclude(pattern: string): string {
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return readConfigFile(pattern);
  const dir = path.dirname(pattern);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  return names
    .filter((n) => (!n.startsWith('.') || base.startsWith('.')) && globMatch(base, n))
    .sort()
    .map((n) => readConfigFile(path.join(dir, n)))
    .join('');
}

/** What the configuration asks of the server: its parameters and the commands renamed (with the lines that rename them). */
interface Startup {
  settings: [string, string][];
  renames: ConfigLine[];
  users: string[][];
}

/**
 * Reads the file, standard input and the options, in that order and as one
 * text as Redis does, into validated parameter pairs and command renames.
 */
function loadSettings(argv: string[]): Startup {
  const parsed = parseArgs(argv);
  const fileText = parsed.file === null ? '' : readConfigFile(parsed.file);
  const stdinText = parsed.stdin ? readFileSync(0, 'latin1') : '';
  const lines = parseStartupConfig(fileText, stdinText, parsed, parsed.file ?? 'stdin', readInclude);
  const settings = resolveConfig(lines);
  // As Redis: a log file that cannot be opened is a configuration error, found before anything starts.
  const logfile = settings.find(([name]) => name === 'logfile')?.[1] ?? '';
  if (logfile !== '') {
    try {
      closeSync(openSync(logfile, 'a'));
    } catch (e) {
      throw new ConfigError(null, `Can't open the log file: ${strerror(e)}`);
    }
  }
  return { settings, renames: commandRenames(lines), users: configuredUsers(lines) };
}

/** The file CONFIG REWRITE writes back: the one given, made absolute as Redis does. */
function configFilePath(argv: string[]): string | null {
  const file = parseArgs(argv).file;
  return file === null ? null : path.resolve(file);
}

/** The configuration of this process: read here, or handed over by the process that daemonized. */
export function startupSettings(argv: string[]): Handover & { daemon: boolean; lines: ConfigLine[] } {
  const handover = daemonHandover();
  if (handover !== null) return { ...handover, daemon: true, lines: [] };
  const { settings, renames, users } = loadSettings(argv);
  // A broker keeps what it queues: the server runs with the AOF on (everysec) unless told otherwise.
  if (!settings.some(([name]) => name === 'appendonly')) settings.unshift(['appendonly', 'yes']);
  const daemonize = settings.some(([name, value]) => name === 'daemonize' && value === 'yes');
  if (daemonize && !settings.some(([name, value]) => name === 'pidfile' && value !== '')) settings.push(['pidfile', DEFAULT_PID_FILE]);
  return {
    settings, configFile: configFilePath(argv), renames: renames.map((l) => [l.args[1], l.args[2]]), users, daemon: false, lines: renames,
  };
}

/**
 * The server; a rename the command table refuses is reported with its line,
 * as Redis reports it. A server built only to check the configuration
 * before daemonizing logs nowhere: the daemon opens the log file.
 */
export function newServer(startup: Handover & { lines: ConfigLine[] }, checkOnly: boolean): Server {
  const settings: [string, string][] = checkOnly
    ? [...startup.settings.filter(([name]) => name !== 'logfile'), ['logfile', '']]
    : startup.settings;
  const logTo = checkOnly ? { destination: new Writable({ write: (_chunk, _encoding, done) => done() }) } : {};
  try {
    return new Server(settings, logTo, startup.configFile, startup.renames, startup.users);
  } catch (e) {
    if (e instanceof CommandRenameError && startup.lines[e.index] !== undefined) throw new ConfigError(startup.lines[e.index], e.message);
    throw e;
  }
}

