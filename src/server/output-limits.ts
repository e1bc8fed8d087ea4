import type { Client } from './client.js';
import type { Connection } from './connection.js';
import { clientInfoLine } from './commands/client-list.js';
import { formatMemory, memtoull } from './config-values.js';
import type { Server } from './server.js';

/** One class's limit: bytes (0: none) and how long the soft limit may be exceeded. */
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/** The classes client-output-buffer-limit configures, in the order CONFIG GET prints them. */
const CLASSES = ['normal', 'slave', 'pubsub'] as const;
type LimitClass = (typeof CLASSES)[number];

export const OUTPUT_LIMIT_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

/** The reply buffer every Redis client has before its reply list (PROTO_REPLY_CHUNK_BYTES), which the limits do not count. */
const REPLY_BUFFER_BYTES = 16 * 1024;

const WRONG_COUNT = 'Wrong number of arguments in buffer limit configuration.';
const BAD_CLASS = 'Invalid client class specified in buffer limit configuration.';
const BAD_VALUE = 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';

/** Redis's getClientTypeByName, minus master, which has no limits of its own. */
function limitClass(name: string): LimitClass | null {
  switch (name.toLowerCase()) {
    case 'normal': return 'normal';
    case 'slave':
    case 'replica': return 'slave';
    case 'pubsub': return 'pubsub';
    default: return null;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Soft seconds as Redis reads them: strtoll over the whole argument
 * (leading blanks and a sign allowed, saturating at the int64 bounds; the
 * empty string is 0), then stored in a C int, whose wrap-around decides
 * whether the value is negative and so refused.
 */
function softSeconds(arg: string): number | null {
  if (arg === '') return 0;
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-9]+)$/.exec(arg);
  if (m === null) return null;
  let n = BigInt(m[2]);
  if (m[1] === '-') n = -n;
  if (n > INT64_MAX) n = INT64_MAX;
  if (n < INT64_MIN) n = INT64_MIN;
  const int = Number(BigInt.asIntN(32, n));
  return int < 0 ? null : int;
}

type Limits = Record<LimitClass, [bigint, bigint, number]>;

function parse(text: string): Limits {
  const limits = {} as Limits;
  const words = text.split(' ');
  for (let i = 0; i < words.length; i += 4) {
    const cls = limitClass(words[i]);
    if (cls === null) throw new Error(BAD_CLASS);
    const hard = memtoull(words[i + 1]);
    const soft = memtoull(words[i + 2]);
    const seconds = softSeconds(words[i + 3]);
    if (hard === null || soft === null || seconds === null) throw new Error(BAD_VALUE);
    limits[cls] = [hard, soft, seconds];
  }
  return limits;
}

/**
 * Checks a client-output-buffer-limit value as Redis does (CONFIG SET splits
 * it on single spaces, in groups of four); null when it is acceptable, else
 * the reason.
 */
