import http from 'node:http';
import type { Registry } from 'prom-client';
import type { Server } from './server.js';

/** prom-client's module, loaded when the metrics are first wanted. */
export type PromClient = typeof import('prom-client');

/** Adds series to a registry once prom-client is loaded; each reads the server's state when scraped. */
export type SeriesBuilder = (pc: PromClient, registry: Registry) => void;

/** A sample as prom-client's exposition code reads it. */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

const LATENCY = 'sluice_command_duration_seconds';

/**
 * A summary without quantiles whose `_sum` and `_count` are read from
 * counters the dispatcher already keeps: Command.stats holds the total
 * microseconds and calls of each command, so executing a command costs
 * nothing extra and a scrape reads them all.
 */
function addCommandLatency(pc: PromClient, registry: Registry, server: Server): void {
  class CommandLatency extends pc.Summary<'cmd'> {
    override async get() {
      const values: Sample[] = [];
      for (const cmd of server.commands.all()) {
        const s = cmd.stats;
        if (s.calls === 0) continue;
        values.push({ metricName: `${LATENCY}_sum`, labels: { cmd: cmd.fullName }, value: s.usec / 1e6 });
        values.push({ metricName: `${LATENCY}_count`, labels: { cmd: cmd.fullName }, value: s.calls });
      }
      const base = await super.get();
      return { ...base, values: values as typeof base.values };
    }
  }
  new CommandLatency({
    name: LATENCY,
    help: 'Time spent executing each command (sum and count, from the per-command statistics)',
    labelNames: ['cmd'],
    percentiles: [],
    registers: [registry],
  });
}

/**
 * The server's Prometheus metrics: one Registry per Server (so servers in one
 * process stay apart) whose series read the server's own state when scraped,
 * and the HTTP endpoint serving it on `metrics-port`. Later capabilities add
 * their series with `add`. prom-client, whose loading every start paid, is
 * loaded and the registry built when the endpoint is first wanted: a server
 * with `metrics-port` 0, the default, never loads it.
 */
export class Metrics {
  private readonly builders: SeriesBuilder[] = [];
  private built: { pc: PromClient; registry: Registry } | null = null;
  private building: Promise<Registry> | null = null;
  /**
   * Clients waiting on something: those held by CLIENT PAUSE (Redis counts
   * them in blocked_clients too) and those blocked by a command (BLPOP, WAIT…).
   */
  blockedClients: () => number = () => this.server.paused.size + this.server.blocking.size;
  private http: http.Server | null = null;

  constructor(private readonly server: Server) {
    this.gauge('sluice_connected_clients', 'Client connections open now', () => server.clients.size);
    this.gauge('sluice_blocked_clients', 'Clients waiting on a blocking command or a CLIENT PAUSE', () => this.blockedClients());
    this.counter('sluice_connections_received_total', 'Connections accepted since the start', () => server.stats.connectionsReceived);
    this.counter('sluice_rejected_connections_total', 'Connections refused because of maxclients', () => server.stats.rejectedConnections);
    this.counter('sluice_commands_processed_total', 'Commands executed since the start', () => server.stats.commandsProcessed);
    this.counter('sluice_error_replies_total', 'Error replies sent', () => server.stats.totalErrorReplies);
    this.counter('sluice_net_input_bytes_total', 'Bytes read from clients', () => server.stats.netInputBytes);
    this.counter('sluice_net_output_bytes_total', 'Bytes written to clients', () => server.stats.netOutputBytes);
    this.counter('sluice_keyspace_hits_total', 'Key lookups by read commands that found the key', () => server.keyspace.stats.hits);
    this.counter('sluice_keyspace_misses_total', 'Key lookups by read commands that did not find the key', () => server.keyspace.stats.misses);
    this.counter('sluice_expired_keys_total', 'Keys deleted because their TTL passed', () => server.keyspace.stats.expiredKeys);
    const denied = () => server.acl.log.denied;
    this.counter('sluice_acl_denied_auth_total', 'Failed AUTH and HELLO AUTH attempts', () => denied().auth);
    this.counter('sluice_acl_denied_command_total', 'Commands refused by ACL rules on commands', () => denied().command);
    this.counter('sluice_acl_denied_key_total', 'Commands refused by ACL rules on keys', () => denied().key);
    this.counter('sluice_acl_denied_channel_total', 'Commands refused by ACL rules on channels', () => denied().channel);
    this.counter('sluice_evicted_keys_total', 'Keys evicted to keep used memory under maxmemory', () => server.memory.evictor.evictedKeys);
    this.counter('sluice_evicted_clients_total', 'Clients disconnected for maxmemory-clients', () => server.memory.evictedClients);
    this.gauge('sluice_used_memory_bytes', 'Used memory as maxmemory measures it (docs/memory.md)', () => server.memory.used());
    this.gauge('sluice_maxmemory_bytes', 'The memory limit, 0 for none', () => server.memory.maxmemory);
    this.gauge('sluice_tls_connected_clients', 'Client connections open now over TLS (tls-port)', () => server.tlsListener.open);
    this.counter('sluice_tls_connections_received_total', 'TLS connections accepted since the start (handshake done)', () => server.tlsListener.received);
    this.perCommandCounters();
    this.add((pc, registry) => addCommandLatency(pc, registry, server));
    this.keyspaceGauges();
    this.persistenceGauges();
    this.processGauges();
  }

  /** Series to register: now when the registry exists, else when it is built. */
  add(build: SeriesBuilder): void {
    this.builders.push(build);
    if (this.built !== null) build(this.built.pc, this.built.registry);
  }

  /** The registry with every series added, prom-client loaded the first time. */
  registry(): Promise<Registry> {
    this.building ??= import('prom-client').then((pc) => {
      const registry = new pc.Registry();
      this.built = { pc, registry };
      for (const build of this.builders) build(pc, registry);
      return registry;
    });
    return this.building;
  }

