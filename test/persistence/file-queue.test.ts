import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FileQueue } from '../../src/persistence/file-queue.js';
import { nodeIo, type AofIo } from '../../src/persistence/io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratchFile(): { file: string; fd: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'file-queue-'));
  dirs.push(dir);
  const file = path.join(dir, 'f');
  return { file, fd: openSync(file, 'w') };
}

type Done = (err: NodeJS.ErrnoException | null, n: number) => void;

/** A disk whose asynchronous writes wait until the test releases them, each writing at most `most` bytes. */
function heldDisk(most = Infinity) {
  const held: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const io: AofIo = {
    ...nodeIo,
    writeAsync(fd, buf, off, len, done: Done) {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      held.push(() => {
        inFlight--;
        nodeIo.writeAsync(fd, buf, off, Math.min(len, most), done);
      });
    },
  };
  const releaseOne = async () => {
    const next = held.shift();
    if (next === undefined) return false;
    next();
    await new Promise((r) => setTimeout(r, 20));
    return true;
  };
  return { io, held, releaseOne, maxInFlight: () => maxInFlight };
}

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('a file written in the thread pool', () => {
  test('writes what it is given in order, one write at a time, partial writes continued', async () => {
    const { file, fd } = scratchFile();
    const disk = heldDisk(3);
    const q = new FileQueue(disk.io, fd, () => expect.unreachable());
    q.push(bytes('first-'), 6);
    q.push(bytes('second-'), 7);
    q.push(bytes('third and more'), 5);
    expect(q.pending).toBe(18);
    expect(disk.held.length).toBe(1);
    let written = false;
    q.whenWritten((err) => {
      expect(err).toBeNull();
      written = true;
    });
    while (await disk.releaseOne());
    expect(written).toBe(true);
    expect(disk.maxInFlight()).toBe(1);
    expect(readFileSync(file, 'latin1')).toBe('first-second-third');
    expect(q.pending).toBe(0);
    expect(q.written).toBe(18);
    q.close();
  });

  test('gives back a written buffer for refilling', async () => {
    const { fd } = scratchFile();
    const disk = heldDisk();
    const q = new FileQueue(disk.io, fd, () => expect.unreachable());
    const buf = bytes('abc');
    q.push(buf, 3);
    expect(q.spare()).toBeNull();
    await disk.releaseOne();
    expect(q.spare()).toBe(buf);
    expect(q.spare()).toBeNull();
    q.close();
  });

  test('closes its descriptor only once the write in flight has returned', async () => {
    const { file, fd } = scratchFile();
    const disk = heldDisk();
    const q = new FileQueue(disk.io, fd, () => expect.unreachable());
    q.push(bytes('kept'), 4);
    q.push(bytes('dropped'), 7);
    q.close();
    expect(() => fstatSync(fd)).not.toThrow();
    await disk.releaseOne();
    expect(() => fstatSync(fd)).toThrow();
    expect(disk.held.length).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe('kept');
  });

  test('a failed write is reported once, stops the writes after it, and ends the wait for them', async () => {
    const { file, fd } = scratchFile();
    const failures: string[] = [];
    let calls = 0;
    const io: AofIo = {
      ...nodeIo,
      writeAsync(f, buf, off, len, done: Done) {
        if (++calls === 2) setImmediate(() => done(Object.assign(new Error('injected'), { code: 'ENOSPC' }), 0));
        else nodeIo.writeAsync(f, buf, off, len, done);
      },
    };
    const q = new FileQueue(io, fd, (err) => failures.push(err.code!));
    q.push(bytes('one'), 3);
    q.push(bytes('two'), 3);
    q.push(bytes('three'), 5);
    const result = await new Promise<string | null>((r) => q.whenWritten((err) => r(err?.code ?? null)));
    expect(result).toBe('ENOSPC');
    expect(failures).toEqual(['ENOSPC']);
    q.push(bytes('four'), 4);
    expect(calls).toBe(2);
    expect(readFileSync(file, 'latin1')).toBe('one');
    q.close();
    expect(() => closeSync(fd)).toThrow();
  });

  test('a write of no bytes is a short write', async () => {
    const { fd } = scratchFile();
    const io: AofIo = { ...nodeIo, writeAsync: (_f, _b, _o, _l, done: Done) => setImmediate(() => done(null, 0)) };
    const failures: string[] = [];
    const q = new FileQueue(io, fd, (err) => failures.push(err.message));
    q.push(bytes('x'), 1);
    await new Promise<void>((r) => q.whenWritten(() => r()));
    expect(failures).toEqual(['short write']);
    q.close();
  });
});
