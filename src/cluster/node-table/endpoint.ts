import type { ClusterNode } from './node.js';

/** cluster-preferred-endpoint-type: how a node tells clients where to reach the others. */
export type PreferredEndpointType = 'ip' | 'hostname' | 'unknown-endpoint';

/**
 * The endpoint CLUSTER SHARDS (and a redirection) names: "?" for a node
 * with no hostname when hostnames are preferred, and an empty string when
 * the endpoint is declared unknown (CLUSTER SLOTS says null instead).
 */
export function preferredEndpoint(node: ClusterNode, type: PreferredEndpointType): string {
  switch (type) {
    case 'ip': return node.ip;
    case 'hostname': return node.hostname !== '' ? node.hostname : '?';
    case 'unknown-endpoint': return '';
  }
}

export interface ReplyOptions {
  endpointType: PreferredEndpointType;
  /** A TLS client is given TLS ports. */
  tlsClient: boolean;
}
