import fs from 'node:fs';

/** Where a writer's batches go: asynchronously in normal running, synchronously as the process exits. */
interface Sink {
  write(data: Buffer, done: () => void): void;
  writeSync(data: Buffer): void;
  /** Each line is written as it is logged, synchronously (a logfile, as Redis appends each line before it goes on). */
  readonly eachLine?: boolean;
}

/**
 * Log lines written in order. To standard output without blocking the
 * event loop: one write in flight at a time, the lines logged meanwhile
 * joined into the next, so that a reader that stops reading stalls the
 * log, not the server. To a logfile each line at once (Sink.eachLine).
 * flush(cb) calls back once every line logged before it is written, which
 * is how a process that exits keeps its last lines, in order; lines still
 * queued when the process exits anyway are written synchronously then.
 */
/**
 * What may wait for a reader that has stopped reading: past it new lines
 * are dropped, since lines a client can cause (connects, protocol errors)
 * would otherwise grow the queue without end.
 */
const MAX_QUEUED_CHARS = 16 * 1024 * 1024;

export class LineWriter {
  private queued: string[] = [];
  private queuedChars = 0;
  private writing = false;
  private flushed: (() => void)[] = [];

  constructor(private readonly sink: Sink) {}

  write(text: string): boolean {
    if (this.sink.eachLine === true) {
      this.sink.writeSync(Buffer.from(text));
      return true;
    }
    if (this.queuedChars + text.length > MAX_QUEUED_CHARS) return true;
    this.queued.push(text);
    this.queuedChars += text.length;
    if (!this.writing) this.next();
    return true;
  }

  /** The queued lines as one buffer, the queue emptied. */
  private takeQueued(): Buffer {
    const data = Buffer.from(this.queued.join(''));
    this.queued = [];
    this.queuedChars = 0;
    return data;
  }

  flush(cb?: (err?: Error) => void): void {
    if (cb === undefined) return;
    if (this.writing) this.flushed.push(cb);
    else cb();
  }

  flushSync(): void {
    if (this.queued.length === 0) return;
    this.sink.writeSync(this.takeQueued());
  }

  private next(): void {
    if (this.queued.length === 0) {
      this.writing = false;
      const waiting = this.flushed;
      this.flushed = [];
      for (const cb of waiting) cb();
      return;
    }
    this.writing = true;
    this.sink.write(this.takeQueued(), () => this.next());
  }
}

/** A descriptor (standard output): partial writes are completed, a full non-blocking pipe is retried; other errors drop the batch. */
function fdSink(fd: number): Sink {
  return {
    write(data, done) {
      const from = (offset: number): void => {
        fs.write(fd, data, offset, data.length - offset, null, (err, n) => {
          if (err !== null) {
            if (err.code === 'EAGAIN') setTimeout(() => from(offset), 1);
            else done();
          } else if (offset + n < data.length) from(offset + n);
          else done();
        });
      };
      from(0);
    },
    writeSync(data) {
      try {
        for (let offset = 0; offset < data.length;) offset += fs.writeSync(fd, data, offset);
      } catch {
        // The reader is gone: nothing to keep the lines for.
      }
    },
  };
}

/**
 * The logfile, opened for each line and appended to before the server goes
 * on, as Redis does: whoever reads the file after an event finds its line
 * there, and a crash loses none. A file moved away by log rotation is left
 * alone and a new one started. A failed append drops the line, as Redis
 * skips a line it cannot open the file for.
 */
function fileSink(file: string): Sink {
  return {
    eachLine: true,
    write: (data, done) => fs.appendFile(file, data, () => done()),
    writeSync(data) {
      try {
        fs.appendFileSync(file, data);
      } catch {
        // As above.
      }
    },
  };
}

// One writer per destination, so that servers sharing a process interleave whole lines in order.
const writers = new Map<string, LineWriter>();

function shared(key: string, make: () => Sink): LineWriter {
  let w = writers.get(key);
  if (w === undefined) {
    if (writers.size === 0) process.once('exit', () => writers.forEach((x) => x.flushSync()));
    w = new LineWriter(make());
    writers.set(key, w);
  }
  return w;
}

/** The writer for standard output, or for a logfile when one is named. */
export function logWriter(file = ''): LineWriter {
  return file === '' ? shared('', () => fdSink(1)) : shared(file, () => fileSink(file));
}
