import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';
import type { Database } from '../keyspace/database.js';
import type { Client } from './client.js';
import { unixMicros } from './clock.js';
import type { Server } from './server.js';
import { REDIS_VERSION, SLUICE_VERSION } from './version.js';
import {
  allocatorFigures, allocatorLines, bytesToHuman, evictionStatsLines, maxmemoryLines, memoryFigures, recentMaxBufferLines, usedMemoryLines,
} from './memory/memory-info.js';
import { mainThreadCpu } from './cpu-usage.js';
import { lruClock } from '../store/eviction/lru-clock.js';
import { migrateCachedSockets } from '../persistence/migrate/migrate-link.js';
import { latencystatsLines } from './latency/latency-info.js';

/**
 * INFO's sections, in Redis 7.2's order with every one of its fields, so
 * that what parses them (redis_exporter, dashboards, Sentinel, Redis's own
 * tests) finds each. A field is measured from the running server where
 * Sluice has its counterpart, else it is the value Redis prints when the
 * thing is absent (no fork, no replicas, no defragmentation, no I/O
 * threads); docs/commands.md says which are which.
 */
interface Section {
  /** The name INFO takes as an argument. */
  name: string;
  /** The heading, "# Server". */
  title: string;
  /** Part of plain INFO / INFO default (commandstats is not, as in Redis). */
  inDefault: boolean;
  /** Printed only when asked for by name, not by all or everything (Redis's debug section). */
  onlyNamed?: boolean;
  lines(server: Server, c: Client): string[];
}

/** The run id Redis draws at start: 40 random hex digits. */
interface Identity {
  runId: string;
}

const identities = new WeakMap<Server, Identity>();

function identity(server: Server): Identity {
  let id = identities.get(server);
  if (id === undefined) {
    id = { runId: randomBytes(20).toString('hex') };
    identities.set(server, id);
  }
  return id;
}

/** Redis's build id is a hash of what it was built from: here, of the Sluice release. */
const BUILD_ID = createHash('sha1').update(`sluice ${SLUICE_VERSION}`).digest('hex').slice(0, 16);

/** The program that serves, as Redis names its own executable: the script node was started with. */
function executable(): string {
  const script = process.argv[1];
  return script === undefined ? process.execPath : path.resolve(script);
}

