import fs from 'node:fs';
import { strerror } from '../persistence/io.js';

/** Config files this process holds, so that two servers embedded in one process cannot share one either. */
const heldHere = new Set<string>();

/**
 * Redis flocks nodes.conf so that two nodes never share it; Node has no
 * flock. The equivalent here is a lock file beside it, `<file>.lock`,
 * created with O_EXCL and holding the owner's pid: a second Sluice process
 * (or a second embedded server) on the same file is refused while the
 * owner lives, and a lock left by a process that died is taken over.
 * What it does not cover: a real Redis on the same file (which flocks and
 * never sees the lock file), and a pid reused by an unrelated process
 * after a crash, which keeps the stale lock until the file is removed.
 * Answers null once held, or the line to log before exiting.
 */
export function lockClusterConfig(file: string): string | null {
  const lock = `${file}.lock`;
  if (heldHere.has(lock)) return alreadyUsed(file);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldHere.add(lock);
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `Can't open ${lock} in order to acquire a lock: ${strerror(e)}`;
    }
    const owner = Number.parseInt(readQuietly(lock), 10);
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return alreadyUsed(file);
    // The owner is gone: its lock is stale.
    try {
      fs.unlinkSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `Impossible to lock ${file}: ${strerror(e)}`;
    }
  }
  return alreadyUsed(file);
}

export function unlockClusterConfig(file: string): void {
  const lock = `${file}.lock`;
  if (!heldHere.delete(lock)) return;
  try {
    fs.unlinkSync(lock);
  } catch {
    // Already gone: nothing to release.
  }
}

function alreadyUsed(file: string): string {
  return `Sorry, the cluster configuration file ${file} is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.`;
}

function readQuietly(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
