import fs from 'node:fs';
import path from 'node:path';

/**
 * The file operations the AOF makes on its hot path and during a rewrite.
 * The server holds one of these so that tests can inject a failing disk
 * (ENOSPC, EIO) without a real full file system.
 */
export interface AofIo {
  /** write(2): the number of bytes written; throws on error. */
  write(fd: number, buf: Buffer, offset: number, length: number): number;
  /** write(2) in the thread pool: the bytes written, or the error. */
  writeAsync(fd: number, buf: Buffer, offset: number, length: number, done: (err: NodeJS.ErrnoException | null, written: number) => void): void;
  /** fdatasync(2), as Redis's redis_fsync on Linux. */
  fsync(fd: number): void;
  /** fdatasync in the thread pool (Redis's bio thread). */
  fsyncAsync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void;
  /** ftruncate(2). */
  truncate(fd: number, length: number): void;
}

export const nodeIo: AofIo = {
  write: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  writeAsync: (fd, buf, offset, length, done) => fs.write(fd, buf, offset, length, null, done),
  fsync: (fd) => fs.fdatasyncSync(fd),
  fsyncAsync: (fd, done) => fs.fdatasync(fd, done),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
};

/** strerror(3)'s wording, which Redis puts in MISCONF errors and logs. */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
  EMFILE: 'Too many open files',
  ENAMETOOLONG: 'File name too long',
};

/** The strerror text for a Node file-system error. */
export function strerror(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code !== undefined && STRERROR[err.code] !== undefined) return STRERROR[err.code];
  return err?.message ?? String(e);
}

/** An errno-style error, for code paths that detect a condition themselves (a short write). */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}

/** fsync of a directory, so that renames and new files in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` atomically, as Redis replaces its config file, AOF
 * manifest and RDB file: write `temp` (in the same directory), fdatasync,
 * rename over `file`, fsync the directory. A crash at any point leaves the
 * old content or the new, never a mix. `exclusive` refuses a `temp` that
 * already exists (for a randomly named one). `sync: false` leaves out both
 * fsyncs (Redis's nodes.conf for changes it need not keep across a power
 * loss): a crash of the process still leaves the old content or the new.
 * Throws the file system's error, after removing `temp`.
 */
export function writeFileAtomic(file: string, data: string | Buffer, temp: string, opts: ReplaceOptions = {}): void {
  replaceFileAtomic(file, temp, (fd) => fs.writeFileSync(fd, data, 'latin1'), opts);
}

export interface ReplaceOptions {
  exclusive?: boolean;
  sync?: boolean;
}

/** writeFileAtomic for content that `write` writes to the temporary file's descriptor in pieces. */
export function replaceFileAtomic(file: string, temp: string, write: (fd: number) => void, { exclusive = false, sync = true }: ReplaceOptions = {}): void {
  const fd = fs.openSync(temp, exclusive ? 'wx' : 'w', 0o644);
  try {
    try {
      write(fd);
      if (sync) fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (e) {
    removeQuietly(temp);
    throw e;
  }
  if (sync) fsyncDir(path.dirname(file));
}

/** fsyncDir after a rename that already succeeded: a directory that cannot be synced has nothing left to report to. */
export function fsyncDirQuietly(dir: string): void {
  try {
    fsyncDir(dir);
  } catch {
    // The file is in place; only its durability across a power loss is in doubt.
  }
}

/** Cleanup after a failed write: the write's own error is the one to report. */
export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Nothing more can be done about a temporary file that cannot be removed.
  }
}
