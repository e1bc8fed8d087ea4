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
  /** The role letter of Redis's lines: M on a master, S on a replica. */
  role?: () => 'M' | 'S';
}

/** The mark that gives an entry another shape in Redis's format (log-lines.ts), as a pino merging object. */
export function shaped(shape: Shape): Record<string, Shape> {
  return { [SHAPE]: shape };
}

const LEVEL_NAMES: Record<number, string> = { 20: 'debug', 25: 'verbose', 30: 'notice', 40: 'warning' };

/**
 * Redis's lines from pino's calls; what else an entry carries has no place
 * in them. The usual call, a message alone or after its fields, is written
 * from pino's logMethod hook, with no JSON in between (half the cost of a
 * line); any other goes through pino's JSON, read back in write().
 */
class RedisLines implements DestinationStream {
  /** log-format json: pino's lines go out as they are, and the hook leaves every call to pino. */
  json = false;

  constructor(
    private readonly out: NodeJS.WritableStream | ReturnType<typeof logWriter>,
    private readonly role: () => 'M' | 'S',
  ) {}

  hook(): (this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) => void {
    const lines = this;
    return function logMethod(args, method, level) {
      const [first, second] = args;
      if (lines.json) {
        method.apply(this, args);
      } else if (args.length === 1 && typeof first === 'string') {
        lines.entry({ level: LEVEL_NAMES[level], time: Date.now(), msg: first });
      } else if (args.length === 2 && typeof second === 'string' && typeof first === 'object' && first !== null && !(first instanceof Error)) {
        lines.entry({ level: LEVEL_NAMES[level], time: Date.now(), msg: second, [SHAPE]: (first as LogEntry)[SHAPE] });
      } else {
        method.apply(this, args);
      }
    };
  }

  write(json: string): void {
    if (this.json) this.out.write(json);
    else this.entry(JSON.parse(json) as LogEntry);
  }

  private entry(e: LogEntry): void {
    this.out.write(redisLine(e, process.pid, this.role()));
  }

  flush(cb?: (err?: Error) => void): void {
    if ('flush' in this.out && typeof this.out.flush === 'function') this.out.flush(cb);
    else cb?.();
  }
}

/** Where each logger's lines are formatted, for setLogFormat. */
const formats = new WeakMap<Logger, RedisLines>();

/** Redis's lines unless `format` is json (setLogFormat changes it); standard output unless a file or a stream is given. */
export function createLogger(opts: LoggerOptions): Logger {
  const lines = new RedisLines(opts.destination ?? logWriter(opts.file ?? ''), opts.role ?? master);
  lines.json = opts.format === 'json';
  const log = pino(
    {
      hooks: { logMethod: lines.hook() },
      customLevels: LEVELS,
      useOnlyCustomLevels: true,
      level: opts.level,
      base: { pid: process.pid },
      formatters: {
        level: (label: string) => ({ level: label }),
        // The JSON format is pino's as it was: the shape mark is Redis's format's alone.
        log: (o: Record<string, unknown>) => (lines.json ? withoutShape(o) : o),
      },
    },
    lines,
  ) as Logger;
  formats.set(log, lines);
  return log;
}

/** CONFIG SET log-format: the lines from now on. */
export function setLogFormat(log: Logger, format: LogFormat): void {
  const lines = formats.get(log);
  if (lines !== undefined) lines.json = format === 'json';
}

const master = (): 'M' => 'M';

function withoutShape(o: Record<string, unknown>): Record<string, unknown> {
  if (!(SHAPE in o)) return o;
  const { [SHAPE]: _, ...rest } = o;
  return rest;
}
