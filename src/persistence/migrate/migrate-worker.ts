import net from 'node:net';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import RedisParser from 'redis-parser';
import { commandBytes } from '../../protocol/command-bytes.js';
import type { MigrateRequest, MigrateResult } from './migrate-protocol.js';

/**
 * The network side of MIGRATE, on a thread of its own: the server's thread
 * waits on it (Atomics.wait) as Redis's blocks on its synchronous socket,
 * so no key changes between the payloads and the deletion. Connections are
 * kept per target (Redis's migrate_cached_sockets) with the database last
 * selected, closed after ten idle seconds, at most 64 of them (Redis's
 * MIGRATE_SOCKET_CACHE_ITEMS; Redis closes a random one to make room, this
 * the one cached longest), and read with redis-parser.
 */

interface Link {
  socket: net.Socket;
  lastDb: number;
  replies: (string | Error)[];
  waiter: (() => void) | null;
  closed: boolean;
  idle: NodeJS.Timeout | null;
}

const IDLE_MS = 10_000;
const MAX_CACHED = 64;
const links = new Map<string, Link>();

function open(host: string, port: number, timeoutMs: number): Promise<Link | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const link: Link = { socket, lastDb: -1, replies: [], waiter: null, closed: false, idle: null };
    const parser = new RedisParser({
      returnReply: (r: unknown) => push(link, typeof r === 'string' ? r : String(r)),
      returnError: (e: Error) => push(link, e),
      returnFatalError: () => socket.destroy(),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      clearTimeout(timer);
      resolve(link);
    });
    socket.on('data', (d) => parser.execute(d));
    const gone = () => {
      clearTimeout(timer);
      link.closed = true;
      link.waiter?.();
      resolve(null);
    };
    socket.on('error', gone);
    socket.on('close', gone);
  });
}

function push(link: Link, r: string | Error): void {
  link.replies.push(r);
  link.waiter?.();
}

/** The next reply, or null when the link closed or `timeoutMs` passed (Redis's connSyncReadLine). */
function nextReply(link: Link, timeoutMs: number): Promise<string | Error | null> {
  if (link.replies.length > 0) return Promise.resolve(link.replies.shift()!);
  if (link.closed) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      link.waiter = null;
      resolve(null);
    }, timeoutMs);
    link.waiter = () => {
      if (link.replies.length === 0 && !link.closed) return;
      clearTimeout(timer);
      link.waiter = null;
      resolve(link.replies.length > 0 ? link.replies.shift()! : null);
    };
  });
}

function close(name: string): void {
  const link = links.get(name);
  if (link === undefined) return;
  links.delete(name);
  if (link.idle !== null) clearTimeout(link.idle);
  link.socket.destroy();
  reportCached();
}

/** Tells the server's thread how many connections are cached (INFO's migrate_cached_sockets). */
function reportCached(): void {
  parentPort!.postMessage({ cached: links.size });
}

async function migrate(req: MigrateRequest): Promise<MigrateResult> {
  const name = `${req.host}:${req.port}`;
  let link = links.get(name);
  if (link === undefined || link.closed) {
    close(name);
    if (links.size >= MAX_CACHED) close(links.keys().next().value!);
    const opened = await open(req.host, req.port, req.timeoutMs);
    if (opened === null) return { kind: 'connect-error' };
    link = opened;
    links.set(name, link);
    reportCached();
  }
  if (link.idle !== null) clearTimeout(link.idle);
  const select = link.lastDb !== req.db;
  const parts: Uint8Array[] = [];
  if (req.auth !== null) parts.push(req.auth);
  if (select) parts.push(commandBytes(['SELECT', String(req.db)]));
  parts.push(req.restores);
  // Most exchanges are the RESTOREs alone: written as they came, not copied.
  const ok = link.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  if (!ok && link.closed) return { kind: 'write-error' };
  const header: (string | Error)[] = [];
  for (let i = (req.auth !== null ? 1 : 0) + (select ? 1 : 0); i > 0; i--) {
    const r = await nextReply(link, req.timeoutMs);
    if (r === null) return fail(name, 0);
    header.push(r);
  }
  const replies: string[] = [];
  for (let i = 0; i < req.count; i++) {
    const r = await nextReply(link, req.timeoutMs);
    if (r === null) return fail(name, i, replies, header);
    replies.push(r instanceof Error ? `-${r.message}` : `+${r}`);
  }
  const headerError = header.find((r) => r instanceof Error) as Error | undefined;
  const restoreError = replies.find((r) => r.startsWith('-'));
  if (headerError === undefined && restoreError === undefined) link.lastDb = req.db;
  else link.lastDb = -1;
  link.idle = setTimeout(() => close(name), IDLE_MS);
  link.idle.unref();
  return { kind: 'replied', headerError: headerError?.message ?? null, replies };
}

function fail(name: string, read: number, replies: string[] = [], header: (string | Error)[] = []): MigrateResult {
  const timedOut = links.get(name)?.closed !== true;
  close(name);
  const headerError = header.find((r) => r instanceof Error) as Error | undefined;
  return { kind: 'read-error', read, timedOut, headerError: headerError?.message ?? null, replies };
}

/** Where results go, and the word the server's thread waits on (migrate-link.ts). */
const { results, flag } = workerData as { results: MessagePort; flag: Int32Array };

parentPort!.on('message', (msg: { id: number; req: MigrateRequest }) => {
  void migrate(msg.req).then(
    (result) => finish(msg.id, result),
    () => finish(msg.id, { kind: 'write-error' }),
  );
});

function finish(id: number, result: MigrateResult): void {
  results.postMessage({ id, result });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
