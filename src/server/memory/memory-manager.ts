import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { AccessClocks } from '../../store/eviction/access-clocks.js';
import { Evictor, type EvictionResult } from '../../store/eviction/evict.js';
import { KeySizeTotals } from '../../store/eviction/key-sizes.js';
import { accessMode } from '../../store/eviction/policies.js';
import { unaccountedInUse } from '../../keyspace/compact/unaccounted.js';
import type { Server } from '../server.js';
import { evictClients } from './client-eviction.js';
import { clientMemory } from '../commands/client-list.js';

/**
 * The process's JavaScript heap and off-heap allocations, the keyspace's
 * slabs and tables among them: used_memory while no limit is set.
 */
export function heapInUse(): number {
  // V8's figures, which process.memoryUsage() gives too, but that one reads the RSS from /proc each time as well.
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory + unaccountedInUse();
}

/** The start-up counted against maxmemory: about what Redis 7.2's takes (used_memory_startup of 0.9-1.0 MB). */
const COUNTED_STARTUP = 1024 * 1024;

/**
 * maxmemory: Sluice's measure of used memory, eviction before each command
 * (the dispatcher's MemoryLimit hook), eviction continued in later slices,
 * and client eviction. While maxmemory is 0 nothing here runs on the hot
 * path: the keyspace keeps no sizes, the dispatcher holds no limit.
 *
 * Used memory, with a limit, is `startup + dataset + clients`: the heap in
 * use when the server was built, the keyspace's running total of key and
 * value estimates (KeySizeTotals), and the clients' buffers, summed by the
 * cron. docs/memory.md says how close this tracks the heap and RSS.
 */
export class MemoryManager {
  readonly evictor: Evictor;
  sizes: KeySizeTotals | null = null;
  maxmemory = 0;
  /** used_memory_startup: the heap in use when the server was built (see startupSettled). */
  startup = heapInUse();
  /** What the clients' buffers hold, as of the last cron tick. */
  clientBytes = 0;
  peak = 0;
  evictedClients = 0;
  /** The verdict of the last check before a command (Redis's pre_command_oom_state). */
  outOfMemory = false;
  /** When used memory went over the limit (performance.now()), 0 while under. */
  private exceededSince = 0;
  private exceededTotalMs = 0;
  private continuing = false;
  private readonly over = (): number => this.counted() - this.maxmemory;

  constructor(private readonly server: Server) {
    this.evictor = new Evictor(server.keyspace);
    this.evictor.latency = server.latency;
  }

  /**
   * Measures used_memory_startup again, once the start-up's own garbage is
   * gone: sluice-server collects it once the server is built. Counted, it put used memory under a limit
   * above the heap in use by that garbage (1.3 MB at the time), so a
   * maxmemory set just above used_memory refused writes at once.
   */
  startupSettled(): void {
    this.startup = heapInUse();
  }

  /** Reads the eviction parameters; starts or stops the per-key bookkeeping they need. */
  configure(): void {
    const config = this.server.config;
    const ks = this.server.keyspace;
    const ev = this.evictor;
    ev.setPolicy(config.str('maxmemory-policy'));
    ev.samples = config.num('maxmemory-samples');
    ev.tenacity = config.num('maxmemory-eviction-tenacity');
    ev.lazy = config.bool('lazyfree-lazy-eviction');
    const before = this.maxmemory;
    this.maxmemory = config.num('maxmemory');
    if (this.maxmemory === 0) this.sizes = null;
    else if (this.sizes === null) this.sizes = new KeySizeTotals(ks);
    ks.sizes = this.sizes;
    const mode = accessMode(ev.policy);
    if (ks.access === null || ks.access.mode !== mode) ks.access = new AccessClocks(ks, mode);
    const clocks = ks.access as AccessClocks;
    clocks.logFactor = config.num('lfu-log-factor');
    clocks.decayTime = config.num('lfu-decay-time');
    clocks.recorded = ev.policy.kind === 'lru' || ev.policy.kind === 'lfu';
    this.server.memoryLimit = this.maxmemory === 0 ? null : this;
    if (this.maxmemory !== before && this.maxmemory !== 0 && this.counted() > this.maxmemory) this.lowered();
  }

