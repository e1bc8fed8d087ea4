import { extractKeys } from '../../core/command.js';
import type { KeyTracker } from '../../keyspace/keyspace.js';
import type { Client } from '../client.js';
import type { Command } from '../command-types.js';
import type { Server } from '../server.js';
import { flushPayload, frameHead, keysPayload, redirectBrokenFrame } from './invalidation-frames.js';
import { PrefixTable } from './prefix-table.js';
import { TrackingTable } from './tracking-table.js';
import { TrackingState } from './tracking-state.js';

/** Read-only script commands: only the commands the script calls remember keys (as Redis). */
const SCRIPT_READS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);
/** Keys tracking-table-max-keys drops per attempt, times the attempts in a row that stayed over the limit. */
const LIMIT_EFFORT = 100;

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly string[];
}

/**
 * Server-assisted client-side caching (Redis's tracking.c): which clients
 * track, the keys each may cache, and the invalidation messages a change
 * sends them. The keyspace tells it of every changed key while it is
 * installed (`keyspace.tracker`); it is installed while anyone tracks or
 * the table still holds keys, so a server without tracking pays one test
 * per change.
 *
 * An invalidation due to the client whose command is running waits until
 * its reply (or its transaction's, or its script's) is written, as Redis's
 * pending keys do; anyone else gets it at once. BCAST invalidations go out
 * once per event-loop turn, as Redis sends them before it sleeps.
 */
export class Tracking implements KeyTracker {
  readonly table = new TrackingTable();
  readonly prefixes = new PrefixTable();
  /** Clients with tracking on: INFO's tracking_clients. */
  clients = 0;
  /** Invalidations for the running client, delivered after its command: a key, or null for "every key". */
  private pending: { client: Client; key: string | null }[] = [];
  /** Attempts in a row that ended still over tracking-table-max-keys. */
  private limitRounds = 0;
  private broadcastScheduled = false;

  constructor(private readonly server: Server) {}

  /** CLIENT TRACKING ON (options already checked). Flags are set anew; prefixes add to those held. */
  enable(c: Client, o: TrackingOptions): void {
    let t = c.tracking;
    if (t === null) {
      t = c.tracking = new TrackingState();
      this.clients++;
      if (!o.bcast) t.slot = this.table.claimSlot(c.id);
    }
    t.redirect = o.redirect;
    t.brokenRedirect = false;
    t.bcast = o.bcast;
    t.optin = o.optin;
    t.optout = o.optout;
    t.noloop = o.noloop;
    if (o.bcast) {
      const prefixes = o.prefixes.length === 0 ? [''] : o.prefixes;
      for (const p of prefixes) if (this.prefixes.subscribe(c, p)) t.prefixes.add(p);
    }
    this.install();
  }

  /** CLIENT TRACKING OFF, RESET, or the client leaving. Its ids in the table go lazily, as in Redis. */
  disable(c: Client): void {
    const t = c.tracking;
    if (t === null) return;
    for (const p of t.prefixes) this.prefixes.unsubscribe(c, p);
    if (t.slot >= 0) this.table.releaseSlot(t.slot);
    c.tracking = null;
    this.clients--;
    this.install();
  }

  private install(): void {
    const wanted = this.clients !== 0 || this.table.size !== 0 || this.prefixes.size !== 0 || this.pending.length !== 0;
    this.server.keyspace.tracker = wanted ? this : null;
  }

  /** The keyspace's hook: a key was written, expired, evicted or deleted. */
  keyModified(key: string): void {
    const current = this.server.broker.executing;
    if (this.prefixes.size !== 0 && this.prefixes.keyChanged(key, current)) this.scheduleBroadcast();
    this.invalidate(key, current);
  }

  /** Tells every client that may cache `key` that it changed, and forgets them for it. */
  private invalidate(key: string, current: Client | null): void {
    const ids = this.table.take(key);
    if (ids === undefined) return;
    let payload: Buffer | null = null;
    for (const id of ids) payload = this.invalidateFor(id, key, current, payload);
    if (this.table.size === 0) this.install();
  }

  /** Tells client `id`, if it still tracks (not in BCAST), that `key` changed; returns the payload, made once per key. */
  private invalidateFor(id: number, key: string, current: Client | null, payload: Buffer | null): Buffer | null {
    const target = this.server.clients.get(id);
    const t = target?.tracking;
    if (target === undefined || t == null || t.bcast) return payload;
    if (target === current) {
      if (!t.noloop) this.pending.push({ client: target, key });
      return payload;
    }
    payload ??= keysPayload([key]);
    this.send(target, payload);
    return payload;
  }

