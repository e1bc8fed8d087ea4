import { CommandError } from '../../core/errors.js';
import type { CommandSpec } from '../command-types.js';

/**
 * Redis Cluster's commands as a standalone Redis (cluster-enabled no) has
 * them: declared, checked for arity, ACL and flags like any command, each
 * answering that cluster support is disabled. Clients and tools tell a
 * standalone server from a cluster node by that answer to CLUSTER INFO.
 */
const DISABLED = 'ERR This instance has cluster support disabled';

function disabled(): void {
  throw new CommandError(DISABLED);
}

const SUB = { acl: [], group: 'cluster', handler: disabled } as const;
const CHANGE = ['no_async_loading', 'admin', 'stale'] as const;
const REPORT = ['nondeterministic_output'];
const RANGE_COST = 'O(N) where N is the total number of the slots between the start slot and end slot arguments.';
const REPLICA_LIST = { ...SUB, arity: 3, flags: ['admin', 'stale'], args: 'node-id', complexity: 'O(N) where N is the number of replicas.', tips: REPORT } as const;

const subcommands: CommandSpec[] = [
  { ...SUB, name: 'addslots', arity: -3, flags: CHANGE, args: 'slot:integer...', since: '3.0.0', summary: 'Assigns new hash slots to a node.', complexity: 'O(N) where N is the total number of hash slot arguments' },
  { ...SUB, name: 'addslotsrange', arity: -4, flags: CHANGE, args: 'range{start-slot:integer end-slot:integer}...', since: '7.0.0', summary: 'Assigns new hash slot ranges to a node.', complexity: RANGE_COST },
  { ...SUB, name: 'bumpepoch', arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Advances the cluster config epoch.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'count-failure-reports', arity: 3, flags: ['admin', 'stale'], args: 'node-id', since: '3.0.0', summary: 'Returns the number of active failure reports active for a node.', complexity: 'O(N) where N is the number of failure reports', tips: REPORT },
  { ...SUB, name: 'countkeysinslot', arity: 3, flags: ['stale'], args: 'slot:integer', since: '3.0.0', summary: 'Returns the number of keys in a hash slot.', complexity: 'O(1)' },
  { ...SUB, name: 'delslots', arity: -3, flags: CHANGE, args: 'slot:integer...', since: '3.0.0', summary: 'Sets hash slots as unbound for a node.', complexity: 'O(N) where N is the total number of hash slot arguments' },
  { ...SUB, name: 'delslotsrange', arity: -4, flags: CHANGE, args: 'range{start-slot:integer end-slot:integer}...', since: '7.0.0', summary: 'Sets hash slot ranges as unbound for a node.', complexity: RANGE_COST },
  { ...SUB, name: 'failover', arity: -2, flags: CHANGE, args: '[options(FORCE | TAKEOVER)]', since: '3.0.0', summary: 'Forces a replica to perform a manual failover of its master.', complexity: 'O(1)' },
  { ...SUB, name: 'flushslots', arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Deletes all slots information from a node.', complexity: 'O(1)' },
  { ...SUB, name: 'forget', arity: 3, flags: CHANGE, args: 'node-id', since: '3.0.0', summary: 'Removes a node from the nodes table.', complexity: 'O(1)' },
  { ...SUB, name: 'getkeysinslot', arity: 4, flags: ['stale'], args: 'slot:integer count:integer', since: '3.0.0', summary: 'Returns the key names in a hash slot.', complexity: 'O(N) where N is the number of requested keys', tips: REPORT },
  // Even HELP: a standalone Redis checks cluster support before it reads the subcommand.
  { ...SUB, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' },
  { ...SUB, name: 'info', arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns information about the state of a node.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'keyslot', arity: 3, flags: ['stale'], args: 'key', since: '3.0.0', summary: 'Returns the hash slot for a key.', complexity: 'O(N) where N is the number of bytes in the key' },
  { ...SUB, name: 'links', arity: 2, flags: ['stale'], since: '7.0.0', summary: 'Returns a list of all TCP links to and from peer nodes.', complexity: 'O(N) where N is the total number of Cluster nodes', tips: REPORT },
  {
    ...SUB, name: 'meet', arity: -4, flags: CHANGE, args: 'ip port:integer [cluster-bus-port:integer @4.0.0]', since: '3.0.0',
    history: [['4.0.0', 'Added the optional `cluster_bus_port` argument.']], summary: 'Forces a node to handshake with another node.', complexity: 'O(1)',
  },
  { ...SUB, name: 'myid', arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns the ID of a node.', complexity: 'O(1)' },
  { ...SUB, name: 'myshardid', arity: 2, flags: ['stale'], since: '7.2.0', summary: 'Returns the shard ID of a node.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'nodes', arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns the cluster configuration for a node.', complexity: 'O(N) where N is the total number of Cluster nodes', tips: REPORT },
  { ...REPLICA_LIST, name: 'replicas', since: '5.0.0', summary: 'Lists the replica nodes of a master node.' },
  { ...SUB, name: 'replicate', arity: 3, flags: CHANGE, args: 'node-id', since: '3.0.0', summary: 'Configure a node as replica of a master node.', complexity: 'O(1)' },
  {
    ...SUB, name: 'reset', arity: -2, flags: ['admin', 'stale', 'noscript'], args: '[reset-type(HARD | SOFT)]', since: '3.0.0', summary: 'Resets a node.',
    complexity: 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.',
  },
  { ...SUB, name: 'saveconfig', arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Forces a node to save the cluster configuration to disk.', complexity: 'O(1)' },
  { ...SUB, name: 'set-config-epoch', arity: 3, flags: CHANGE, args: 'config-epoch:integer', since: '3.0.0', summary: 'Sets the configuration epoch for a new node.', complexity: 'O(1)' },
  {
    ...SUB, name: 'setslot', arity: -4, flags: CHANGE,
    args: 'slot:integer subcommand(IMPORTING importing=node-id | MIGRATING migrating=node-id | NODE node=node-id | STABLE)',
    since: '3.0.0', summary: 'Binds a hash slot to a node.', complexity: 'O(1)',
  },
  { ...SUB, name: 'shards', arity: 2, flags: ['loading', 'stale'], since: '7.0.0', summary: 'Returns the mapping of cluster slots to shards.', complexity: 'O(N) where N is the total number of cluster nodes', tips: REPORT },
  {
    ...REPLICA_LIST, name: 'slaves', since: '3.0.0', summary: 'Lists the replica nodes of a master node.',
    docFlags: ['deprecated'], deprecatedSince: '5.0.0', replacedBy: '`CLUSTER REPLICAS`',
  },
  {
    ...SUB, name: 'slots', arity: 2, flags: ['loading', 'stale'], since: '3.0.0', summary: 'Returns the mapping of cluster slots to nodes.',
    complexity: 'O(N) where N is the total number of Cluster nodes', tips: REPORT, docFlags: ['deprecated'], deprecatedSince: '7.0.0',
    replacedBy: '`CLUSTER SHARDS`', history: [['4.0.0', 'Added node IDs.'], ['7.0.0', 'Added additional networking metadata field.']],
  },
];

const CONNECTION = { arity: 1, acl: ['connection'], group: 'cluster', since: '3.0.0', complexity: 'O(1)', handler: disabled } as const;

export const clusterCommands: CommandSpec[] = [
  {
    name: 'cluster', arity: -2, flags: [], acl: [], group: 'cluster', since: '3.0.0',
    summary: 'A container for Redis Cluster commands.', complexity: 'Depends on subcommand.', subcommands,
  },
  { ...CONNECTION, name: 'readonly', flags: ['fast', 'loading', 'stale'], summary: 'Enables read-only queries for a connection to a Redis Cluster replica node.' },
  // Redis's own spelling.
  { ...CONNECTION, name: 'readwrite', flags: ['fast', 'loading', 'stale'], summary: 'Enables read-write queries for a connection to a Reids Cluster replica node.' },
  { ...CONNECTION, name: 'asking', flags: ['fast'], summary: 'Signals that a cluster client is following an -ASK redirect.' },
];
