import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

/** Redis's log levels, mapped onto pino's numeric scale ('nothing' silences everything). */
const LEVELS = { debug: 20, verbose: 25, notice: 30, warning: 40, nothing: 100 } as const;

export type LogLevel = keyof typeof LEVELS;

export type Logger = PinoLogger<'debug' | 'verbose' | 'notice' | 'warning' | 'nothing', boolean>;

export interface LoggerOptions {
  level: LogLevel;
  /** A file to append JSON lines to; empty for standard output. */
  file?: string;
  /** Human-readable lines instead of JSON (the default on a terminal). */
  pretty?: boolean;
  /** Where to write instead of standard output (tests, embedding). */
  destination?: NodeJS.WritableStream;
}

/** JSON logs by default, readable lines when a person watches a terminal. */
export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    customLevels: LEVELS,
    useOnlyCustomLevels: true,
    level: opts.level,
    base: { pid: process.pid },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (opts.file) return pino(base, pino.destination({ dest: opts.file, append: true, sync: false })) as Logger;
  if (opts.pretty) {
    const stream = pretty({
      sync: true,
      destination: opts.destination ?? 1,
      customLevels: 'debug:20,verbose:25,notice:30,warning:40',
      useOnlyCustomProps: true,
      ignore: 'pid,hostname',
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    });
    return pino(base, stream) as Logger;
  }
  if (opts.destination) return pino(base, opts.destination) as Logger;
  return pino(base, pino.destination({ dest: 1, sync: false })) as Logger;
}
