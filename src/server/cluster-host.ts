import fs from 'node:fs';
import path from 'node:path';
import { keyHashSlot } from '../cluster/key-slot.js';
import type { ClusterHost, ClusterSettings } from '../cluster/state/cluster-host.js';
import type { PreferredEndpointType } from '../cluster/node-table/endpoint.js';
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

/**
 * What the cluster needs of the server. The keys-in-slot members scan db 0:
 * they stand in for the keyspace's slot → keys index, which replaces them.
 */
export function serverClusterHost(server: Server, slotOwnershipChanged: () => void): ClusterHost {
  const file = clusterConfigPath(server);
  const db0 = () => server.keyspace.db(0);
  // Every slot's key count from one scan of db 0, kept until the data changes: the state asks slot by slot
  // (an UPDATE can take thousands of slots at once), which one scan each would make quadratic.
  let histogram: { dirty: number; size: number; counts: Uint32Array } | null = null;
  const counts = (): Uint32Array => {
    const db = db0();
    if (histogram === null || histogram.dirty !== server.keyspace.dirty || histogram.size !== db.size) {
      const fresh = new Uint32Array(16384);
      for (const key of db.dict.keys()) fresh[keyHashSlot(key)]++;
      histogram = { dirty: server.keyspace.dirty, size: db.size, counts: fresh };
    }
    return histogram.counts;
  };
  return {
    get log() {
      return server.log;
    },
    settings: () => clusterSettings(server),
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
    writeConfig(text) {
      try {
        writeFileAtomic(file, text, `${file}.tmp-${process.pid}`);
      } catch (e) {
        throw new Error(strerror(e));
      }
    },
    connect(ip, port, events) {
      return connectBus(ip, port, events, server.config.bool('tls-cluster') ? tlsClientOptions(server.config) : null);
    },
    dbSize: () => db0().size,
    // A scan of db 0, to be replaced by the keyspace's slot index.
    countKeysInSlot: (slot) => counts()[slot],
    // A scan of db 0, to be replaced by the keyspace's slot index.
    getKeysInSlot(slot, count) {
      const keys: string[] = [];
      if (count <= 0 || counts()[slot] === 0) return keys;
      for (const key of db0().dict.keys()) {
        if (keyHashSlot(key) !== slot) continue;
        keys.push(key);
        if (keys.length >= count) break;
      }
      return keys;
    },
    // A scan of db 0, to be replaced by the keyspace's slot index.
    deleteKeysInSlot(slot) {
      const db = db0();
      if (counts()[slot] === 0) return 0;
      const keys = [...db.dict.keys()].filter((key) => keyHashSlot(key) === slot);
      for (const key of keys) {
        if (!db.delete(key)) continue;
        server.propagation.record(0, ['DEL', key]);
      }
      return keys.length;
    },
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
