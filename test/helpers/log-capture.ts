import { Writable } from 'node:stream';

/** One JSON log line as the server writes it. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * Where an in-process server's log lines go during tests: kept for the test
 * to read instead of printed, so a test run shows only what tests report.
 */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) if (line !== '') this.lines.push(JSON.parse(line) as LogLine);
    done();
  }

  /** The messages logged at a level, in order. */
  messages(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.msg);
  }
}
