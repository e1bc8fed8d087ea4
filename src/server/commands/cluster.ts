import { TLSSocket } from 'node:tls';
import type { Cluster } from '../../cluster/cluster.js';
import { clusterInfoText } from '../../cluster/cluster-info.js';
import { keyHashSlot } from '../../cluster/key-slot.js';
import { clusterNodesReply } from '../../cluster/node-table/cluster-nodes-reply.js';
import { clusterShardsReply } from '../../cluster/node-table/cluster-shards-reply.js';
import { clusterSlotsReply } from '../../cluster/node-table/cluster-slots-reply.js';
import type { ReplyOptions } from '../../cluster/node-table/endpoint.js';
import { nodeLine } from '../../cluster/node-table/node-line.js';
import { ClusterRefusal } from '../../cluster/state/cluster-state.js';
import { parseSlot, SLOT_OR_RANGE } from '../../cluster/slot-argument.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { CommandError, NOT_INTEGER, SYNTAX, wrongArity } from '../../core/errors.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { intArg } from '../../core/numbers.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';

/**
 * Redis Cluster's commands. With cluster-enabled no they are declared,
 * checked for arity, ACL and flags like any command, and each answers
 * that cluster support is disabled: clients and tools tell a standalone
 * server from a cluster node by that answer to CLUSTER INFO. With it on,
 * each handler reads its arguments and asks the cluster (src/cluster/).
 */
const DISABLED = 'ERR This instance has cluster support disabled';

function disabled(): void {
  throw new CommandError(DISABLED);
}

/** The cluster, or the standalone answer; a refusal from the cluster becomes its error reply. */
function clusterHandler(run: (c: Client, argv: string[], cluster: Cluster) => void) {
  return (c: Client, argv: string[]): void => {
    const cluster = c.server.cluster;
    if (cluster === null) throw new CommandError(DISABLED);
    withClusterRefusals(() => run(c, argv, cluster));
    // As Redis's beforeSleep: a change is saved before the reply goes out (the bus messages it queued go after it).
    cluster.settle();
  };
}

/** Runs a cluster operation, its refusal (Redis's error text) becoming the error reply. */
export function withClusterRefusals(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof ClusterRefusal) throw new CommandError(`ERR ${e.message}`);
    throw e;
  }
}

/** A variable-length subcommand whose exact argument counts Redis checks itself. */
function counts(argv: string[], ...allowed: number[]): void {
  if (!allowed.includes(argv.length)) throw new CommandError(subcommandSyntaxError(argv));
}

function slotArg(text: string): number {
  const slot = parseSlot(text);
  if (slot === null) throw new CommandError(`ERR ${SLOT_OR_RANGE}`);
  return slot;
}

function int64(text: string): bigint {
  const n = toInt64(text);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return n;
}

function replyOptions(c: Client, cluster: Cluster): ReplyOptions {
  return { endpointType: cluster.state.host.settings().preferredEndpointType, tlsClient: isTlsClient(c) };
}

function isTlsClient(c: Client): boolean {
  return c.conn !== null && c.conn.socket instanceof TLSSocket;
}

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]', '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH', '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>', '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>', '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]', '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]', '    Promote current replica node to being a master.',
  'FORGET <node-id>', '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>', '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS', '    Delete current node own slots information.',
  'INFO', '    Return information about the cluster.',
  'KEYSLOT <key>', '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]', '    Connect nodes into a working cluster.',
  'MYID', '    Return the node id.',
  'MYSHARDID', "    Return the node's shard id.",
  'NODES', '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>', '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]', '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>', '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)', '    Set slot state.',
  'REPLICAS <node-id>', '    Return <node-id> replicas.',
  'SAVECONFIG', '    Force saving cluster configuration on disk.',
  'SLOTS', '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS', '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS', '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
];

const help = clusterHandler((c, argv) => helpReply(c, argv, HELP));

const meet = clusterHandler((c, argv, cluster) => {
  counts(argv, 4, 5);
  const port = toInt64(argv[3]);
  if (port === null) throw new CommandError(`ERR Invalid base port specified: ${argv[3]}`);
  let cport = port + 10000n;
  if (argv.length === 5) {
    const given = toInt64(argv[4]);
    if (given === null) throw new CommandError(`ERR Invalid bus port specified: ${argv[4]}`);
    cport = given;
  }
  const inRange = (n: bigint) => n > 0n && n <= 65535n;
  if (!inRange(port) || !inRange(cport)) throw new CommandError(`ERR Invalid node address specified: ${argv[2]}:${argv[3]}`);
  cluster.meet(argv[2], Number(port), Number(cport), argv[3]);
  c.reply.ok();
});