  /** The keyspace's hook for FLUSHDB / FLUSHALL: every tracking client hears that all its keys are gone. */
  flushed(): void {
    const current = this.server.broker.executing;
    if (this.clients !== 0) {
      for (const c of this.server.clients.values()) {
        if (c.tracking === null) continue;
        if (c === current) this.pending.push({ client: c, key: null });
        else this.send(c, flushPayload(c.reply.proto));
      }
    }
    this.table.clear();
    this.install();
  }

  /** After a read-only command: the running client, if it tracks, may now cache the keys the command named. */
  afterRead(cmd: Command, argv: string[]): void {
    const c = this.server.broker.executing;
    const t = c?.tracking;
    if (t == null || t.bcast || !t.remembersReads) return;
    if (cmd.flagSet.has('pubsub') || SCRIPT_READS.has(cmd.fullName)) return;
    const keys = extractKeys(cmd, argv);
    if (keys.length === 0) return;
    for (const k of keys) this.table.remember(argv[k.pos], c!.id, t.slot);
    this.install();
  }

  /**
   * After a client's command (not a command nested in a script or
   * transaction): invalidations held for it are written after its reply,
   * and CLIENT CACHING's one-shot state ends unless the command was CLIENT
   * or MULTI is open (it then lasts for the transaction).
   */
  afterCommand(c: Client, argv: string[]): void {
    const t = c.tracking;
    if (t !== null && t.caching && c.multi === null && argv[0].toLowerCase() !== 'client') t.caching = false;
    if (this.pending.length !== 0 && this.server.broker.executing === null) this.deliverPending();
  }

  /**
   * Writes the invalidations held for the running client now. The
   * dispatcher does so after each command; eviction before a command runs
   * should too (as Redis does after performEvictions), so that an evicted
   * key's invalidation precedes the reply.
   */
  deliverPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { client, key } of pending) {
      if (client.closed || client.tracking === null) continue;
      this.send(client, key === null ? flushPayload(client.reply.proto) : keysPayload([key]));
    }
    this.install();
  }

  /** The limit as a command starts (Redis's processCommand): its client's own invalidations go out at once, before its reply. */
  limitBeforeCommand(): void {
    this.limit();
    if (this.pending.length !== 0) this.deliverPending();
  }

  /**
   * tracking-table-max-keys: past it, keys are dropped (oldest first) and
   * their clients told, as if the keys had changed; the effort grows each
   * time in a row that the table stays over the limit, as in Redis.
   */
  limit(): void {
    const max = this.server.config.num('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) {
      this.limitRounds = 0;
      return;
    }
    const current = this.server.broker.executing;
    for (let effort = LIMIT_EFFORT * (this.limitRounds + 1); effort > 0; effort--) {
      const key = this.table.oldest();
      if (key === undefined) break;
      this.invalidate(key, current);
      if (this.table.size <= max) {
        this.limitRounds = 0;
        return;
      }
    }
    this.limitRounds++;
  }

  private scheduleBroadcast(): void {
    if (this.broadcastScheduled) return;
    this.broadcastScheduled = true;
    setImmediate(() => {
      this.broadcastScheduled = false;
      if (this.prefixes.pending) this.prefixes.broadcast((c, payload) => this.send(c, payload));
    });
  }

  /**
   * Sends an invalidation meant for tracking client `c`: to it, or to the
   * client it redirects to. A RESP3 connection gets a push; a RESP2
   * connection redirected to gets a `__redis__:invalidate` message if it
   * is subscribed to anything; anyone else nothing. A redirect target that
   * has gone marks the redirect broken and tells a RESP3 client so.
   */
  private send(c: Client, payload: Buffer): void {
    const t = c.tracking!;
    let target = c;
    if (t.redirect !== 0) {
      const r = this.server.clients.get(t.redirect);
      if (r === undefined) {
        t.brokenRedirect = true;
        if (c.reply.proto === 3) this.write(c, redirectBrokenFrame(t.redirect), null);
        return;
      }
      target = r;
    }
    if (target.reply.proto === 3) this.write(target, frameHead(true), payload);
    else if (t.redirect !== 0 && target.pubsub !== null) this.write(target, frameHead(false), payload);
  }

  private write(target: Client, head: Buffer, payload: Buffer | null): void {
    const out = target.out;
    out.raw(head);
    if (payload !== null) out.raw(payload);
    this.server.flushClient(target);
  }
}
