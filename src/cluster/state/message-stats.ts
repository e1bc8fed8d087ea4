import { MESSAGE_TYPE_NAMES } from '../bus/message-types.js';

/** Messages sent and received by type code, as CLUSTER INFO reports them. */
export class MessageStats {
  readonly sent = new Array<number>(MESSAGE_TYPE_NAMES.length).fill(0);
  readonly received = new Array<number>(MESSAGE_TYPE_NAMES.length).fill(0);
  /** Links closed for holding more than cluster-link-sendbuf-limit. */
  linksBufferLimitExceeded = 0;

  countSent(code: number): void {
    if (code < this.sent.length) this.sent[code]++;
  }

  /** Redis counts a message by its type before checking it, so a malformed one counts too. */
  countReceived(code: number): void {
    if (code < this.received.length) this.received[code]++;
  }
}

/** clusterGetMessageTypeString: the names the counters are reported under. */
export const STAT_NAMES = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module', 'publishshard'];