const nodes = clusterHandler((c, _argv, cluster) => c.reply.verbatim(clusterNodesReply(cluster.state.table, isTlsClient(c))));
const myid = clusterHandler((c, _argv, cluster) => c.reply.bulk(cluster.myself.name));
const myshardid = clusterHandler((c, _argv, cluster) => c.reply.bulk(cluster.myself.shardId ?? ''));
const info = clusterHandler((c, _argv, cluster) => c.reply.verbatim(clusterInfoText(cluster)));

const slots = clusterHandler((c, _argv, cluster) => {
  const entries = clusterSlotsReply(cluster.state.table, replyOptions(c, cluster));
  const r = c.reply;
  r.array(entries.length);
  for (const [start, end, ...members] of entries) {
    r.array(2 + members.length);
    r.integer(start);
    r.integer(end);
    for (const [endpoint, port, name, more] of members) {
      r.array(4);
      if (endpoint === null) r.nullBulk();
      else r.bulk(endpoint);
      r.integer(port);
      r.bulk(name);
      r.map(more.size);
      for (const [k, v] of more) {
        r.bulk(k);
        r.bulk(v);
      }
    }
  }
});

const shards = clusterHandler((c, _argv, cluster) => {
  const list = clusterShardsReply(cluster.state.table, replyOptions(c, cluster));
  const r = c.reply;
  r.array(list.length);
  for (const shard of list) {
    r.map(2);
    r.bulk('slots');
    r.array(shard.slots.length);
    for (const slot of shard.slots) r.integer(slot);
    r.bulk('nodes');
    r.array(shard.nodes.length);
    for (const node of shard.nodes) replyFields(c, node);
  }
});

const flushslots = clusterHandler((c, _argv, cluster) => {
  cluster.flushSlots();
  c.reply.ok();
});

function slotsUpdate(del: boolean) {
  return clusterHandler((c, argv, cluster) => {
    // Every slot is read before any is checked, as Redis reads them all first.
    const list = argv.slice(2).map(slotArg);
    cluster.updateSlots(list.map((s) => [s, s]), del);
    c.reply.ok();
  });
}

function slotsRangeUpdate(del: boolean) {
  return clusterHandler((c, argv, cluster) => {
    if (argv.length % 2 === 1) throw new CommandError(wrongArity(`cluster|${argv[1].toLowerCase()}`));
    const ranges: [number, number][] = [];
    for (let j = 2; j < argv.length; j += 2) {
      const start = slotArg(argv[j]);
      const end = slotArg(argv[j + 1]);
      if (start > end) throw new CommandError(`ERR start slot number ${start} is greater than end slot number ${end}`);
      ranges.push([start, end]);
    }
    cluster.updateSlots(ranges, del);
    c.reply.ok();
  });
}

