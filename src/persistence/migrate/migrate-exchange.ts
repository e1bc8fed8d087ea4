import net from 'node:net';
import tls from 'node:tls';
import RedisParser from 'redis-parser';
import { commandBytes } from '../../protocol/command-bytes.js';
import type { MigrateRequest, MigrateResult, MigrateTls } from './migrate-protocol.js';

/**
 * The network side of MIGRATE: one exchange of AUTH, SELECT and RESTOREs
 * with a target, and their replies. It runs on the server's thread for a
 * MIGRATE that may finish later (Ctx.finishLater), and on the worker
 * thread (migrate-worker.ts) for one that must finish within its command
 * (in EXEC or a script). Connections are kept per target (Redis's
 * migrate_cached_sockets) with the database last selected, closed after
 * ten idle seconds, at most 64 of them (Redis's MIGRATE_SOCKET_CACHE_ITEMS;
 * Redis closes a random one to make room, this the one cached longest),
 * and read with redis-parser.
 */

/**
 * One MIGRATE's replies being read: the AUTH/SELECT replies first, then
 * one per RESTORE. Each reply is taken as it is parsed, and the exchange
 * ends in the parser's callback that reads the last one: a promise and a
 * timer per reply cost more than the rest of the worker's part of a
 * 100-key MIGRATE.
 */
interface Exchange {
  name: string;
  db: number;
  /** AUTH/SELECT replies expected before the RESTOREs'. */
  headers: number;
  header: (string | Error)[];
  count: number;
  replies: string[];
  timeoutMs: number;
  /** When the last reply (or the request) went, for the per-reply timeout. */
  lastAt: number;
  timer: NodeJS.Timeout | null;
  done: (result: MigrateResult) => void;
}

interface Link {
  socket: net.Socket;
  lastDb: number;
  exchange: Exchange | null;
  closed: boolean;
  idle: NodeJS.Timeout | null;
}

const IDLE_MS = 10_000;
const MAX_CACHED = 64;
const links = new Map<string, Link>();

/** Node's options for a TLS connection from the data a request carries. */
function tlsOptions(t: MigrateTls, host: string, port: number): tls.ConnectionOptions {
  const o: tls.ConnectionOptions = { host, port, ca: t.ca.map((c) => Buffer.from(c)), checkServerIdentity: () => undefined };
  if (t.cert !== null) o.cert = Buffer.from(t.cert);
  if (t.key !== null) o.key = Buffer.from(t.key);
  if (t.passphrase !== null) o.passphrase = t.passphrase;
  if (t.minVersion !== null) o.minVersion = t.minVersion as tls.SecureVersion;
  if (t.maxVersion !== null) o.maxVersion = t.maxVersion as tls.SecureVersion;
  if (t.ciphers !== null) o.ciphers = t.ciphers;
  return o;
}

