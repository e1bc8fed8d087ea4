import type { Client } from '../client.js';

/** The client classes CLIENT LIST TYPE and CLIENT KILL TYPE filter on. */
export type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

/** Parses a TYPE argument as Redis's getClientTypeByName does ("slave" is the old "replica"); null if unknown. */
export function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal': return 'normal';
    case 'master': return 'master';
    case 'slave':
    case 'replica': return 'replica';
    case 'pubsub': return 'pubsub';
    default: return null;
  }
}

/** Channel, pattern and shard-channel subscriptions. */
function subscriptions(c: Client): [number, number, number] {
  const subs = c.pubsub;
  return subs === null ? [0, 0, 0] : [subs.channels.size, subs.patterns.size, subs.shardChannels.size];
}

/** Redis's getClientType: a replica, else pubsub or normal (MONITOR clients count as normal, as in Redis). */
export function clientType(c: Client): ClientType {
  if (c.fromMaster) return 'master';
  if (c.isReplica) return 'replica';
  return c.pubsub !== null ? 'pubsub' : 'normal';
}

/** Redis also counts a pointer per argument of each queued command in multi-mem. */
const POINTER_SIZE = 8;

function argvBytes(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/**
 * Whole seconds from a time in ms to `nowSecs`; never negative, since the
 * wall clock may step back (NTP, a test's fake clock) after a client started.
 */
export function secondsSince(nowSecs: number, ms: number): number {
  return Math.max(0, nowSecs - Math.floor(ms / 1000));
}

/** multi-mem: what the commands queued by MULTI hold (until EXEC returns). */
function multiMemory(c: Client): number {
  let n = 0;
  const queued = c.transaction;
  if (queued !== null) for (const q of queued) n += argvBytes(q.argv) + POINTER_SIZE * q.argv.length;
  return n;
}

/** The buffers a client holds between commands (tot-mem less argv-mem): what maxmemory and client eviction count. */
export function clientMemory(c: Client): number {
  const conn = c.conn;
  if (conn === null) return multiMemory(c);
  return conn.parser.pendingBytes + multiMemory(c) + conn.out.pending + conn.queuedOutput;
}

/**
 * One CLIENT LIST / CLIENT INFO line, fields in Redis 7.2's order. `running`
 * is the argv of the command being executed when `c` is the caller (its
 * argv-mem, and a qbuf that still holds the command, as Redis's does);
 * other clients hold no parsed arguments between commands.
 * Fields with no counterpart in Sluice are documented in docs/commands.md:
 * qbuf-free, rbs, rbp and oll are 0,
 * tot-mem is the sum of the buffers Sluice holds for the client.
 */
export function clientInfoLine(c: Client, now: number, running: readonly string[] | null = null): string {
  const [sub, psub, ssub] = subscriptions(c);
  const parser = c.conn?.parser;
  const qbuf = parser === undefined ? 0 : running === null ? parser.pendingBytes : parser.bytesWithCurrentRead;
  const argvMem = running === null ? 0 : argvBytes(c.execing?.argv ?? running);
  const multiMem = multiMemory(c);
  const obl = c.conn?.out.pending ?? 0;
  const omem = c.conn?.queuedOutput ?? 0;
  const nowSecs = Math.floor(now / 1000);
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${secondsSince(nowSecs, c.createdAt)} idle=${secondsSince(nowSecs, c.lastInteraction)}` +
    ` flags=${c.flagString()} db=${c.db.index} sub=${sub} psub=${psub} ssub=${ssub}` +
    ` multi=${c.transaction?.length ?? -1} qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem}` +
    ` multi-mem=${multiMem} rbs=0 rbp=0 obl=${obl} oll=0 omem=${omem}` +
    ` tot-mem=${qbuf + argvMem + multiMem + obl + omem} events=${omem > 0 ? 'rw' : 'r'}` +
    ` cmd=${c.lastCommand} user=${c.user.name} redir=${c.tracking === null ? -1 : c.tracking.redirect} resp=${c.reply.proto} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}
