import v8 from 'node:v8';
import { MAP_ENTRY } from '../../keyspace/heap-size.js';
import type { Server } from '../server.js';
import { allocatorFigures, memoryFigures } from './memory-info.js';

/** One MEMORY STATS entry: a number (integer or double), or a database's own map. */
export type StatValue = { int: number } | { double: number } | { db: [string, number][] };

/**
 * MEMORY STATS in Redis 7.2's order and names. What Redis gets from its
 * allocator comes from V8 here: allocated is the heap in use plus off-heap
 * buffers (the keyspace's slabs among them), active the heap reserved plus
 * those buffers, resident the process's RSS. A database's hash table overhead is its dictionary's and its deadlines' entries.
 */
export function memoryStats(server: Server): [string, StatValue][] {
  const f = memoryFigures(server);
  const { allocated, active } = allocatorFigures(f.rss);
  const out: [string, StatValue][] = [
    ['peak.allocated', { int: f.peak }],
    ['total.allocated', { int: f.used }],
    ['startup.allocated', { int: f.startup }],
    ['replication.backlog', { int: 0 }],
    ['clients.slaves', { int: 0 }],
    ['clients.normal', { int: f.clients }],
    ['cluster.links', { int: 0 }],
    ['aof.buffer', { int: 0 }],
    ['lua.caches', { int: server.scripting.scripts.bodyBytes }],
    ['functions.caches', { int: server.scripting.functions.memory }],
  ];
  let overhead = f.overhead;
  for (const db of server.keyspace.dbs) {
    if (db.size === 0) continue;
    const main = db.size * MAP_ENTRY;
    const expires = db.expires.size * MAP_ENTRY;
    overhead += main + expires;
    out.push([`db.${db.index}`, {
      db: [['overhead.hashtable.main', main], ['overhead.hashtable.expires', expires], ['overhead.hashtable.slot-to-keys', 0]],
    }]);
  }
  const net = f.used > f.startup ? f.used - f.startup : 1;
  const dataset = f.used - overhead;
  out.push(
    ['overhead.total', { int: overhead }],
    ['keys.count', { int: f.keys }],
    ['keys.bytes-per-key', { int: f.keys === 0 ? 0 : Math.floor(net / f.keys) }],
    ['dataset.bytes', { int: dataset }],
    ['dataset.percentage', { double: (dataset * 100) / net }],
    ['peak.percentage', { double: (f.used * 100) / f.peak }],
    ['allocator.allocated', { int: allocated }],
    ['allocator.active', { int: active }],
    ['allocator.resident', { int: f.rss }],
    ['allocator-fragmentation.ratio', { double: active / allocated }],
    ['allocator-fragmentation.bytes', { int: active - allocated }],
    ['allocator-rss.ratio', { double: f.rss / active }],
    ['allocator-rss.bytes', { int: f.rss - active }],
    ['rss-overhead.ratio', { double: 1 }],
    ['rss-overhead.bytes', { int: 0 }],
    ['fragmentation', { double: f.rss / f.used }],
    ['fragmentation.bytes', { int: f.rss - f.used }],
  );
  return out;
}

/** MEMORY MALLOC-STATS: V8's heap spaces, which stand for the allocator's arenas. */
export function mallocStats(): string {
  const lines = ['V8 heap spaces (bytes): space size used available physical'];
  for (const s of v8.getHeapSpaceStatistics()) {
    lines.push(`${s.space_name} ${s.space_size} ${s.space_used_size} ${s.space_available_size} ${s.physical_space_size}`);
  }
  const h = v8.getHeapStatistics();
  lines.push(`total_heap_size ${h.total_heap_size}`, `used_heap_size ${h.used_heap_size}`, `heap_size_limit ${h.heap_size_limit}`,
    `malloced_memory ${h.malloced_memory}`, `external_memory ${h.external_memory}`);
  return lines.join('\n') + '\n';
}
