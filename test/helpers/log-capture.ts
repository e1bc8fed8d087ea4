import { Writable } from 'node:stream';
import { parseRedisLine, type RedisLogLine } from './redis-log.js';

/**
 * Where an in-process server's log lines go during tests: kept for the test
 * to read instead of printed, so a test run shows only what tests report.
 * The lines are Redis's (the default log-format); `raw` keeps the text.
 */
export class LogCapture extends Writable {
  readonly lines: RedisLogLine[] = [];
  raw = '';
  private partial = '';

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = chunk.toString();
    this.raw += text;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) {
      const parsed = parseRedisLine(line);
      if (parsed !== null) this.lines.push(parsed);
    }
    done();
  }

  /** The messages logged at a level, in order. */
  messages(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.msg);
  }
}
