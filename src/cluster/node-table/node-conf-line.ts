import { CLUSTER_SLOTS } from '../key-slot.js';
import { addSlot, newSlotBitmap } from '../slot-bitmap.js';
import { readDecimal, readUint64 } from './decimal.js';
import { isNodeName, NODE_FLAGS, type ClusterNode, type NodeFlag } from './node.js';

/** A `[slot->-name]` or `[slot-<-name]` marker as read, before its node is known to exist. */
export interface SlotMoveMarker {
  slot: number;
  direction: 'migrating' | 'importing';
  peer: string;
}

export interface ReadNodeLine {
  node: ClusterNode;
  markers: SlotMoveMarker[];
}

/** Redis's isValidAuxChar: anything but these. */
const AUX_FORBIDDEN = /[!#$%&()*+:;<>?@[\]^{|}~]/;
const MARKER = /^\[([0-9]{1,5})-([<>])-([a-z0-9]{40})\]$/;
const RANGE = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/;
const LINK_STATES: Record<string, boolean> = { connected: true, disconnected: false };

/**
 * One node's line of nodes.conf, split into its fields: the node, or why
 * the line is refused. References to other nodes (master, markers) are
 * only checked for form here; the file as a whole resolves them.
 */
export function readNodeLine(fields: string[], tlsCluster: boolean): ReadNodeLine | string {
  if (fields.length < 8) return `${fields.length} fields, a node line has at least 8`;
  const [name, address, flagsField, masterField, pingField, pongField, epochField, linkField] = fields;
  if (!isNodeName(name)) return `node name "${name}" is not 40 lowercase letters or digits`;

  const node: ClusterNode = {
    name, ip: '', tcpPort: 0, tlsPort: 0, cport: 0, hostname: '', humanNodename: '', shardId: null,
    flags: new Set(), master: null, pingSent: 0, pongReceived: 0, configEpoch: 0n, linkConnected: false,
    slots: newSlotBitmap(), replicationOffset: 0,
  };
  const addressError = readAddress(node, address, tlsCluster);
  if (addressError !== null) return addressError;

  for (const word of flagsField.split(',')) {
    const flag = word.toLowerCase();
    if (flag === 'noflags') continue;
    if (!(NODE_FLAGS as readonly string[]).includes(flag)) return `unknown flag "${word}"`;
    node.flags.add(flag as NodeFlag);
  }

  if (masterField !== '-') {
    if (!isNodeName(masterField)) return `master "${masterField}" is neither "-" nor a node name`;
    node.master = masterField;
  }

  // Redis, loading, replaces a non-zero time with its own clock and ignores the link state, both being
  // facts of a live node; the table keeps what the file says, so that it writes back the same.
  const pingSent = readDecimal(pingField, Number.MAX_SAFE_INTEGER);
  const pongReceived = readDecimal(pongField, Number.MAX_SAFE_INTEGER);
  if (pingSent === null || pongReceived === null) return 'ping_sent and pong_recv must be millisecond times';
  node.pingSent = pingSent;
  node.pongReceived = pongReceived;
  const configEpoch = readUint64(epochField);
  if (configEpoch === null) return `configEpoch "${epochField}" is not an unsigned 64-bit number`;
  // Redis keeps a replica's own epoch at 0 and always shows its master's.
  node.configEpoch = node.flags.has('slave') && node.master !== null ? 0n : configEpoch;
  const link = LINK_STATES[linkField];
  if (link === undefined) return `link state "${linkField}" is neither connected nor disconnected`;
  node.linkConnected = link;

  const markers: SlotMoveMarker[] = [];
  for (const word of fields.slice(8)) {
    const marker = MARKER.exec(word);
    if (marker !== null) {
      const slot = readDecimal(marker[1], CLUSTER_SLOTS - 1);
      if (slot === null) return `slot ${marker[1]} is out of range`;
      markers.push({ slot, direction: marker[2] === '>' ? 'migrating' : 'importing', peer: marker[3] });
      continue;
    }
    const range = RANGE.exec(word);
    if (range === null) return `"${word}" is neither a slot, a slot range nor a migration marker`;
    const start = readDecimal(range[1], CLUSTER_SLOTS - 1);
    const end = range[2] === undefined ? start : readDecimal(range[2], CLUSTER_SLOTS - 1);
    if (start === null || end === null) return `slot range "${word}" is out of 0-${CLUSTER_SLOTS - 1}`;
    if (start > end) return `slot range "${word}" ends before it starts`;
    for (let slot = start; slot <= end; slot++) addSlot(node.slots, slot);
  }
  return { node, markers };
}

/**
 * `ip:port[@cport][,hostname[,aux=value]...]`. Which port the main one is
 * depends on the aux ports present, as in Redis: with neither, it is the
 * cluster's kind (TLS or plain); with one, it is the other.
 */
function readAddress(node: ClusterNode, field: string, tlsCluster: boolean): string | null {
  const parts = field.split(',');
  if (parts.length > 1) node.hostname = parts[1];
  let auxTcp = false;
  let auxTls = false;
  for (const aux of parts.slice(2)) {
    const pair = aux.split('=');
    if (pair.length !== 2) return `aux field "${aux}" is not key=value`;
    const [key, value] = pair;
    if (AUX_FORBIDDEN.test(key) || AUX_FORBIDDEN.test(value)) return `aux field "${aux}" has a character Redis forbids there`;
    switch (key) {
      case 'shard-id':
        if (!isNodeName(value)) return `shard-id "${value}" is not 40 lowercase letters or digits`;
        node.shardId = value;
        break;
      case 'nodename':
        node.humanNodename = value;
        break;
      case 'tcp-port':
      case 'tls-port': {
        const port = readDecimal(value, 65535);
        if (port === null) return `${key} "${value}" is not a port`;
        if (key === 'tcp-port') {
          node.tcpPort = port;
          auxTcp = true;
        } else {
          node.tlsPort = port;
          auxTls = true;
        }
        break;
      }
      default:
        return `unknown aux field "${key}"`;
    }
  }

  const hostPort = parts[0];
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return `address "${hostPort}" has no port`;
  node.ip = hostPort.slice(0, colon);
  const [portText, cportText, ...rest] = hostPort.slice(colon + 1).split('@');
  if (rest.length > 0) return `address "${hostPort}" has more than one @`;
  const port = readDecimal(portText, 65535);
  if (port === null) return `port "${portText}" is not a port`;
  if (!auxTcp && !auxTls) {
    if (tlsCluster) node.tlsPort = port;
    else node.tcpPort = port;
  } else if (!auxTcp) {
    node.tcpPort = port;
  } else if (!auxTls) {
    node.tlsPort = port;
  }
  if (cportText === undefined) {
    // Files older than 4.0 have no bus port: it was always the client port plus 10000.
    node.cport = (tlsCluster ? node.tlsPort : node.tcpPort) + 10000;
    if (node.cport > 65535) return `port ${port} leaves no room for the implied bus port`;
  } else {
    const cport = readDecimal(cportText, 65535);
    if (cport === null) return `bus port "${cportText}" is not a port`;
    node.cport = cport;
  }
  return null;
}
