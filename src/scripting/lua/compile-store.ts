import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownedByUser } from '../../core/user-store.js';

/**
 * What a compiled chunk is made of, as the store keeps it: the generated
 * JavaScript, its sites (without the chunk, which the reader supplies) and
 * V8's code cache for that JavaScript.
 */
export interface StoredChunk {
  readonly code: string;
  /** Each site as [line, what, name, d1, d2, tail]. */
  readonly sites: readonly SiteRecord[];
  readonly v8: Buffer | undefined;
}

export type SiteRecord = readonly [number, string | null, string | null, string | null, string | null, boolean];

/**
 * What a compiler version's directory may hold, by default, before the
 * least recently used files go: a client may send any number of distinct
 * scripts, each up to proto-max-bulk-len, and the disk is the user's.
 */
const MAX_FILES = 2000;
const MAX_STORE_BYTES = 64 * 1024 * 1024;
/** A file larger than this is neither written nor read (BullMQ's largest is about 200 KB). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAGIC = 'sluice-lua-chunk-2';
/** How long no script may have been compiled or read before the store's own work runs. */
const IDLE_MS = 50;
/**
 * The most tasks kept waiting for that pause (twice BullMQ's scripts): a
 * server that never pauses, such as a test suite's running hundreds of
 * distinct scripts, would otherwise gather them all for its close.
 */
const MAX_DEFERRED = 128;

/**
 * Compiled chunks on disk, shared by every Sluice process of one user, so
 * that a fresh server (a test suite starts many) runs a script it has seen
 * before without parsing, generating and compiling it again.
 *
 * The files hold code the server runs, so the store trusts only a
 * directory and files that this user owns and that no one else can write;
 * anything else is ignored, never an error. Entries live in a directory
 * named by a hash of the compiler's own code and Node's version: another
 * build of the compiler finds none of them. A file names the source it
 * came from (by its SHA-256) and is used only for exactly that source.
 */
export class CompileStore {
  private dir: string | null | undefined;
  private ready: Promise<void> | null = null;
  private written = 0;
  /** The version directory's files and bytes, counted once from the disk and then by this process's writes. */
  private usage: { files: number; bytes: number } | null = null;
  /** The count of the directory under way, which writes finishing meanwhile wait for. */
  private counting: Promise<void> | null = null;
  private readonly pending = new Set<Promise<void>>();
  /**
   * Writes and marks of use waiting for a pause in the compiling: V8's
   * cache and the file's bytes are made on the main thread, and done at
   * once they delayed the reply they followed or the next request, which
   * in a burst of first calls is the next script's first call.
   */
  private readonly deferred: (() => void)[] = [];
  private idle: NodeJS.Timeout | null = null;

  /** `root` is where version directories go; null disables the store. */
  constructor(
    private readonly root: string | null,
    private readonly maxFiles = MAX_FILES,
    private readonly maxBytes = MAX_STORE_BYTES,
  ) {}

  /** The chunk stored for this source, or undefined. */
  read(key: string, chunkName: string, source: string): StoredChunk | undefined {
    const dir = this.directory();
    if (dir === null) return undefined;
    const file = path.join(dir, key);
    let data: Buffer;
    try {
      const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile() || !ownedByUser(st) || st.size > MAX_FILE_BYTES) return undefined;
        data = Buffer.allocUnsafe(st.size);
        if (fs.readSync(fd, data, 0, st.size, 0) !== st.size) return undefined;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
    const chunk = decode(data, chunkName, source);
    // Used entries are the last to be pruned.
    if (chunk !== undefined) this.defer(() => fs.utimes(file, Date.now() / 1000, Date.now() / 1000, () => {}));
    return chunk;
  }

  /**
   * Stores a chunk (what `chunk` gives, asked once the store is ready), in
   * the background; a failure leaves the store as it was. A chunk compiled
   * before the store was ready (a script sent as soon as an embedded
   * server started) waits for it rather than being left out for good.
   */
  write(key: string, chunkName: string, source: string, chunk: () => StoredChunk): void {
    if (this.root === null || this.dir === null) return;
    this.defer(() => this.writeNow(key, chunkName, source, chunk));
  }

