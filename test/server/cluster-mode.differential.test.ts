import { c, differential, fails } from '../helpers/differential.js';
import { freePort } from '../helpers/servers.js';

/**
 * A lone cluster node (cluster-enabled yes, no slots, no peers) against
 * redis-server's: the CLUSTER subcommands' answers and refusals, and the
 * commands cluster mode forbids. The bus ports are chosen free: a client
 * port picked at random may leave no room for port + 10000.
 */
const sluiceBus = await freePort();
const redisBus = await freePort();
const NODE = 'a'.repeat(40);

differential('a cluster node alone', {
  'slot arguments are read as Redis reads them': [
    fails('CLUSTER', 'ADDSLOTS', 'x'),
    fails('CLUSTER', 'ADDSLOTS', '16384'),
    fails('CLUSTER', 'ADDSLOTS', '-1'),
    fails('CLUSTER', 'ADDSLOTS', '01'),
    fails('CLUSTER', 'ADDSLOTS', '5', '5'),
    fails('CLUSTER', 'ADDSLOTSRANGE', '1', '2', '3'),
    fails('CLUSTER', 'ADDSLOTSRANGE', '5', '3'),
    fails('CLUSTER', 'DELSLOTS', '100'),
    fails('CLUSTER', 'DELSLOTSRANGE', '100', '101'),
    c('CLUSTER', 'ADDSLOTSRANGE', '0', '99'),
    fails('CLUSTER', 'ADDSLOTS', '50'),
    c('CLUSTER', 'DELSLOTS', '50'),
    c('CLUSTER', 'COUNTKEYSINSLOT', '0'),
    fails('CLUSTER', 'COUNTKEYSINSLOT', '16384'),
    fails('CLUSTER', 'COUNTKEYSINSLOT', 'x'),
    fails('CLUSTER', 'GETKEYSINSLOT', '0', '-1'),
    c('CLUSTER', 'GETKEYSINSLOT', '0', '10'),
    // Integers as string2ll reads them, the count past 2^53 and up to int64's end taken whole.
    c('CLUSTER', 'GETKEYSINSLOT', '0', '9223372036854775807'),
    c('CLUSTER', 'GETKEYSINSLOT', '0', '99999999999999999'),
    fails('CLUSTER', 'GETKEYSINSLOT', '0', '9223372036854775808'),
    fails('CLUSTER', 'GETKEYSINSLOT', '-0', '1'),
    fails('CLUSTER', 'GETKEYSINSLOT', '00', '1'),
    fails('CLUSTER', 'GETKEYSINSLOT', '0', '1.5'),
    fails('CLUSTER', 'GETKEYSINSLOT', '16384', '1'),
    fails('CLUSTER', 'GETKEYSINSLOT', '-9223372036854775808', '1'),
    fails('CLUSTER', 'COUNTKEYSINSLOT', '-1'),
    fails('CLUSTER', 'COUNTKEYSINSLOT', '99999999999999999999'),
    // A subcommand repeated, in another case, then an unknown one after it.
    c('CLUSTER', 'countkeysinslot', '0'),
    c('cluster', 'CountKeysInSlot', '0'),
    fails('CLUSTER', 'COUNTKEYSINSLOTS', '0'),
    c('CLUSTER', 'COUNTKEYSINSLOT', '0'),
    c('CLUSTER', 'KEYSLOT', '{user1000}.following'),
    c('CLUSTER', 'FLUSHSLOTS'),
  ],
  'SETSLOT refuses what it must': [
    fails('CLUSTER', 'SETSLOT', '1', 'MIGRATING', NODE),
    fails('CLUSTER', 'SETSLOT', '1', 'IMPORTING', NODE),
    fails('CLUSTER', 'SETSLOT', '1', 'NODE', NODE),
    fails('CLUSTER', 'SETSLOT', '1', 'BOGUS'),
    fails('CLUSTER', 'SETSLOT', '1', 'STABLE', 'extra'),
    fails('CLUSTER', 'SETSLOT', 'x', 'STABLE'),
    c('CLUSTER', 'SETSLOT', '1', 'STABLE'),
  ],
  'nodes are named by id, and unknown ones refused': [
    fails('CLUSTER', 'FORGET', NODE),
    fails('CLUSTER', 'REPLICATE', NODE),
    fails('CLUSTER', 'REPLICAS', NODE),
    fails('CLUSTER', 'SLAVES', NODE),
    fails('CLUSTER', 'COUNT-FAILURE-REPORTS', NODE),
    // Not a port that is no number: 7.0 says "Invalid TCP base port" (and bus port), 7.2 and Sluice "Invalid base port".
    fails('CLUSTER', 'MEET', 'notanip', '7000'),
    fails('CLUSTER', 'MEET', '127.0.0.1', '70000'),
    fails('CLUSTER', 'MEET', '127.0.0.1', '7000', '1', '2'),
  ],
  'epochs, FAILOVER and RESET on a master': [
    fails('CLUSTER', 'SET-CONFIG-EPOCH', '-1'),
    fails('CLUSTER', 'SET-CONFIG-EPOCH', 'x'),
    fails('CLUSTER', 'FAILOVER'),
    fails('CLUSTER', 'FAILOVER', 'bogus'),
    fails('CLUSTER', 'FAILOVER', 'FORCE', 'extra'),
    fails('CLUSTER', 'RESET', 'bogus'),
    fails('CLUSTER', 'RESET', 'SOFT', 'extra'),
    c('CLUSTER', 'SAVECONFIG'),
    c('CLUSTER', 'LINKS'),
    c('CLUSTER', 'SLOTS'),
    fails('CLUSTER', 'BOGUS'),
  ],
  'what cluster mode forbids: other databases, REPLICAOF and FAILOVER': [
    fails('SELECT', '1'),
    c('SELECT', '0'),
    fails('SELECT', 'x'),
    fails('SWAPDB', '0', '1'),
    // MOVE and COPY … DB have keys: a node that serves no slot answers them CLUSTERDOWN first (the routing's).
    fails('REPLICAOF', '127.0.0.1', '6379'),
    fails('FAILOVER'),
  ],
}, {
  servers: {
    sluice: { config: { 'cluster-enabled': 'yes', 'cluster-port': sluiceBus } },
    redis: ['--cluster-enabled', 'yes', '--cluster-port', String(redisBus)],
  },
});