  /** A limit set below what is in use: Redis warns, and starts evicting at once rather than at the next command. */
  private lowered(): void {
    this.server.log.warning(
      `WARNING: the new maxmemory value set via CONFIG SET (${this.maxmemory}) is smaller than the current memory usage (${this.used()}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
    );
    this.continueLater();
  }

  /** used_memory: Sluice's accounting under a limit, else the heap in use. */
  used(): number {
    const n = this.sizes === null ? heapInUse() : this.startup + this.sizes.total + this.clientBytes;
    if (n > this.peak) this.peak = n;
    return n;
  }

  /**
   * What maxmemory is compared with: used memory less what is not counted
   * for eviction (Redis's freeMemoryGetNotCountedMemory, INFO's
   * mem_not_counted_for_evict). Redis leaves its AOF and replication
   * buffers out; Sluice also leaves out the part of used_memory_startup
   * past what Redis's own start-up takes: a Node server holds tens of
   * megabytes of code and tables before it stores a key, where Redis
   * starts in about one, so that without this a limit of a few megabytes
   * refused every write where Redis holds a few megabytes of data.
   */
  counted(): number {
    return Math.max(0, this.used() - this.notCounted());
  }

  /** mem_not_counted_for_evict (see counted). */
  notCounted(): number {
    return Math.max(0, this.startup - COUNTED_STARTUP);
  }

  /** The dataset's share (used_memory_dataset): what the keys and values are counted at. */
  get dataset(): number {
    return this.sizes?.total ?? 0;
  }

  /**
   * Redis's performEvictions before a command: evicts while over the limit,
   * for one time slice; true when still over with nothing left to evict
   * (denyoom commands are then refused). Nothing is evicted while the
   * dataset loads, nor while writes are held (CLIENT PAUSE, a FAILOVER, a
   * command waiting to finish), as Redis 7.2 pauses eviction with them.
   */
  overLimit(): boolean {
    if (this.server.loading || this.replicaIgnores || this.server.pausing) return false;
    const result = this.evictor.run(this.over);
    this.account(result);
    if (result === 'running') this.continueLater();
    return (this.outOfMemory = result === 'fail');
  }

  /** replica-ignore-maxmemory on a replica: its master's DELs free memory, it evicts nothing itself (as Redis). */
  private get replicaIgnores(): boolean {
    return this.server.replication.isReplica && this.server.config.bool('replica-ignore-maxmemory');
  }

  /** Redis's eviction time proc: what one slice left over goes on in later event-loop turns. */
  private continueLater(): void {
    if (this.continuing) return;
    this.continuing = true;
    setImmediate(() => {
      this.continuing = false;
      if (this.server.memoryLimit !== this || this.server.loading || this.replicaIgnores || this.server.pausing) return;
      this.server.startTurn();
      const result = this.evictor.run(this.over);
      this.account(result);
      if (result === 'running') this.continueLater();
    }).unref();
  }

  /** total_eviction_exceeded_time and current_eviction_exceeded_time. */
  private account(result: EvictionResult): void {
    if (result !== 'ok') {
      if (this.exceededSince === 0) this.exceededSince = performance.now();
    } else if (this.exceededSince !== 0) {
      this.exceededTotalMs += performance.now() - this.exceededSince;
      this.exceededSince = 0;
    }
  }

  exceededMs(): { total: number; current: number } {
    const current = this.exceededSince === 0 ? 0 : performance.now() - this.exceededSince;
    return { total: Math.floor(this.exceededTotalMs + current), current: Math.floor(current) };
  }

  /** The cron's part: sums the clients' buffers, then evicts clients over maxmemory-clients. */
  cron(): void {
    const limit = this.clientLimit();
    if (this.sizes === null && limit === 0) return;
    let total = 0;
    for (const c of this.server.clients.values()) total += clientMemory(c);
    this.clientBytes = total;
    this.used();
    if (limit !== 0 && total >= limit) this.evictedClients += evictClients(this.server, limit);
  }

  /** maxmemory-clients in bytes: a size, or (held negative) a percentage of maxmemory; 0 for none. */
  private clientLimit(): number {
    const n = this.server.config.num('maxmemory-clients');
    return n >= 0 ? n : Math.floor((this.maxmemory * -n) / 100);
  }

  resetStats(): void {
    this.evictor.evictedKeys = 0;
    this.evictedClients = 0;
    this.exceededTotalMs = 0;
    if (this.exceededSince !== 0) this.exceededSince = performance.now();
  }
}