  private writeNow(key: string, chunkName: string, source: string, chunk: () => StoredChunk): void {
    const done = (async () => {
      await this.prepare();
      const dir = this.dir;
      if (dir === null || dir === undefined) return;
      const data = encode(chunkName, source, chunk());
      if (data === null || data.length > MAX_FILE_BYTES) return;
      const file = path.join(dir, key);
      const temp = `${file}.${process.pid}.${++this.written}.tmp`;
      try {
        await fs.promises.writeFile(temp, data, { mode: 0o600, flag: 'wx' });
        await fs.promises.rename(temp, file);
      } catch {
        await fs.promises.unlink(temp).catch(() => {});
        return;
      }
      await this.counted(dir, data.length);
    })();
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Tasks waiting for a pause in the compiling. */
  get waiting(): number {
    return this.deferred.length;
  }

  /** Does the deferred work now; resolves once the writes (and the pruning they started) are done. */
  async settled(): Promise<void> {
    this.runDeferred(true);
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private defer(task: () => void): void {
    if (this.deferred.length === 0) process.on('beforeExit', this.onBeforeExit);
    this.deferred.push(task);
    this.touchIdle();
    // Past the bound, each task added lets the oldest go once this turn's replies are out.
    if (this.deferred.length > MAX_DEFERRED) setImmediate(this.runOverflow);
  }

  private readonly runOverflow = (): void => {
    if (this.deferred.length <= MAX_DEFERRED) return;
    this.deferred.shift()!();
  };

  /** Another script came: the deferred work waits for the next pause. */
  private touchIdle(): void {
    if (this.deferred.length === 0) return;
    if (this.idle !== null) {
      this.idle.refresh();
      return;
    }
    // Unreferenced, so that it keeps no process alive: one that runs out of work writes at 'beforeExit'.
    this.idle = setTimeout(() => this.runDeferred(false), IDLE_MS).unref();
  }

  /** One task, then the next in a later turn (a request that comes meanwhile waits for one task at most); `all` runs them all now. */
  private runDeferred(all: boolean): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    if (all) while (this.deferred.length > 0) this.deferred.shift()!();
    else this.deferred.shift()?.();
    if (this.deferred.length === 0) process.off('beforeExit', this.onBeforeExit);
    else this.idle = setTimeout(() => this.runDeferred(false), 0).unref();
  }

  private readonly onBeforeExit = (): void => this.runDeferred(true);

  /**
   * Finds or makes the version directory in the background, so that the
   * first script a server runs does not wait for it; until it is ready the
   * store finds nothing and keeps nothing.
   */
  prepare(): Promise<void> {
    if (this.ready !== null) return this.ready;
    const root = this.root;
    if (root === null) {
      this.dir = null;
      this.ready = Promise.resolve();
      return this.ready;
    }
    this.ready = (async () => {
      let dir: string | null = null;
      try {
        const candidate = path.join(root, await compilerVersion());
        await fs.promises.mkdir(candidate, { recursive: true, mode: 0o700 });
        let ok = true;
        for (const d of [root, candidate]) {
          const st = await fs.promises.lstat(d);
          ok &&= st.isDirectory() && ownedByUser(st);
        }
        if (ok) dir = candidate;
      } catch {
        // No usable directory: scripts compile as they would without a store.
      }
      this.dir = dir;
      if (dir !== null) sweepOldVersions(root, path.basename(dir));
    })();
    return this.ready;
  }

  /** The version directory once prepared and trusted, else null. */
  private directory(): string | null {
    if (this.dir === undefined) {
      void this.prepare();
      return null;
    }
    return this.dir;
  }

  /**
   * Counts a new file; past maxFiles or maxBytes, removes the least
   * recently used half of the files, and more while they hold over half of
   * maxBytes.
   */
  private async counted(dir: string, bytes: number): Promise<void> {
    if (this.usage === null) {
      // Writes finishing together share one count of the directory: pruning needs only a close figure.
      this.counting ??= filesOf(dir).then((files) => {
        this.counting = null;
        if (files !== null) this.usage = { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
      });
      await this.counting;
      if (this.usage === null) return;
    } else {
      this.usage.files++;
      this.usage.bytes += bytes;
    }
    if (this.usage.files <= this.maxFiles && this.usage.bytes <= this.maxBytes) return;
    this.usage = null;
    const files = await filesOf(dir);
    if (files === null) return;
    files.sort((a, b) => a.used - b.used);
    let held = files.reduce((n, f) => n + f.size, 0);
    let gone = 0;
    while (gone < files.length && (gone < files.length >> 1 || held > this.maxBytes >> 1)) held -= files[gone++].size;
    await Promise.all(files.slice(0, gone).map(({ name }) => fs.promises.unlink(path.join(dir, name)).catch(() => {})));
  }
}

/** The files of a directory with their sizes and last use, or null when it cannot be read. */
async function filesOf(dir: string): Promise<{ name: string; size: number; used: number }[] | null> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return null;
  }
  const stats = await Promise.all(names.map((name) => fs.promises.stat(path.join(dir, name)).catch(() => null)));
  const files: { name: string; size: number; used: number }[] = [];
  names.forEach((name, i) => {
    const st = stats[i];
    // One removed meanwhile (by another process) is left out.
    if (st !== null) files.push({ name, size: st.size, used: st.mtimeMs });
  });
  return files;
}

