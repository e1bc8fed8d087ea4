import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { unaccountedInUse } from '../../keyspace/compact/unaccounted.js';
import type { Server } from '../server.js';
import { clientMemory } from '../commands/client-list.js';

/** Redis's bytesToHuman: B below 1K, then two decimals of K, M, G, T, P. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let scale = 1024;
  for (const u of units) {
    if (n < scale * 1024) return `${(n / scale).toFixed(2)}${u}`;
    scale *= 1024;
  }
  return `${n}B`;
}

/** Redis's memory overhead figures (getMemoryOverheadData), as Sluice measures them. */
export interface MemoryFigures {
  used: number;
  peak: number;
  startup: number;
  clients: number;
  scripts: number;
  /** Everything but the dataset: the start-up heap, client buffers, script caches. */
  overhead: number;
  dataset: number;
  keys: number;
  rss: number;
}

/** How long an RSS reading serves: Redis samples it in its cron, every 100 ms, and INFO prints the last sample. */
const RSS_SAMPLE_MS = 100;
let rssAt = -Infinity;
let rssBytes = 0;

/** The process's RSS as of at most RSS_SAMPLE_MS ago: each reading costs a read of /proc. */
function sampledRss(): number {
  const now = performance.now();
  if (now - rssAt >= RSS_SAMPLE_MS) {
    rssBytes = process.memoryUsage.rss();
    rssAt = now;
  }
  return rssBytes;
}

export function memoryFigures(server: Server): MemoryFigures {
  const mem = server.memory;
  const used = mem.used();
  let clients = 0;
  for (const c of server.clients.values()) clients += clientMemory(c);
  const scripts = server.scripting.scripts.bodyBytes + server.scripting.functions.memory;
  const overhead = mem.startup + clients + scripts;
  let keys = 0;
  for (const db of server.keyspace.dbs) keys += db.size;
  return {
    used, peak: Math.max(mem.peak, used), startup: mem.startup, clients, scripts, overhead,
    dataset: Math.max(0, used - overhead), keys, rss: sampledRss(),
  };
}

const percent = (part: number, whole: number): string => `${((part * 100) / Math.max(1, whole)).toFixed(2)}%`;

/** INFO memory's used_memory fields, in Redis 7.2's order. */
export function usedMemoryLines(f: MemoryFigures): string[] {
  return [
    `used_memory:${f.used}`,
    `used_memory_human:${bytesToHuman(f.used)}`,
    `used_memory_rss:${f.rss}`,
    `used_memory_rss_human:${bytesToHuman(f.rss)}`,
    `used_memory_peak:${f.peak}`,
    `used_memory_peak_human:${bytesToHuman(f.peak)}`,
    `used_memory_peak_perc:${percent(f.used, f.peak)}`,
    `used_memory_overhead:${f.overhead}`,
    `used_memory_startup:${f.startup}`,
    `used_memory_dataset:${f.dataset}`,
    `used_memory_dataset_perc:${percent(f.dataset, f.used > f.startup ? f.used - f.startup : 1)}`,
  ];
}

/**
 * What Redis reads from its allocator, from V8: allocated is the heap in
 * use plus off-heap buffers (the keyspace's slabs among them), active the
 * heap reserved plus those buffers, resident the process's RSS.
 */
export interface AllocatorFigures {
  allocated: number;
  active: number;
  resident: number;
}

export function allocatorFigures(rss: number): AllocatorFigures {
  const heap = getHeapStatistics();
  const outside = heap.external_memory + unaccountedInUse();
  return { allocated: heap.used_heap_size + outside, active: heap.total_heap_size + outside, resident: rss };
}

/** INFO memory's allocator_allocated, _active and _resident, between used_memory_dataset_perc and total_system_memory. */
export function allocatorLines(a: AllocatorFigures): string[] {
  return [`allocator_allocated:${a.allocated}`, `allocator_active:${a.active}`, `allocator_resident:${a.resident}`];
}

const ratio = (a: number, b: number): string => (a / Math.max(1, b)).toFixed(2);

/** INFO memory's maxmemory fields and what follows them. */
export function maxmemoryLines(server: Server, f: MemoryFigures, a: AllocatorFigures): string[] {
  const max = server.memory.maxmemory;
  return [
    `maxmemory:${max}`,
    `maxmemory_human:${bytesToHuman(max)}`,
    `maxmemory_policy:${server.config.str('maxmemory-policy')}`,
    // Redis's formulas over the figures above; the RSS is all the allocator's, as no other allocator holds memory.
    `allocator_frag_ratio:${ratio(a.active, a.allocated)}`,
    `allocator_frag_bytes:${a.active - a.allocated}`,
    `allocator_rss_ratio:${ratio(a.resident, a.active)}`,
    `allocator_rss_bytes:${a.resident - a.active}`,
    `rss_overhead_ratio:${ratio(f.rss, a.resident)}`,
    `rss_overhead_bytes:${f.rss - a.resident}`,
    `mem_fragmentation_ratio:${(f.rss / Math.max(1, f.used)).toFixed(2)}`,
    `mem_fragmentation_bytes:${f.rss - f.used}`,
    // What any Node server holds before it stores a key (see MemoryManager.counted).
    `mem_not_counted_for_evict:${server.memory.notCounted()}`,
    ...server.replication.memoryLines(),
    `mem_clients_normal:${f.clients}`,
    `mem_cluster_links:${server.cluster?.bus.linksMemory ?? 0}`,
    'mem_aof_buffer:0',
    'mem_allocator:v8',
    // Nothing is freed in the background: values go to the garbage collector when deleted.
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

/**
 * client_recent_max_input_buffer and client_recent_max_output_buffer: the
 * largest query buffer and pending output among the clients now (Redis
 * keeps the largest of the last few seconds, sampled by its cron).
 */
export function recentMaxBufferLines(server: Server): string[] {
  let input = 0;
  let output = 0;
  for (const c of server.clients.values()) {
    const conn = c.conn;
    if (conn === null) continue;
    if (conn.parser.pendingBytes > input) input = conn.parser.pendingBytes;
    const out = conn.out.pending + conn.queuedOutput;
    if (out > output) output = out;
  }
  return [`client_recent_max_input_buffer:${input}`, `client_recent_max_output_buffer:${output}`];
}

/** INFO stats' eviction fields, after expired_keys' group. */
export function evictionStatsLines(server: Server): string[] {
  const mem = server.memory;
  const exceeded = mem.exceededMs();
  return [
    `evicted_keys:${mem.evictor.evictedKeys}`,
    `evicted_clients:${mem.evictedClients}`,
    `total_eviction_exceeded_time:${exceeded.total}`,
    `current_eviction_exceeded_time:${exceeded.current}`,
  ];
}
