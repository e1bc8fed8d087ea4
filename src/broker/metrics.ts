import { Counter, Gauge, type Registry as PromRegistry } from 'prom-client';
import type { Server } from '../server/server.js';
import type { Broker } from './broker.js';

/**
 * The broker's Prometheus series. Like the server's own, they read the
 * broker's counters when scraped, so publishing costs nothing extra.
 */
export function registerBrokerMetrics(registry: PromRegistry, broker: Broker, server: Server): void {
  const registers = [registry];
  new Counter({
    name: 'sluice_pubsub_messages_published_total',
    help: 'Messages published, by origin: PUBLISH, SPUBLISH, keyspace notifications',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      const p = broker.stats.published;
      this.inc({ kind: 'publish' }, p.publish);
      this.inc({ kind: 'spublish' }, p.spublish);
      this.inc({ kind: 'keyspace' }, p.keyspace);
    },
  });
  new Counter({
    name: 'sluice_pubsub_messages_delivered_total',
    help: 'Messages handed to subscribers (one per receiving subscription)',
    registers,
    collect() {
      this.reset();
      this.inc(broker.stats.delivered);
    },
  });
  new Gauge({
    name: 'sluice_pubsub_channels',
    help: 'Channels with at least one subscriber, by kind (channel, shard)',
    labelNames: ['kind'],
    registers,
    collect() {
      this.set({ kind: 'channel' }, broker.registry.channels.size);
      this.set({ kind: 'shard' }, broker.registry.shardChannels.size);
    },
  });
  new Gauge({
    name: 'sluice_pubsub_patterns',
    help: 'Distinct patterns with at least one subscriber',
    registers,
    collect() {
      this.set(broker.registry.patterns.size);
    },
  });
  new Gauge({
    name: 'sluice_pubsub_clients',
    help: 'Connections with at least one subscription',
    registers,
    collect() {
      this.set(broker.registry.clients);
    },
  });
  new Counter({
    name: 'sluice_client_output_buffer_limit_disconnections_total',
    help: 'Clients disconnected for exceeding client-output-buffer-limit',
    registers,
    collect() {
      this.reset();
      this.inc(server.stats.clientOutputBufferLimitDisconnections);
    },
  });
}
