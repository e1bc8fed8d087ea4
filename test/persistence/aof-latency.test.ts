import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { timed } from '../../src/core/latency.js';
import { AofWriter, type FsyncPolicy } from '../../src/persistence/aof-writer.js';
import { HeldReplies } from '../../src/persistence/fsync.js';
import { nodeIo, type AofIo } from '../../src/persistence/io.js';
import { block, recordingSink } from '../helpers/latency-sink.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A writer on a scratch file whose writes (and synchronous fsyncs) take 2 ms, reporting to a recording sink. */
function writer(policy: FsyncPolicy, io: Partial<AofIo> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'aof-latency-'));
  dirs.push(dir);
  const fd = openSync(path.join(dir, 'a.aof'), 'a');
  const slow: AofIo = {
    ...nodeIo,
    write: (f, b, o, l) => (block(2), nodeIo.write(f, b, o, l)),
    fsync: (f) => (block(2), nodeIo.fsync(f)),
    ...io,
  };
  const w = new AofWriter(fd, 'a.aof', 0, 0, policy, slow, { warning() {}, notice() {} }, 1000);
  const sink = recordingSink();
  w.latency = sink;
  let offset = 0;
  const feed = () => w.feed([{ db: 0, argv: ['SET', 'k', 'v'] }], 1000, ++offset);
  return { w, sink, feed, close: () => closeSync(fd) };
}

describe('AOF latency events', () => {
  test('a slow write is aof-write-alone and aof-write; beside a BGSAVE or rewrite, aof-write-active-child', () => {
    const { w, sink, feed, close } = writer('no');
    feed();
    expect(w.flush(false, 1000)).toBe(true);
    w.inBackground = () => true;
    feed();
    w.flush(false, 1000);
    expect(sink.events).toEqual(['aof-write-alone', 'aof-write', 'aof-write-active-child', 'aof-write']);
    close();
  });

  test('a write made while a background fsync runs is aof-write-pending-fsync', () => {
    const held: (() => void)[] = [];
    const { w, sink, feed, close } = writer('everysec', { fsyncAsync: (fd, done) => held.push(() => nodeIo.fsyncAsync(fd, done)) });
    w.syncAsync(() => {});
    feed();
    // Forced, as Redis writes anyway once an fsync has held writes back for two seconds.
    w.flush(true, 1000);
    expect(sink.events).toEqual(['aof-write-pending-fsync', 'aof-write']);
    close();
  });

  test('appendfsync always: the fsync at the end of a turn is aof-fsync-always, and so is the fsync that releases held replies', async () => {
    const { w, sink, feed, close } = writer('always', {
      fsyncAsync: (fd, done) => nodeIo.fsyncAsync(fd, (err) => setTimeout(() => done(err), 5)),
    });
    feed();
    w.flush(true, 1000);
    expect(sink.events).toEqual(['aof-write-alone', 'aof-write', 'aof-fsync-always']);
    sink.events.length = 0;
    const released = new Promise<void>((resolve) => {
      const commit = new HeldReplies<string>(w, () => resolve());
      feed();
      commit.add([{ client: 'c', out: null, close: false }], false);
    });
    await released;
    expect(sink.events).toEqual(['aof-write-alone', 'aof-write', 'aof-fsync-always']);
    close();
  });

  test('a timed step reports once it succeeded, not when it threw', () => {
    const sink = recordingSink();
    expect(timed(sink, 'aof-rename', () => (block(2), 7))).toBe(7);
    expect(() => timed(sink, 'aof-rename', () => {
      block(2);
      throw new Error('EXDEV');
    })).toThrow('EXDEV');
    expect(sink.events).toEqual(['aof-rename']);
    expect(timed({ threshold: 0, addIfNeeded: () => sink.events.push('off') }, 'aof-rename', () => 1)).toBe(1);
    expect(sink.events).toEqual(['aof-rename']);
  });
});
