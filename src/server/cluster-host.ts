import fs from 'node:fs';
import path from 'node:path';
import type { ClusterHost, ClusterSettings } from '../cluster/state/cluster-host.js';
import type { PreferredEndpointType } from '../cluster/node-table/endpoint.js';
import { withAccessors } from '../core/accessors.js';
import { strerror, writeFileAtomic } from '../persistence/io.js';
import { connectBus } from './cluster-bus-socket.js';
import { tlsClientOptions } from './tls/tls-settings.js';
import type { Server } from './server.js';

/** cluster-config-file, in dir unless absolute. */
export function clusterConfigPath(server: Server): string {
  return path.resolve(server.config.str('dir'), server.config.str('cluster-config-file'));
}

/** The bus port: cluster-port, or the client port + 10000. */
export function clusterBusPort(server: Server): number {
  const configured = server.config.num('cluster-port');
  return configured !== 0 ? configured : clientPort(server) + 10000;
}

/** defaultClientPort: the TLS port when the bus is TLS, else the plain one. */
function clientPort(server: Server): number {
  return server.config.bool('tls-cluster') ? server.config.num('tls-port') : server.config.num('port');
}

/** What the cluster needs of the server; the keys-in-slot members read database 0's slot index. */
export function serverClusterHost(server: Server, slotOwnershipChanged: () => void): ClusterHost {
  const file = clusterConfigPath(server);
  const ks = server.keyspace;
  const host: Omit<ClusterHost, 'log'> = {
    // Read for every bus message and state update: kept until a parameter changes.
    settings: () => server.config.derived(clusterSettings, () => clusterSettings(server)),
    now: () => Date.now(),
    readConfig() {
      let text: string;
      try {
        text = fs.readFileSync(file, 'latin1');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(`${file}: ${strerror(e)}`);
      }
      return text.length === 0 ? null : text;
    },
    writeConfig(text, fsync) {
      try {
        writeFileAtomic(file, text, `${file}.tmp-${process.pid}`, { sync: fsync });
      } catch (e) {
        throw new Error(strerror(e));
      }
    },
    connect(ip, port, events) {
      return connectBus(ip, port, events, server.config.bool('tls-cluster') ? tlsClientOptions(server.config) : null, server.config.str('bind-source-addr'));
    },
    dbSize: () => ks.db(0).size,
    countKeysInSlot: (slot) => ks.countKeysInSlot(slot),
    getKeysInSlot: (slot, count) => (count <= 0 ? [] : ks.getKeysInSlot(slot, count)),
    deleteKeysInSlot: (slot) => ks.deleteKeysInSlot(slot, server.config.bool('lazyfree-lazy-server-del')),
    flushAll: () => {
      server.keyspace.flushAll();
    },
    replicate(ip, port) {
      const side = server.replication.replicaSide;
      if (side !== null && side.masterHost === ip && side.masterPort === port) return;
      server.replication.replicaOf(ip, port, 'cluster', false);
    },
    stopReplicating: () => server.replication.promote('cluster reset'),
    isReplicating: () => server.replication.isReplica,
    // FAILOVER, which holds writes the same way, is refused in cluster mode: the hold is the cluster's alone.
    pauseWrites: () => server.holdWrites('failover'),
    unpauseWrites: () => server.releaseWrites('failover'),
    replicationOffset: () => server.replication.offset,
    replicationDataAge() {
      const side = server.replication.replicaSide;
      if (side === null) return 0;
      if (side.connected && side.link !== null) return Date.now() - side.link.lastIoMs;
      return Date.now() - side.downSince;
    },
    deliverPublish(channel, message, shard) {
      const name = channel.toString('latin1');
      const text = message.toString('latin1');
      if (shard) server.broker.spublish(name, text);
      else server.broker.publish(name, text);
    },
    slotOwnershipChanged,
  };
  return withAccessors(host, { log: { get: () => server.log } });
}

function clusterSettings(server: Server): ClusterSettings {
  const c = server.config;
  const tcpPort = c.num('cluster-announce-port') !== 0 ? c.num('cluster-announce-port') : c.num('port');
  const tlsPort = c.num('cluster-announce-tls-port') !== 0 ? c.num('cluster-announce-tls-port') : c.num('tls-port');
  return {
    nodeTimeout: c.num('cluster-node-timeout'),
    pingInterval: c.num('cluster-ping-interval'),
    requireFullCoverage: c.bool('cluster-require-full-coverage'),
    allowReadsWhenDown: c.bool('cluster-allow-reads-when-down'),
    allowPubsubshardWhenDown: c.bool('cluster-allow-pubsubshard-when-down'),
    allowReplicaMigration: c.bool('cluster-allow-replica-migration'),
    migrationBarrier: c.num('cluster-migration-barrier'),
    replicaNoFailover: c.bool('cluster-replica-no-failover'),
    linkSendbufLimit: c.num('cluster-link-sendbuf-limit'),
    replicaValidityFactor: c.num('cluster-replica-validity-factor'),
    replPingPeriod: c.num('repl-ping-replica-period'),
    preferredEndpointType: c.str('cluster-preferred-endpoint-type') as PreferredEndpointType,
    announceIp: c.str('cluster-announce-ip'),
    announceHostname: c.str('cluster-announce-hostname'),
    announceHumanNodename: c.str('cluster-announce-human-nodename'),
    tcpPort,
    tlsPort,
    busPort: c.num('cluster-announce-bus-port') !== 0 ? c.num('cluster-announce-bus-port') : clusterBusPort(server),
    tlsCluster: c.bool('tls-cluster'),
  };
}