/** Microseconds as Redis prints rusage times: seconds, a dot, six digits. */
function seconds6(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** Redis's getSafeInfoString: characters that would break INFO's line format become '_'. */
function safe(s: string): string {
  return s.replace(/[#:\r\n]/g, '_');
}

function boundPort(server: Server, c: Client): number {
  const local = c.conn?.localPort;
  // A TLS connection's local port is tls-port, not the plain port tcp_port names.
  return local !== undefined && local !== server.config.num('tls-port') ? local : server.config.num('port');
}

function serverSection(server: Server, c: Client): string[] {
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  const hz = server.config.num('hz');
  const port = boundPort(server, c);
  const binds = server.config.str('bind').split(' ').filter((b) => b !== '');
  const tlsPort = server.config.num('tls-port');
  return [
    `redis_version:${REDIS_VERSION}`,
    // What a Redis built outside a git checkout prints.
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    `redis_build_id:${BUILD_ID}`,
    `sluice_version:${SLUICE_VERSION}`,
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${os.arch().includes('64') ? 64 : 32}`,
    // libuv's clock and poller: CLOCK_MONOTONIC, and epoll on Linux (kqueue on the BSDs and macOS).
    'monotonic_clock:POSIX clock_gettime',
    `multiplexing_api:${process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'}`,
    'atomicvar_api:c11-builtin',
    // Redis prints 0.0.0 when not built by GCC: Node's build names no compiler.
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${identity(server).runId}`,
    `tcp_port:${port}`,
    `server_time_usec:${unixMicros()}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    // Sluice has no dynamic-hz: the effective rate is the configured one.
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${lruClock(Date.now())}`,
    `executable:${executable()}`,
    `config_file:${server.configFile ?? ''}`,
    'io_threads_active:0',
    ...(server.shutdownPending === null ? [] : [`shutdown_in_milliseconds:${Math.max(0, server.shutdownPending.deadline - Date.now())}`]),
    `listener0:name=tcp${binds.map((b) => `,bind=${b}`).join('')},port=${port}`,
    // Redis numbers listeners by connection type: tcp 0, unix 1, tls 2.
    ...(tlsPort === 0 ? [] : [`listener2:name=tls${binds.map((b) => `,bind=${b}`).join('')},port=${tlsPort}`]),
  ];
}

function clientsSection(server: Server): string[] {
  return [
    `connected_clients:${server.clients.size - server.replication.replicaConnections}`,
    // As Redis's getClusterConnectionsCount: two links per known node, whether up or not.
    `cluster_connections:${server.cluster === null ? 0 : (server.cluster.state.nodes.length - 1) * 2}`,
    `maxclients:${server.config.num('maxclients')}`,
    ...recentMaxBufferLines(server),
    `blocked_clients:${server.metrics.blockedClients()}`,
    `tracking_clients:${server.tracking.clients}`,
    // Redis 7.4's: connections with at least one subscription.
    `pubsub_clients:${server.broker.registry.clients}`,
    `clients_in_timeout_table:${server.blocking.withTimeout}`,
    `total_blocking_keys:${server.blocking.blockingKeys}`,
    // Only XREADGROUP waits for its key's deletion, and it does not block yet.
    `total_blocking_keys_on_nokey:${server.blocking.blockingKeysOnNoKey}`,
  ];
}

/** total_system_memory, read once as Redis reads it at start: each reading parses /proc/meminfo. */
let systemMemory: number | undefined;

/** Used memory as server/memory/ measures it (docs/memory.md); the resident set size is the process's own. */
function memorySection(server: Server): string[] {
  const figures = memoryFigures(server);
  const allocator = allocatorFigures(figures.rss);
  const total = (systemMemory ??= os.totalmem());
  const scripts = server.scripting.scripts;
  const functions = server.scripting.functions;
  const scriptMemory = scripts.bodyBytes + functions.memory;
  return [
    ...usedMemoryLines(figures),
    ...allocatorLines(allocator),
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    // Compiled scripts live in the JavaScript heap (used_memory): no separate Lua VM to measure.
    'used_memory_lua:0',
    'used_memory_vm_eval:0',
    'used_memory_lua_human:0B',
    `used_memory_scripts_eval:${scripts.bodyBytes}`,
    `number_of_cached_scripts:${scripts.size}`,
    `number_of_functions:${functions.functionCount}`,
    `number_of_libraries:${functions.libraryCount}`,
    'used_memory_vm_functions:0',
    'used_memory_vm_total:0',
    'used_memory_vm_total_human:0B',
    `used_memory_functions:${functions.memory}`,
    `used_memory_scripts:${scriptMemory}`,
    `used_memory_scripts_human:${bytesToHuman(scriptMemory)}`,
    ...maxmemoryLines(server, figures, allocator),
  ];
}

function rewriteProgress(server: Server): { processed: number; total: number } | null {
  const rw = server.persistence.rewrite;
  return rw === null ? null : { processed: rw.keysProcessed, total: rw.totalKeys };
}

function persistenceSection(server: Server): string[] {
  return [
    `loading:${server.loading ? 1 : 0}`,
    `async_loading:${server.asyncLoading ? 1 : 0}`,
    ...server.persistence.rdb.infoLines(rewriteProgress(server)),
    ...server.persistence.infoLines(),
  ];
}

function statsSection(server: Server): string[] {
  const s = server.stats;
  const ks = server.keyspace.stats;
  const repl = server.replication.master.stats;
  const commandUsec = server.commands.totalUsec();
  return [
    `total_connections_received:${s.connectionsReceived}`,
    `total_commands_processed:${s.commandsProcessed}`,
    `instantaneous_ops_per_sec:${Math.trunc(s.instantOps.value)}`,
    `total_net_input_bytes:${s.netInputBytes}`,
    `total_net_output_bytes:${s.netOutputBytes}`,
    `total_net_repl_input_bytes:${server.replication.inputBytes}`,
    `total_net_repl_output_bytes:${repl.outputBytes}`,
    `instantaneous_input_kbps:${(s.instantInput.value / 1024).toFixed(2)}`,
    `instantaneous_output_kbps:${(s.instantOutput.value / 1024).toFixed(2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${s.rejectedConnections}`,
    `sync_full:${repl.full}`,
    `sync_partial_ok:${repl.partialOk}`,
    `sync_partial_err:${repl.partialErr}`,
    `expired_keys:${ks.expiredKeys}`,
    // The share of the keys active expiry sampled that had expired (Redis keeps a moving average of it).
    `expired_stale_perc:${(ks.activeSampled === 0 ? 0 : (ks.activeExpired * 100) / ks.activeSampled).toFixed(2)}`,
    `expired_time_cap_reached_count:${s.expireTimeCapReached}`,
    `expire_cycle_cpu_milliseconds:${Math.floor(s.expireCycleUsec / 1000)}`,
    ...evictionStatsLines(server),
    `keyspace_hits:${ks.hits}`,
    `keyspace_misses:${ks.misses}`,
    `pubsub_channels:${server.broker.registry.channels.size}`,
    `pubsub_patterns:${server.broker.registry.patterns.size}`,
    `pubsubshard_channels:${server.broker.registry.shardChannels.size}`,
    // Snapshots and rewrites are written by the server itself: it never forks.
    'latest_fork_usec:0',
    'total_forks:0',
    `migrate_cached_sockets:${migrateCachedSockets()}`,
    'slave_expires_tracked_keys:0',
    // V8 compacts its heap itself: there is no active defragmentation.
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${server.tracking.table.size}`,
    `tracking_total_items:${server.tracking.table.items}`,
    `tracking_total_prefixes:${server.tracking.prefixes.size}`,
    `unexpected_error_replies:${s.unexpectedErrorReplies}`,
    `total_error_replies:${s.totalErrorReplies}`,
    // RESTORE checks every payload whole; Redis counts only deep sanitizations, which sanitize-dump-payload asks for.
    'dump_payload_sanitizations:0',
    `total_reads_processed:${s.readsProcessed}`,
    `total_writes_processed:${s.writesProcessed}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    `client_query_buffer_limit_disconnections:${s.clientQueryBufferLimitDisconnections}`,
    `client_output_buffer_limit_disconnections:${s.clientOutputBufferLimitDisconnections}`,
    // Output buffers are never resized as Redis's reply buffer is.
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
    `eventloop_cycles:${s.eventloopCycles}`,
    `eventloop_duration_sum:${s.eventloopUsec}`,
    `eventloop_duration_cmd_sum:${Math.floor(commandUsec)}`,
    `instantaneous_eventloop_cycles_per_sec:${Math.trunc(s.instantCycles.value)}`,
    `instantaneous_eventloop_duration_usec:${Math.trunc(s.instantCycleUsec.value)}`,
    ...server.acl.log.infoLines(),
  ];
}

function replicationSection(server: Server): string[] {
  return server.replication.infoLines();
}

function cpuSection(): string[] {
  const u = process.cpuUsage();
  const main = mainThreadCpu() ?? u;
  return [
    `used_cpu_sys:${seconds6(u.system)}`,
    `used_cpu_user:${seconds6(u.user)}`,
    // No child processes: snapshots and rewrites run in the server.
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${seconds6(Math.floor(main.system))}`,
    `used_cpu_user_main_thread:${seconds6(Math.floor(main.user))}`,
  ];
}

/** Where the event loop's time went, as Redis's debug section says it (µs). */
function debugSection(server: Server): string[] {
  const s = server.stats;
  return [
    `eventloop_duration_aof_sum:${Math.floor(s.aofUsec)}`,
    `eventloop_duration_cron_sum:${Math.floor(s.cronUsec)}`,
    `eventloop_duration_max:${Math.floor(s.cycleMaxUsec)}`,
    `eventloop_cmd_per_cycle_max:${s.cmdPerCycleMax}`,
  ];
}

function commandstatsSection(server: Server): string[] {
  const out: string[] = [];
  for (const cmd of server.commands.all()) {
    const s = cmd.stats;
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue;
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls;
    out.push(
      `cmdstat_${safe(cmd.fullName)}:calls=${s.calls},usec=${s.usec},usec_per_call=${perCall.toFixed(2)}` +
        `,rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    );
  }
  return out;
}

function errorstatsSection(server: Server): string[] {
  return [...server.stats.errors.keys()].sort().map((code) => `errorstat_${safe(code)}:count=${server.stats.errors.get(code)}`);
}

/** How many keys with a deadline avg_ttl looks at per database. */
const TTL_SAMPLE = 100;

/**
 * The mean remaining time to live, in ms, of the not yet expired keys among
 * the first TTL_SAMPLE of the database's deadline table: exact when it holds
 * no more, a sample beyond (Redis's figure is an estimate from its expiry
 * cycle's samples too). Keeps INFO O(1) in the size of the keyspace.
 */
function averageTtl(db: Database, now: number): number {
  let sum = 0;
  let live = 0;
  let seen = 0;
  for (const [, when] of db.expires.entries()) {
    if (when > now) {
      sum += when - now;
      live++;
    }
    if (++seen === TTL_SAMPLE) break;
  }
  return live === 0 ? 0 : Math.floor(sum / live);
}

function keyspaceSection(server: Server): string[] {
  const now = server.keyspace.now;
  const out: string[] = [];
  for (const db of server.keyspace.dbs) {
    if (db.size === 0 && db.expires.size === 0) continue;
    out.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=${averageTtl(db, now)}`);
  }
  return out;
}

const SECTIONS: readonly Section[] = [
  { name: 'server', title: 'Server', inDefault: true, lines: serverSection },
  { name: 'clients', title: 'Clients', inDefault: true, lines: clientsSection },
  { name: 'memory', title: 'Memory', inDefault: true, lines: memorySection },
  { name: 'persistence', title: 'Persistence', inDefault: true, lines: persistenceSection },
  { name: 'stats', title: 'Stats', inDefault: true, lines: statsSection },
  { name: 'replication', title: 'Replication', inDefault: true, lines: replicationSection },
  { name: 'cpu', title: 'CPU', inDefault: true, lines: cpuSection },
  // No modules can be loaded: the section is there, and empty.
  { name: 'modules', title: 'Modules', inDefault: true, lines: () => [] },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, lines: commandstatsSection },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, lines: errorstatsSection },
  { name: 'latencystats', title: 'Latencystats', inDefault: false, lines: (server) => latencystatsLines(server, safe) },
  { name: 'cluster', title: 'Cluster', inDefault: true, lines: (server) => [`cluster_enabled:${server.cluster === null ? 0 : 1}`] },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, lines: keyspaceSection },
  { name: 'debug', title: 'Debug', inDefault: false, onlyNamed: true, lines: debugSection },
];

/**
 * The sections INFO's arguments ask for, as Redis reads them: names are
 * case-insensitive, "default" adds the default set, "all" and "everything"
 * ask for every section, unknown names add nothing, and the output keeps
 * Redis's order whatever the order asked.
 */
function selected(args: readonly string[]): (s: Section) => boolean {
  if (args.length === 0) return (s) => s.inDefault;
  const names = new Set<string>();
  let all = false;
  for (const a of args) {
    const name = a.toLowerCase();
    if (name === 'all' || name === 'everything') {
      all = true;
    } else if (name === 'default') {
      for (const s of SECTIONS) if (s.inDefault) names.add(s.name);
    } else {
      names.add(name === 'module_list' ? 'modules' : name);
    }
  }
  return (s) => names.has(s.name) || (all && s.onlyNamed !== true);
}

/** INFO's text: each section a "# Title" line and its fields, sections separated by a blank line, lines ending \r\n. */
export function infoText(server: Server, c: Client, args: readonly string[]): string {
  const wanted = selected(args);
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (!wanted(s)) continue;
    let text = `# ${s.title}\r\n`;
    for (const line of s.lines(server, c)) text += `${line}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}
