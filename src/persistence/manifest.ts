import fs from 'node:fs';
import path from 'node:path';
import { splitInlineArgs } from '../protocol/inline.js';
import { writeFileAtomic } from './io.js';

/**
 * Redis 7's multi-part AOF: a directory (appenddirname) holding a manifest
 * (`<appendfilename>.manifest`) that names one base file and the
 * incremental files to replay after it, in order. After a rewrite the old
 * files are listed as history until they are deleted. A manifest line is
 * `file <name> seq <n> type <b|i|h>`.
 */
export type AofFileType = 'b' | 'i' | 'h';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** Redis reads manifest lines with a 1024-byte buffer. */
const MAX_LINE = 1024;

export class ManifestError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly text: string | null,
  ) {
    super(text === null ? reason : `${reason} (line ${line}: '${text}')`);
  }
}

export class AofManifest {
  base: AofFileInfo | null = null;
  incrs: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  get empty(): boolean {
    return this.base === null && this.incrs.length === 0;
  }

  /** The files to load, in order: the base, then every incremental file. */
  get files(): AofFileInfo[] {
    return this.base === null ? [...this.incrs] : [this.base, ...this.incrs];
  }

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base && { ...this.base };
    m.incrs = this.incrs.map((f) => ({ ...f }));
    m.history = this.history.map((f) => ({ ...f }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** A new base file (`<prefix>.<seq>.base.aof`, or `.rdb` in RDB form); the previous one becomes history. */
  newBase(prefix: string, rdb = false): AofFileInfo {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    this.baseSeq++;
    this.base = { name: `${prefix}.${this.baseSeq}.base.${rdb ? 'rdb' : 'aof'}`, seq: this.baseSeq, type: 'b' };
    return this.base;
  }

  /** A new incremental file (`<prefix>.<seq>.incr.aof`), appended to the list. */
  newIncr(prefix: string): AofFileInfo {
    this.incrSeq++;
    const f: AofFileInfo = { name: `${prefix}.${this.incrSeq}.incr.aof`, seq: this.incrSeq, type: 'i' };
    this.incrs.push(f);
    return f;
  }

  /** Every incremental file but `keep` becomes history (they are rewritten into the new base). */
  retireIncrsExcept(keep: AofFileInfo | null): void {
    for (let i = this.incrs.length - 1; i >= 0; i--) {
      const f = this.incrs[i];
      if (f === keep) continue;
      this.history.unshift({ ...f, type: 'h' });
      this.incrs.splice(i, 1);
    }
  }

  /** The manifest's text: base first, then history, then the incremental files. */
  format(): string {
    let out = '';
    const all = [...(this.base ? [this.base] : []), ...this.history, ...this.incrs];
    for (const f of all) out += `file ${quoteIfNeeded(f.name)} seq ${f.seq} type ${f.type}\n`;
    return out;
  }

  /** Parses a manifest as Redis's aofLoadManifestFromFile does, with its error texts. */
  static parse(text: string): AofManifest {
    const m = new AofManifest();
    let maxSeq = 0;
    let lineNo = 0;
    let at = 0;
    while (at < text.length) {
      const nl = text.indexOf('\n', at);
      const raw = nl === -1 ? text.slice(at) : text.slice(at, nl + 1);
      at = nl === -1 ? text.length : nl + 1;
      lineNo++;
      if (raw.startsWith('#')) continue;
      if (nl === -1 || raw.length > MAX_LINE) {
        throw new ManifestError('The AOF manifest file contains too long line', lineNo, null);
      }
      const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const invalid = () => new ManifestError('Invalid AOF manifest file format', lineNo, line);
      if (line === '') throw invalid();
      const args = splitInlineArgs(Buffer.from(line, 'latin1'))?.map((b) => b.toString('latin1'));
      if (args === undefined || args.length < 6 || args.length % 2 !== 0) throw invalid();
      let name: string | null = null;
      let seq = 0;
      let type = '';
      for (let i = 0; i < args.length; i += 2) {
        const k = args[i].toLowerCase();
        if (k === 'file') {
          name = args[i + 1];
          if (name.includes('/')) throw new ManifestError("File can't be a path, just a filename", lineNo, line);
        } else if (k === 'seq') {
          seq = atoll(args[i + 1]);
        } else if (k === 'type') {
          type = args[i + 1].charAt(0);
        }
      }
      if (name === null || name === '' || seq === 0 || type === '') throw invalid();
      if (type === 'b') {
        if (m.base !== null) throw new ManifestError('Found duplicate base file information', lineNo, line);
        m.base = { name, seq, type };
        m.baseSeq = seq;
      } else if (type === 'h') {
        m.history.push({ name, seq, type });
      } else if (type === 'i') {
        if (seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number', lineNo, line);
        m.incrs.push({ name, seq, type });
        m.incrSeq = seq;
        maxSeq = seq;
      } else {
        throw new ManifestError('Unknown AOF file type', lineNo, line);
      }
    }
    if (lineNo === 0) throw new ManifestError('Found an empty AOF manifest', 0, null);
    return m;
  }
}

export function manifestName(prefix: string): string {
  return `${prefix}.manifest`;
}

/** Where the writes of a rewrite that turns the AOF on gather until the switch (Redis's temp incr name). */
export function tempIncrName(prefix: string): string {
  return `temp-${prefix}.incr`;
}

/** C's atoll: leading blanks, an optional sign, digits; 0 when there are none. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** Redis's sdsneedsrepr: a file name with blanks, quotes or unprintable bytes is written quoted. */
function quoteIfNeeded(s: string): string {
  if (!/[\\"\s\x00-\x1f\x7f-\xff]/.test(s)) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (code < 0x20 || code >= 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Writes the manifest atomically, as Redis's writeAofManifestFile: a
 * temporary file, fsync, rename over the manifest, fsync of the directory.
 * A crash at any point leaves either the old manifest or the new one.
 */
export function writeManifest(dir: string, prefix: string, m: AofManifest): void {
  writeFileAtomic(path.join(dir, manifestName(prefix)), m.format(), path.join(dir, `temp-${manifestName(prefix)}`));
}

/** The manifest in `dir`, or null when there is none (no AOF written yet). */
export function readManifest(dir: string, prefix: string): AofManifest | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, manifestName(prefix)), 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return AofManifest.parse(text);
}