function open(host: string, port: number, timeoutMs: number, secure: MigrateTls | null): Promise<Link | null> {
  return new Promise((resolve) => {
    const socket = secure === null ? net.connect({ host, port }) : tls.connect(tlsOptions(secure, host, port));
    const link: Link = { socket, lastDb: -1, exchange: null, closed: false, idle: null };
    const parser = new RedisParser({
      returnReply: (r: unknown) => received(link, typeof r === 'string' ? r : String(r)),
      returnError: (e: Error) => received(link, e),
      returnFatalError: () => socket.destroy(),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.setNoDelay(true);
    socket.on(secure === null ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      resolve(link);
    });
    socket.on('data', (d) => parser.execute(d));
    const gone = () => {
      clearTimeout(timer);
      link.closed = true;
      const ex = link.exchange;
      if (ex !== null) fail(link, ex, false);
      resolve(null);
    };
    socket.on('error', gone);
    socket.on('close', gone);
  });
}

/** A reply from the target: the exchange's next, and its end once the last RESTORE's has come. */
function received(link: Link, r: string | Error): void {
  const ex = link.exchange;
  if (ex === null) {
    // Nothing was asked: the connection is out of step with its requests.
    link.socket.destroy();
    return;
  }
  ex.lastAt = Date.now();
  if (ex.header.length < ex.headers) ex.header.push(r);
  else ex.replies.push(r instanceof Error ? `-${r.message}` : `+${r}`);
  if (ex.header.length === ex.headers && ex.replies.length === ex.count) complete(link, ex);
}

function complete(link: Link, ex: Exchange): void {
  end(link, ex);
  const headerError = ex.header.find((r) => r instanceof Error) as Error | undefined;
  const restoreError = ex.replies.find((r) => r.startsWith('-'));
  link.lastDb = headerError === undefined && restoreError === undefined ? ex.db : -1;
  link.idle = setTimeout(() => close(ex.name), IDLE_MS);
  link.idle.unref();
  ex.done({ kind: 'replied', headerError: headerError?.message ?? null, replies: ex.replies });
}

/** The link lost (`timedOut` false: Redis retries once) or a reply that did not come in time; the link is closed either way. */
function fail(link: Link, ex: Exchange, timedOut: boolean): void {
  end(link, ex);
  close(ex.name);
  // An AUTH or SELECT error counts only once every header reply came (a link lost among them is retried).
  const headerError = ex.header.length === ex.headers ? (ex.header.find((r) => r instanceof Error) as Error | undefined) : undefined;
  ex.done({ kind: 'read-error', read: ex.replies.length, timedOut, headerError: headerError?.message ?? null, replies: ex.replies });
}

function end(link: Link, ex: Exchange): void {
  if (ex.timer !== null) clearTimeout(ex.timer);
  ex.timer = null;
  link.exchange = null;
}

/** Each reply must come within the timeout of the one before (Redis's connSyncReadLine per reply): checked when the timer fires, not re-armed per reply. */
function watch(link: Link, ex: Exchange, ms: number): void {
  ex.timer = setTimeout(() => {
    ex.timer = null;
    if (link.exchange !== ex) return;
    const left = ex.lastAt + ex.timeoutMs - Date.now();
    if (left > 0) watch(link, ex, left);
    else fail(link, ex, true);
  }, ms);
}

/** Closes the connection cached for a target (named by linkName), if any. */
export function close(name: string): void {
  const link = links.get(name);
  if (link === undefined) return;
  links.delete(name);
  if (link.idle !== null) clearTimeout(link.idle);
  link.socket.destroy();
  cachedChanged();
}

let cachedChanged: () => void = () => {};

/** Calls `f` whenever a connection is cached or closed. */
export function whenCachedChanges(f: () => void): void {
  cachedChanged = f;
}

/** The targets this thread keeps a connection to, by linkName. */
export function cachedTargets(): string[] {
  return [...links.keys()];
}

/** The cache's name for a request's target: a plain and a TLS connection to one address are different links. */
export function linkName(req: MigrateRequest): string {
  return `${req.tls === null ? '' : 'tls '}${req.host}:${req.port}`;
}

/** Sends one MIGRATE's commands to its target and reads the replies; never rejects (a request Node refuses is a write error). */
export async function exchange(req: MigrateRequest): Promise<MigrateResult> {
  try {
    return await migrate(req);
  } catch {
    return { kind: 'write-error' };
  }
}

async function migrate(req: MigrateRequest): Promise<MigrateResult> {
  const name = linkName(req);
  let link = links.get(name);
  if (link === undefined || link.closed) {
    close(name);
    if (links.size >= MAX_CACHED) close(links.keys().next().value!);
    const opened = await open(req.host, req.port, req.timeoutMs, req.tls);
    if (opened === null) return { kind: 'connect-error' };
    link = opened;
    links.set(name, link);
    cachedChanged();
  }
  if (link.idle !== null) clearTimeout(link.idle);
  link.idle = null;
  const select = link.lastDb !== req.db;
  const parts: Uint8Array[] = [];
  if (req.auth !== null) parts.push(req.auth);
  if (select) parts.push(commandBytes(['SELECT', String(req.db)]));
  parts.push(req.restores);
  // Most exchanges are the RESTOREs alone: written as they came, not copied.
  const ok = link.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  if (!ok && link.closed) return { kind: 'write-error' };
  const target = link;
  return new Promise((done) => {
    const ex: Exchange = {
      name, db: req.db, headers: parts.length - 1, header: [], count: req.count, replies: [],
      timeoutMs: req.timeoutMs, lastAt: Date.now(), timer: null, done,
    };
    if (target.closed) {
      done({ kind: 'read-error', read: 0, timedOut: false, headerError: null, replies: [] });
      close(name);
      return;
    }
    target.exchange = ex;
    watch(target, ex, req.timeoutMs);
  });
}
