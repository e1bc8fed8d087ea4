import type { Client } from './client.js';
import type { Server } from './server.js';

/** setTimeout's longest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a blocked client waits for: here only a deadline; the blocking-operation registry adds keys. */
export interface BlockedState {
  /** Absolute deadline in ms since the epoch; 0 waits forever. */
  deadline: number;
  timer: NodeJS.Timeout | null;
  /** Writes the reply the timeout gives (WAIT: the replicas reached; BLPOP: nil). */
  onTimeout: (c: Client) => void;
}

/**
 * Clients blocked by a command (WAIT; later BLPOP and the rest). While
 * blocked, Client.command() reports the client busy, so the parser keeps its
 * pipelined requests until `unblock` resumes it. The command's reply is
 * written by whatever ends the wait: the timeout here, or the future registry
 * when a key it waits on is served.
 */
export class BlockedClients {
  private readonly clients = new Set<Client>();

  constructor(private readonly server: Server) {}

  /** Clients blocked now (INFO blocked_clients). */
  get size(): number {
    return this.clients.size;
  }

  /** Blocks the running command's client; the handler writes no reply. */
  block(c: Client, deadline: number, onTimeout: (c: Client) => void): void {
    const state: BlockedState = { deadline, timer: null, onTimeout };
    c.blocked = state;
    this.clients.add(c);
    if (deadline > 0) this.arm(c, state);
  }

  private arm(c: Client, state: BlockedState): void {
    const delay = Math.min(Math.max(0, state.deadline - Date.now()), MAX_TIMER_MS);
    state.timer = setTimeout(() => {
      if (Date.now() < state.deadline) this.arm(c, state);
      else this.timedOut(c);
    }, delay);
    state.timer.unref();
  }

  private timedOut(c: Client): void {
    const state = c.blocked;
    if (state === null) return;
    this.server.startTurn();
    state.onTimeout(c);
    this.unblock(c);
  }

  /**
   * Ends a client's wait once its reply is written: sends it, then runs the
   * requests that arrived meanwhile.
   */
  unblock(c: Client): void {
    if (!this.release(c) || c.closed) return;
    this.server.flushClient(c);
    c.parser.resume();
    this.server.flushClient(c);
  }

  /** Forgets a blocked client without replying (it disconnected). */
  release(c: Client): boolean {
    const state = c.blocked;
    if (state === null) return false;
    if (state.timer !== null) clearTimeout(state.timer);
    c.blocked = null;
    this.clients.delete(c);
    return true;
  }
}