/** Another build's directory, untouched this long, is removed. */
const OLD_VERSION_MS = 7 * 24 * 3600 * 1000;

/** Removes, in the background, the directories of other compiler versions that no process has written to for a week. */
function sweepOldVersions(root: string, current: string): void {
  fs.readdir(root, { withFileTypes: true }, (err, entries) => {
    if (err !== null) return;
    for (const e of entries) {
      if (!e.isDirectory() || e.name === current || !/^[0-9a-f]{16}$/.test(e.name)) continue;
      const dir = path.join(root, e.name);
      fs.stat(dir, (err2, st) => {
        if (err2 === null && Date.now() - st.mtimeMs > OLD_VERSION_MS) fs.rm(dir, { recursive: true, force: true }, () => {});
      });
    }
  });
}

/**
 * The layout: MAGIC and a newline, a JSON header and a newline, then the
 * generated code (UTF-8) and V8's code cache, their lengths in the header.
 * The header names the chunk and the source by its SHA-256, so that a file
 * is used for exactly the source it was made from without holding it, and
 * the code is read without a JSON string's unescaping.
 */
interface Header {
  chunkName: string;
  source: string;
  codeBytes: number;
  v8Bytes: number;
  sites: readonly SiteRecord[];
}

function sourceDigest(source: string): string {
  return createHash('sha256').update(source).digest('base64');
}

function encode(chunkName: string, source: string, chunk: StoredChunk): Buffer | null {
  const code = Buffer.from(chunk.code, 'utf8');
  // A string UTF-8 cannot carry (a lone surrogate) would come back as other code.
  if (code.toString('utf8') !== chunk.code) return null;
  const v8 = chunk.v8 ?? Buffer.alloc(0);
  const header: Header = { chunkName, source: sourceDigest(source), codeBytes: code.length, v8Bytes: v8.length, sites: chunk.sites };
  return Buffer.concat([Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`), code, v8]);
}

function decode(data: Buffer, chunkName: string, source: string): StoredChunk | undefined {
  try {
    const magicEnd = data.indexOf(10);
    if (magicEnd < 0 || data.toString('latin1', 0, magicEnd) !== MAGIC) return undefined;
    const headerEnd = data.indexOf(10, magicEnd + 1);
    if (headerEnd < 0) return undefined;
    const header = JSON.parse(data.toString('utf8', magicEnd + 1, headerEnd)) as Partial<Header>;
    const { codeBytes, v8Bytes, sites } = header;
    if (header.chunkName !== chunkName || header.source !== sourceDigest(source)) return undefined;
    if (!Number.isSafeInteger(codeBytes) || !Number.isSafeInteger(v8Bytes) || !Array.isArray(sites) || !sites.every(isSiteRecord)) return undefined;
    const codeStart = headerEnd + 1;
    const v8Start = codeStart + codeBytes!;
    if (codeBytes! < 0 || v8Bytes! < 0 || v8Start + v8Bytes! !== data.length) return undefined;
    const code = data.toString('utf8', codeStart, v8Start);
    return { code, sites, v8: v8Bytes! > 0 ? data.subarray(v8Start) : undefined };
  } catch {
    return undefined;
  }
}

function isSiteRecord(r: unknown): r is SiteRecord {
  if (!Array.isArray(r) || r.length !== 6 || !Number.isSafeInteger(r[0]) || typeof r[5] !== 'boolean') return false;
  for (let i = 1; i < 5; i++) if (r[i] !== null && typeof r[i] !== 'string') return false;
  return true;
}

let version: Promise<string> | undefined;

/**
 * A hash of everything that decides the generated code and whether V8 can
 * use its cache: the compiler and runtime (every module beside this one;
 * in the bundle, the whole of Sluice), the Lua parser, Node's version and
 * architecture.
 */
function compilerVersion(): Promise<string> {
  version ??= (async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (/\.c?[jt]s$/.test(entry.name) && !/\.d\.c?ts$/.test(entry.name)) files.push(full);
      }
    };
    await walk(here);
    files.push(createRequire(import.meta.url).resolve('luaparse'));
    files.sort();
    const contents = await Promise.all(files.map((f) => fs.promises.readFile(f)));
    const hash = createHash('sha1').update(`${process.version} ${process.arch}\0`);
    files.forEach((f, i) => hash.update(path.relative(here, f)).update('\0').update(contents[i]).update('\0'));
    return hash.digest('hex').slice(0, 16);
  })();
  return version;
}
