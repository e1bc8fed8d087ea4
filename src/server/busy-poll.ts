import { readSync } from 'node:fs';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { shutdownOnSignal } from './shutdown.js';

/** Largest read per client and poll. */
const READ_SIZE = 64 * 1024;

/**
 * Serves the other clients while a script runs past busy-reply-threshold
 * (Redis's processEventsWhileBlocked). The event loop is stuck in the
 * script, so each open connection's socket is read directly (a
 * non-blocking read of its descriptor: what is in the kernel's buffer, or
 * nothing), its requests run through the dispatcher (which answers BUSY to
 * all but the allow_busy commands: SCRIPT KILL, FUNCTION KILL, SHUTDOWN…),
 * and the replies are written at once, which the socket does synchronously
 * when nothing is queued in it.
 *
 * Replies of the turn the script interrupted are written first (the
 * end-of-turn flush runs now), so that a client whose reply was waiting
 * for it gets it. Not served: the script's own caller, clients whose input
 * is held (blocked, paused, closing), and clients whose replies the AOF
 * holds for an fsync (writing after them would reorder the output).
 * Connections opened while the script is busy are accepted by another
 * thread (BusyAccept) and served from then on like the others; a SIGTERM
 * or SIGINT it caught stops the server as SHUTDOWN NOSAVE would, since
 * nothing else could until the script ends.
 */
export class BusyPoll {
  private readonly buf = Buffer.allocUnsafe(READ_SIZE);
  /**
   * Clients left alone for the rest of this busy period: their socket
   * reported end of file or an error, or the AOF holds their replies.
   */
  private readonly gone = new Set<Client>();

  constructor(private readonly server: Server) {}

  serve(caller: unknown): void {
    const server = this.server;
    const accept = server.busyAccept;
    accept.begin();
    accept.take();
    const signal = accept.signal();
    if (signal !== null) {
      shutdownOnSignal(server, signal);
      return;
    }
    for (const c of server.flushTurnNow()) this.gone.add(c);
    for (const c of server.clients.values()) {
      const conn = c.conn;
      if (c === caller || conn === null || conn.fd < 0 || c.closed || c.flushPending || conn.parser.isStopped || this.gone.has(c)) continue;
      if (c.blocked !== null || server.isPaused(c) || c.closeAfterReply) continue;
      let n: number;
      try {
        n = readSync(conn.fd, this.buf, 0, READ_SIZE, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') this.gone.add(c);
        continue;
      }
      if (n === 0) {
        this.gone.add(c);
        continue;
      }
      server.stats.netInputBytes += n;
      c.lastInteraction = Date.now();
      conn.parser.feed(this.buf.subarray(0, n));
      c.flush();
    }
  }

  /** The script ended: whatever the event loop finds next is its own. */
  reset(): void {
    this.gone.clear();
    this.server.busyAccept.end();
  }
}