export function validateOutputLimits(text: string): string | null {
  if (text === '') return null;
  if (text.split(' ').length % 4 !== 0) return WRONG_COUNT;
  try {
    parse(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The value after applying `text` over `current`: only the classes named
 * change, as in Redis, and the result is in CONFIG GET's form.
 */
export function mergeOutputLimits(text: string, current: string): string {
  const limits = parse(current);
  if (text !== '') Object.assign(limits, parse(text));
  return CLASSES.map((cls) => `${cls} ${limits[cls].join(' ')}`).join(' ');
}

/**
 * CONFIG REWRITE's lines for the value, as Redis's
 * rewriteConfigClientOutputBufferLimitOption writes them: one per class
 * ("replica" for slave), sizes in gb/mb/kb where they divide, each forced
 * into the file only where it differs from the default.
 */
export function outputLimitLines(value: string): { line: string; force: boolean }[] {
  const limits = parse(value);
  const defaults = parse(OUTPUT_LIMIT_DEFAULT);
  return CLASSES.map((cls) => {
    const [hard, soft, seconds] = limits[cls];
    const [dHard, dSoft, dSeconds] = defaults[cls];
    const name = cls === 'slave' ? 'replica' : cls;
    return {
      line: `client-output-buffer-limit ${name} ${formatMemory(hard)} ${formatMemory(soft)} ${seconds}`,
      force: hard !== dHard || soft !== dSoft || seconds !== dSeconds,
    };
  });
}

/**
 * Enforces client-output-buffer-limit on what a client has pending: its
 * reply buffer plus what its socket still holds (Node's socket.write never
 * refuses data, so a peer that does not read makes it grow). A client past
 * the hard limit, or past the soft limit for longer than its seconds, is
 * disconnected at once, its pending output dropped.
 */
export class OutputLimits {
  normal: OutputLimit = { hard: 0, soft: 0, softSeconds: 0 };
  pubsub: OutputLimit = { hard: 0, soft: 0, softSeconds: 0 };
  replica: OutputLimit = { hard: 0, soft: 0, softSeconds: 0 };

  constructor(private readonly server: Server) {}

  configure(text: string): void {
    const limits = parse(text);
    const toLimit = ([hard, soft, seconds]: [bigint, bigint, number]): OutputLimit => ({
      hard: Number(hard),
      soft: Number(soft),
      softSeconds: seconds,
    });
    this.normal = toLimit(limits.normal);
    this.pubsub = toLimit(limits.pubsub);
    this.replica = toLimit(limits.slave);
  }

  /** The limit of a client's class: replicas, then subscribers (whatever their protocol), then the rest. */
  limitOf(c: Client): OutputLimit {
    if (c.replica !== null && c.isReplica) return this.replica;
    return c.pubsub !== null ? this.pubsub : this.normal;
  }

  /**
   * What counts against a client's limit: its pending output; for a replica
   * still being synchronised, the stream held for it (the snapshot itself,
   * as in Redis, does not count).
   */
  private used(c: Client): number {
    const r = c.replica;
    if (r !== null && r.held !== null && c.isReplica) return r.heldBytes;
    const conn = c.conn!;
    // Redis counts its reply list, not the buffer each client has before it: replies that fit there are under any limit.
    return Math.max(0, conn.out.pending - REPLY_BUFFER_BYTES) + conn.queuedOutput;
  }

  /**
   * Checks one client when output was added, before it is written, and
   * after; true when it was disconnected. Redis counts a reply as it is
   * built and closes such a client asynchronously, without writing it, and
   * logs it so ("scheduled to be closed ASAP"). `held`: output taken from
   * the client that waits to be written (replies held for the AOF's fsync).
   */
  check(c: Client, held = 0): boolean {
    return this.checkFrom(c, 'output', held);
  }

  /**
   * The cron's pass, as Redis's clientsCron: a client held past its soft
   * limit gets no more output to be checked on, so its seconds are counted
   * here.
   */
  cron(): void {
    for (const c of this.overSoft) this.checkFrom(c, 'cron');
  }

  /** Clients past their soft limit when last checked, for the cron. */
  private readonly overSoft = new Set<Client>();

  private checkFrom(c: Client, from: 'output' | 'cron', held = 0): boolean {
    const limit = this.limitOf(c);
    const conn = c.conn;
    if (conn === null) return false;
    const used = (limit.hard === 0 && limit.soft === 0) || c.closed ? 0 : this.used(c) + held;
    if (used === 0) {
      this.underSoft(c, conn);
      return false;
    }
    let hard = limit.hard;
    // Redis 7's rule: a replica's hard limit below repl-backlog-size counts as the backlog's size, or a partial
    // resync the backlog allows would be dropped as soon as it began sending, again at each reconnection.
    if (hard !== 0 && limit === this.replica) hard = Math.max(hard, this.server.config.num('repl-backlog-size'));
    let over = hard !== 0 && used >= hard;
    if (limit.soft !== 0 && used >= limit.soft) {
      const now = Date.now();
      if (conn.obufSoftLimitSince === 0) {
        conn.obufSoftLimitSince = now;
        this.overSoft.add(c);
      } else if (now - conn.obufSoftLimitSince > limit.softSeconds * 1000) {
        over = true;
      }
    } else {
      this.underSoft(c, conn);
    }
    if (over) this.disconnect(c, from);
    return over;
  }

  /** Under its soft limit: its clock stops. The set is touched only by a client that was over it, not on every write. */
  private underSoft(c: Client, conn: Connection): void {
    if (conn.obufSoftLimitSince === 0) return;
    conn.obufSoftLimitSince = 0;
    this.overSoft.delete(c);
  }

  private disconnect(c: Client, from: 'output' | 'cron'): void {
    const server = this.server;
    this.overSoft.delete(c);
    server.stats.clientOutputBufferLimitDisconnections++;
    // Redis's words: output closes a client asynchronously ("ASAP"); its cron closes one at once.
    const what = from === 'output' ? 'scheduled to be closed ASAP' : 'closed';
    server.log.warning(`Client ${clientInfoLine(c, Date.now())} ${what} for overcoming of output buffer limits.`);
    // Dropping what is queued is the point: end() would keep it until the peer read it.
    c.conn!.destroy();
    c.close();
  }
}
