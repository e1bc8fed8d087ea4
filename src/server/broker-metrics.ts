import type { Metrics } from './metrics.js';
import type { Server } from './server.js';
import type { Broker } from '../broker/broker.js';

/**
 * The broker's Prometheus series. Like the server's own, they read the
 * broker's counters when scraped, so publishing costs nothing extra.
 */
export function registerBrokerMetrics(metrics: Metrics, broker: Broker, server: Server): void {
  metrics.add(
    (pc, registry) =>
      new pc.Counter({
        name: 'sluice_pubsub_messages_published_total',
        help: 'Messages published, by origin: PUBLISH, SPUBLISH, keyspace notifications',
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          this.reset();
          const p = broker.stats.published;
          this.inc({ kind: 'publish' }, p.publish);
          this.inc({ kind: 'spublish' }, p.spublish);
          this.inc({ kind: 'keyspace' }, p.keyspace);
        },
      }),
  );
  metrics.counter(
    'sluice_pubsub_messages_delivered_total',
    'Messages handed to subscribers (one per receiving subscription)',
    () => broker.stats.delivered,
  );
  metrics.add(
    (pc, registry) =>
      new pc.Gauge({
        name: 'sluice_pubsub_channels',
        help: 'Channels with at least one subscriber, by kind (channel, shard)',
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          this.set({ kind: 'channel' }, broker.registry.channels.size);
          this.set({ kind: 'shard' }, broker.registry.shardChannels.size);
        },
      }),
  );
  metrics.gauge('sluice_pubsub_patterns', 'Distinct patterns with at least one subscriber', () => broker.registry.patterns.size);
  metrics.gauge('sluice_pubsub_clients', 'Connections with at least one subscription', () => broker.registry.clients);
  metrics.counter(
    'sluice_client_output_buffer_limit_disconnections_total',
    'Clients disconnected for exceeding client-output-buffer-limit',
    () => server.stats.clientOutputBufferLimitDisconnections,
  );
}