  /** An unlabelled counter whose value `read` gives when scraped. */
  counter(name: string, help: string, read: () => number): void {
    this.add(
      (pc, registry) =>
        new pc.Counter({
          name,
          help,
          registers: [registry],
          collect() {
            // A counter only moves through inc(): restart it from zero at each scrape.
            this.reset();
            this.inc(read());
          },
        }),
    );
  }

  /** An unlabelled gauge whose value `read` gives when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.add(
      (pc, registry) =>
        new pc.Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(read());
          },
        }),
    );
  }

  private perCommandCounters(): void {
    const server = this.server;
    const perCommand = (name: string, help: string, field: 'calls' | 'failedCalls' | 'rejectedCalls') =>
      this.add(
        (pc, registry) =>
          new pc.Counter({
            name,
            help,
            labelNames: ['cmd'],
            registers: [registry],
            collect() {
              this.reset();
              for (const cmd of server.commands.all()) {
                const v = cmd.stats[field];
                if (v !== 0) this.inc({ cmd: cmd.fullName }, v);
              }
            },
          }),
      );
    perCommand('sluice_command_calls_total', 'Calls of each command', 'calls');
    perCommand('sluice_command_failed_calls_total', 'Calls of each command that answered an error', 'failedCalls');
    perCommand('sluice_command_rejected_calls_total', 'Calls of each command refused before running (arity, auth, state)', 'rejectedCalls');
  }

  private keyspaceGauges(): void {
    const server = this.server;
    // As INFO keyspace: databases holding keys, plus db 0 so the series always exists.
    const perDb = (name: string, help: string, read: (i: number) => number) =>
      this.add(
        (pc, registry) =>
          new pc.Gauge({
            name,
            help,
            labelNames: ['db'],
            registers: [registry],
            collect() {
              this.reset();
              const ks = server.keyspace;
              for (let i = 0; i < ks.dbs.length; i++) {
                if (i === 0 || ks.dbs[i].size > 0) this.set({ db: String(i) }, read(i));
              }
            },
          }),
      );
    perDb('sluice_db_keys', 'Keys in each database (expired keys not yet removed included, as Redis counts them)', (i) => server.keyspace.dbs[i].size);
    perDb('sluice_db_keys_expiring', 'Keys with a TTL in each database', (i) => server.keyspace.dbs[i].expires.size);
  }

  /** What an operator alerts on: a failed save or AOF write, a save long ago, a rewrite that does not end. */
  private persistenceGauges(): void {
    const server = this.server;
    const rdb = () => server.persistence.rdb;
    const flag = (b: boolean) => (b ? 1 : 0);
    this.gauge('sluice_rdb_last_save_ok', '1 when the last RDB save (SAVE, BGSAVE, a save point) succeeded', () => flag(rdb().lastSaveOk));
    this.gauge('sluice_rdb_last_save_timestamp_seconds', 'Unix time of the last successful RDB save (the start time before any)', () => server.lastSave);
    this.gauge('sluice_rdb_last_save_age_seconds', 'Seconds since the last successful RDB save', () => Math.max(0, Math.floor(Date.now() / 1000) - server.lastSave));
    this.gauge('sluice_rdb_changes_since_last_save', 'Writes to the dataset since the last RDB save', () => rdb().changesSinceSave);
    this.gauge('sluice_rdb_save_in_progress', '1 while a background save runs', () => flag(rdb().background !== null));
    this.gauge('sluice_aof_enabled', '1 when the AOF is on', () => flag(server.persistence.state !== 'off'));
    this.gauge('sluice_aof_last_write_ok', '1 when the last write to the AOF succeeded', () => flag(server.persistence.lastWriteOk));
    this.gauge('sluice_aof_rewrite_in_progress', '1 while an AOF rewrite runs', () => flag(server.persistence.rewrite !== null));
    this.gauge('sluice_aof_last_rewrite_ok', '1 when the last AOF rewrite succeeded', () => flag(server.persistence.lastRewriteOk));
  }

  private processGauges(): void {
    const server = this.server;
    this.add(
      (pc, registry) =>
        new pc.Gauge({
          name: 'sluice_memory_bytes',
          help: 'Process memory by kind (rss, heap_used, heap_total, external, array_buffers)',
          labelNames: ['kind'],
          registers: [registry],
          collect() {
            const m = process.memoryUsage();
            this.set({ kind: 'rss' }, m.rss);
            this.set({ kind: 'heap_used' }, m.heapUsed);
            this.set({ kind: 'heap_total' }, m.heapTotal);
            this.set({ kind: 'external' }, m.external);
            this.set({ kind: 'array_buffers' }, m.arrayBuffers);
          },
        }),
    );
    this.gauge('sluice_uptime_seconds', 'Seconds since the server started', () => Math.floor((Date.now() - server.startedAt) / 1000));
  }

  /** Serves GET /metrics on host:port; resolves once listening. */
  async listen(host: string, port: number): Promise<void> {
    await this.registry();
    const srv = http.createServer((req, res) => this.serve(req, res));
    this.http = srv;
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host, exclusive: true }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
  }

  /** The bound port, or null when the endpoint is off. */
  get port(): number | null {
    const addr = this.http?.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  /** Where to scrape, or null when the endpoint is off. */
  get url(): string | null {
    const addr = this.http?.address();
    if (!addr || typeof addr !== 'object') return null;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}/metrics`;
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    const registry = this.built!.registry;
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
  }

  close(): Promise<void> {
    const srv = this.http;
    if (srv === null) return Promise.resolve();
    this.http = null;
    return new Promise((resolve) => {
      srv.close(() => resolve());
      srv.closeAllConnections();
    });
  }
}
