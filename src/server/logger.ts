import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redisLine, SHAPE, type LogEntry, type Shape } from './log-lines.js';
import { logWriter } from './log-writer.js';

/** Redis's log levels, mapped onto pino's numeric scale ('nothing' silences everything). */
const LEVELS = { debug: 20, verbose: 25, notice: 30, warning: 40, nothing: 100 } as const;

export type LogLevel = keyof typeof LEVELS;

/** `log-format`: Redis's lines, or pino's JSON lines. */
export type LogFormat = 'redis' | 'json';

export type Logger = PinoLogger<'debug' | 'verbose' | 'notice' | 'warning' | 'nothing', boolean>;

export interface LoggerOptions {
  level: LogLevel;
  format?: LogFormat;
  /** A file to append the lines to; empty for standard output. */
  file?: string;
  /** Where to write instead of standard output or the file (tests, embedding). */
  destination?: NodeJS.WritableStream;
}

/** The mark that gives an entry another shape in Redis's format (log-lines.ts), as a pino merging object. */
export function shaped(shape: Shape): Record<string, Shape> {
  return { [SHAPE]: shape };
}

/** Pino's JSON written as Redis's lines; what else an entry carries has no place in them. */
class RedisLines implements DestinationStream {
  constructor(private readonly out: NodeJS.WritableStream | ReturnType<typeof logWriter>) {}

  write(json: string): void {
    this.out.write(redisLine(JSON.parse(json) as LogEntry, process.pid));
  }

  flush(cb?: (err?: Error) => void): void {
    if ('flush' in this.out && typeof this.out.flush === 'function') this.out.flush(cb);
    else cb?.();
  }
}

/** Redis's lines unless `format` is json; standard output unless a file or a stream is given. */
export function createLogger(opts: LoggerOptions): Logger {
  const json = opts.format === 'json';
  const out = opts.destination ?? logWriter(opts.file ?? '');
  return pino(
    {
      customLevels: LEVELS,
      useOnlyCustomLevels: true,
      level: opts.level,
      base: { pid: process.pid },
      formatters: {
        level: (label: string) => ({ level: label }),
        // The JSON format is pino's as it was: the shape mark is Redis's format's alone.
        ...(json ? { log: withoutShape } : {}),
      },
    },
    json ? (out as DestinationStream) : new RedisLines(out),
  ) as Logger;
}

function withoutShape(o: Record<string, unknown>): Record<string, unknown> {
  if (!(SHAPE in o)) return o;
  const { [SHAPE]: _, ...rest } = o;
  return rest;
}
