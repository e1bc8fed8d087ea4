import type { ClusterRoutingView } from './routing-view.js';

/**
 * What getNodeByQuery decides for a command (its CLUSTER_REDIR_* codes):
 * serve it here, or the redirection or error the client gets instead.
 */
export type Route = 'here' | 'moved' | 'ask' | 'tryagain' | 'crossslot' | 'down' | 'down-readonly' | 'unbound';

/**
 * The error a client is given for a route other than 'here', in Redis's
 * words (clusterRedirectClient); MOVED and ASK name the slot and the
 * endpoint of `node`, on the client's kind of port (`tls`).
 */
export function redirectionError(route: Exclude<Route, 'here'>, slot: number, node: string | null, view: ClusterRoutingView, tls: boolean): string {
  switch (route) {
    case 'moved':
      return `MOVED ${slot} ${view.redirectEndpoint(node!, tls)}`;
    case 'ask':
      return `ASK ${slot} ${view.redirectEndpoint(node!, tls)}`;
    case 'tryagain':
      return 'TRYAGAIN Multiple keys request during rehashing of slot';
    case 'crossslot':
      return "CROSSSLOT Keys in request don't hash to the same slot";
    case 'down':
      return 'CLUSTERDOWN The cluster is down';
    case 'down-readonly':
      return 'CLUSTERDOWN The cluster is down and only accepts read commands';
    case 'unbound':
      return 'CLUSTERDOWN Hash slot not served';
  }
}
