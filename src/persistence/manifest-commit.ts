import fs from 'node:fs';
import path from 'node:path';
import { removeQuietly } from './io.js';
import { manifestName, type AofManifest } from './manifest.js';

/**
 * A manifest switch that keeps the disk's waits off the event loop. The
 * steps are writeManifest's (temporary file, fdatasync, rename, fsync of
 * the directory), but the fdatasync runs in the thread pool, together with
 * that of each file the new manifest names whose last bytes are not yet on
 * disk (`alongside`), and the rename that commits the switch happens back
 * on the event loop once they all succeeded. An fsync there costs from a
 * fraction of a millisecond to hundreds on a busy disk, and the end of a
 * rewrite made two of them plus the directory's; every client waited.
 *
 * The directory's fsync, after the rename, is not waited for: the switch
 * has happened. A power loss before it lands may bring back the previous
 * manifest and lose what was written since the switch, a moment's writes,
 * within what appendfsync everysec allows; under appendfsync always the
 * caller switches synchronously instead.
 *
 * Only one may run at a time: they share the temporary file's name.
 */
export class ManifestCommit {
  private fd = -1;
  private cancelled = false;
  private readonly temp: string;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    prefix: string,
    private readonly manifest: AofManifest,
    private readonly alongside: readonly number[],
    private readonly fsyncAsync: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void,
    /**
     * Last, just before the rename, once the fsyncs succeeded: false calls
     * the switch off (the caller has dealt with why, and `done` is not called).
     */
    private readonly beforeRename: () => boolean,
    /** After the rename (err null: the new manifest is in place) or a failure (the old one still is). */
    private readonly done: (err: Error | null) => void,
  ) {
    this.file = path.join(dir, manifestName(prefix));
    this.temp = path.join(dir, `temp-${manifestName(prefix)}`);
  }

  /** Writes the temporary file and starts the fsyncs; throws if the file cannot be written. */
  start(): void {
    const fd = fs.openSync(this.temp, 'w', 0o644);
    try {
      fs.writeFileSync(fd, this.manifest.format(), 'latin1');
    } catch (e) {
      fs.closeSync(fd);
      removeQuietly(this.temp);
      throw e;
    }
    this.fd = fd;
    let waiting = 1 + this.alongside.length;
    let failure: Error | null = null;
    const synced = (err: Error | null) => {
      if (this.cancelled) return;
      failure ??= err;
      if (--waiting === 0) this.commit(failure);
    };
    fs.fdatasync(fd, synced);
    for (const other of this.alongside) this.fsyncAsync(other, synced);
  }

  /** Stops before the rename: the old manifest stays, the temporary file goes. Nothing is reported. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.closeTemp();
    removeQuietly(this.temp);
  }

  private commit(failure: Error | null): void {
    this.closeTemp();
    if (failure === null && !this.beforeRename()) {
      this.cancel();
      return;
    }
    if (failure === null) {
      try {
        fs.renameSync(this.temp, this.file);
      } catch (e) {
        failure = e as Error;
      }
    }
    if (failure !== null) {
      removeQuietly(this.temp);
      this.done(failure);
      return;
    }
    this.done(null);
    syncDirInBackground(this.dir);
  }

  private closeTemp(): void {
    if (this.fd === -1) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Closed already; the descriptor is not used again.
    }
    this.fd = -1;
  }
}

/** fsync of a directory in the thread pool; a failure leaves only the rename's durability across a power loss in doubt. */
function syncDirInBackground(dir: string): void {
  fs.open(dir, 'r', (err, fd) => {
    if (err !== null) return;
    fs.fsync(fd, () => fs.close(fd, () => {}));
  });
}