const setslot = clusterHandler((c, argv, cluster) => {
  cluster.refuseOnReplica();
  const slot = slotArg(argv[2]);
  const action = argv[3].toLowerCase();
  if (action === 'migrating' && argv.length === 5) cluster.setSlotMigrating(slot, argv[4]);
  else if (action === 'importing' && argv.length === 5) cluster.setSlotImporting(slot, argv[4]);
  else if (action === 'stable' && argv.length === 4) cluster.setSlotStable(slot);
  else if (action === 'node' && argv.length === 5) cluster.setSlotNode(slot, argv[4]);
  else throw new CommandError('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  c.reply.ok();
});

const bumpepoch = clusterHandler((c, _argv, cluster) => c.reply.simple(cluster.bumpEpoch()));

const saveconfig = clusterHandler((c, _argv, cluster) => {
  const error = cluster.saveConfig();
  if (error !== null) throw new CommandError(`ERR error saving the cluster node config: ${error}`);
  c.reply.ok();
});

const keyslot = clusterHandler((c, argv) => c.reply.integer(keyHashSlot(argv[2])));

const countkeysinslot = clusterHandler((c, argv, cluster) => {
  const slot = intArg(argv[2]);
  if (slot < 0 || slot >= 16384) throw new CommandError('ERR Invalid slot');
  c.reply.integer(cluster.state.host.countKeysInSlot(slot));
});

const getkeysinslot = clusterHandler((c, argv, cluster) => {
  const slot = intArg(argv[2]);
  const max = intArg(argv[3]);
  if (slot < 0 || slot >= 16384 || max < 0) throw new CommandError('ERR Invalid slot or number of keys');
  const keys = cluster.state.host.getKeysInSlot(slot, Math.min(max, 0x7fffffff));
  c.reply.array(keys.length);
  for (const key of keys) c.reply.bulk(key);
});

const forget = clusterHandler((c, argv, cluster) => {
  cluster.forget(argv[2]);
  c.reply.ok();
});

const replicate = clusterHandler((c, argv, cluster) => {
  cluster.replicate(argv[2]);
  c.reply.ok();
});

const replicas = clusterHandler((c, argv, cluster) => {
  const list = cluster.replicasOf(argv[2]);
  c.reply.array(list.length);
  for (const node of list) c.reply.bulk(nodeLine(cluster.state.table, node, { aux: false, tlsPrimary: isTlsClient(c) }));
});

const countFailureReports = clusterHandler((c, argv, cluster) => c.reply.integer(cluster.countFailureReports(argv[2])));

const failover = clusterHandler((c, argv, cluster) => {
  counts(argv, 2, 3);
  const option = argv.length === 3 ? argv[2].toLowerCase() : 'default';
  if (option !== 'default' && option !== 'force' && option !== 'takeover') throw new CommandError(SYNTAX);
  cluster.failover(option);
  c.reply.ok();
});

const setConfigEpoch = clusterHandler((c, argv, cluster) => {
  cluster.setConfigEpoch(int64(argv[2]));
  c.reply.ok();
});

const reset = clusterHandler((c, argv, cluster) => {
  counts(argv, 2, 3);
  let hard = false;
  if (argv.length === 3) {
    const kind = argv[2].toLowerCase();
    if (kind === 'hard') hard = true;
    else if (kind !== 'soft') throw new CommandError(SYNTAX);
  }
  cluster.reset(hard);
  c.reply.ok();
});

const links = clusterHandler((c, _argv, cluster) => {
  const rows = cluster.bus.describeLinks();
  c.reply.array(rows.length);
  for (const row of rows) {
    replyFields(c, new Map<string, string | number>([
      ['direction', row.inbound ? 'from' : 'to'],
      ['node', row.node],
      ['create-time', row.createTime],
      ['events', row.events],
      ['send-buffer-allocated', row.sendBufferAllocated],
      ['send-buffer-used', row.sendBufferUsed],
    ]));
  }
});

/** A map of named fields, numbers as integers. */
function replyFields(c: Client, fields: ReadonlyMap<string, string | number>): void {
  c.reply.map(fields.size);
  for (const [name, value] of fields) {
    c.reply.bulk(name);
    if (typeof value === 'number') c.reply.integer(value);
    else c.reply.bulk(value);
  }
}

const SUB = { acl: [], group: 'cluster' } as const;
const CHANGE = ['no_async_loading', 'admin', 'stale'] as const;
const REPORT = ['nondeterministic_output'];
const RANGE_COST = 'O(N) where N is the total number of the slots between the start slot and end slot arguments.';
const REPLICA_LIST = { ...SUB, arity: 3, flags: ['admin', 'stale'], args: 'node-id', complexity: 'O(N) where N is the number of replicas.', tips: REPORT } as const;

const subcommands: CommandSpec[] = [
  { ...SUB, name: 'addslots', handler: slotsUpdate(false), arity: -3, flags: CHANGE, args: 'slot:integer...', since: '3.0.0', summary: 'Assigns new hash slots to a node.', complexity: 'O(N) where N is the total number of hash slot arguments' },
  { ...SUB, name: 'addslotsrange', handler: slotsRangeUpdate(false), arity: -4, flags: CHANGE, args: 'range{start-slot:integer end-slot:integer}...', since: '7.0.0', summary: 'Assigns new hash slot ranges to a node.', complexity: RANGE_COST },
  { ...SUB, name: 'bumpepoch', handler: bumpepoch, arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Advances the cluster config epoch.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'count-failure-reports', handler: countFailureReports, arity: 3, flags: ['admin', 'stale'], args: 'node-id', since: '3.0.0', summary: 'Returns the number of active failure reports active for a node.', complexity: 'O(N) where N is the number of failure reports', tips: REPORT },
  { ...SUB, name: 'countkeysinslot', handler: countkeysinslot, arity: 3, flags: ['stale'], args: 'slot:integer', since: '3.0.0', summary: 'Returns the number of keys in a hash slot.', complexity: 'O(1)' },
  { ...SUB, name: 'delslots', handler: slotsUpdate(true), arity: -3, flags: CHANGE, args: 'slot:integer...', since: '3.0.0', summary: 'Sets hash slots as unbound for a node.', complexity: 'O(N) where N is the total number of hash slot arguments' },
  { ...SUB, name: 'delslotsrange', handler: slotsRangeUpdate(true), arity: -4, flags: CHANGE, args: 'range{start-slot:integer end-slot:integer}...', since: '7.0.0', summary: 'Sets hash slot ranges as unbound for a node.', complexity: RANGE_COST },
  { ...SUB, name: 'failover', handler: failover, arity: -2, flags: CHANGE, args: '[options(FORCE | TAKEOVER)]', since: '3.0.0', summary: 'Forces a replica to perform a manual failover of its master.', complexity: 'O(1)' },
  { ...SUB, name: 'flushslots', handler: flushslots, arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Deletes all slots information from a node.', complexity: 'O(1)' },
  { ...SUB, name: 'forget', handler: forget, arity: 3, flags: CHANGE, args: 'node-id', since: '3.0.0', summary: 'Removes a node from the nodes table.', complexity: 'O(1)' },
  { ...SUB, name: 'getkeysinslot', handler: getkeysinslot, arity: 4, flags: ['stale'], args: 'slot:integer count:integer', since: '3.0.0', summary: 'Returns the key names in a hash slot.', complexity: 'O(N) where N is the number of requested keys', tips: REPORT },
  // Even HELP: a standalone Redis checks cluster support before it reads the subcommand.
  { ...SUB, name: 'help', handler: help, arity: 2, flags: ['loading', 'stale'], since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' },
  { ...SUB, name: 'info', handler: info, arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns information about the state of a node.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'keyslot', handler: keyslot, arity: 3, flags: ['stale'], args: 'key', since: '3.0.0', summary: 'Returns the hash slot for a key.', complexity: 'O(N) where N is the number of bytes in the key' },
  { ...SUB, name: 'links', handler: links, arity: 2, flags: ['stale'], since: '7.0.0', summary: 'Returns a list of all TCP links to and from peer nodes.', complexity: 'O(N) where N is the total number of Cluster nodes', tips: REPORT },
  {
    ...SUB, name: 'meet', handler: meet, arity: -4, flags: CHANGE, args: 'ip port:integer [cluster-bus-port:integer @4.0.0]', since: '3.0.0',
    history: [['4.0.0', 'Added the optional `cluster_bus_port` argument.']], summary: 'Forces a node to handshake with another node.', complexity: 'O(1)',
  },
  { ...SUB, name: 'myid', handler: myid, arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns the ID of a node.', complexity: 'O(1)' },
  { ...SUB, name: 'myshardid', handler: myshardid, arity: 2, flags: ['stale'], since: '7.2.0', summary: 'Returns the shard ID of a node.', complexity: 'O(1)', tips: REPORT },
  { ...SUB, name: 'nodes', handler: nodes, arity: 2, flags: ['stale'], since: '3.0.0', summary: 'Returns the cluster configuration for a node.', complexity: 'O(N) where N is the total number of Cluster nodes', tips: REPORT },
  { ...REPLICA_LIST, name: 'replicas', handler: replicas, since: '5.0.0', summary: 'Lists the replica nodes of a master node.' },
  { ...SUB, name: 'replicate', handler: replicate, arity: 3, flags: CHANGE, args: 'node-id', since: '3.0.0', summary: 'Configure a node as replica of a master node.', complexity: 'O(1)' },
  {
    ...SUB, name: 'reset', handler: reset, arity: -2, flags: ['admin', 'stale', 'noscript'], args: '[reset-type(HARD | SOFT)]', since: '3.0.0', summary: 'Resets a node.',
    complexity: 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.',
  },
  { ...SUB, name: 'saveconfig', handler: saveconfig, arity: 2, flags: CHANGE, since: '3.0.0', summary: 'Forces a node to save the cluster configuration to disk.', complexity: 'O(1)' },
  { ...SUB, name: 'set-config-epoch', handler: setConfigEpoch, arity: 3, flags: CHANGE, args: 'config-epoch:integer', since: '3.0.0', summary: 'Sets the configuration epoch for a new node.', complexity: 'O(1)' },
  {
    ...SUB, name: 'setslot', handler: setslot, arity: -4, flags: CHANGE,
    args: 'slot:integer subcommand(IMPORTING importing=node-id | MIGRATING migrating=node-id | NODE node=node-id | STABLE)',
    since: '3.0.0', summary: 'Binds a hash slot to a node.', complexity: 'O(1)',
  },
  { ...SUB, name: 'shards', handler: shards, arity: 2, flags: ['loading', 'stale'], since: '7.0.0', summary: 'Returns the mapping of cluster slots to shards.', complexity: 'O(N) where N is the total number of cluster nodes', tips: REPORT },
  {
    ...REPLICA_LIST, name: 'slaves', handler: replicas, since: '3.0.0', summary: 'Lists the replica nodes of a master node.',
    docFlags: ['deprecated'], deprecatedSince: '5.0.0', replacedBy: '`CLUSTER REPLICAS`',
  },
  {
    ...SUB, name: 'slots', handler: slots, arity: 2, flags: ['loading', 'stale'], since: '3.0.0', summary: 'Returns the mapping of cluster slots to nodes.',
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
