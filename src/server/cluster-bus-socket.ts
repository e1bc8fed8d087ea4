import net from 'node:net';
import tls from 'node:tls';
import type { BusSocket, BusSocketEvents } from '../cluster/links/bus-socket.js';
import { withAccessors } from '../core/accessors.js';
import { closeAll, listenOnEach } from './listener.js';

/**
 * A cluster bus connection on a TCP socket. As in Redis, only an accepted
 * link sends without delay (clusterAcceptHandler's connEnableTcpNoDelay);
 * an outbound one keeps Nagle's algorithm, so a message queued while the
 * one before is unacknowledged waits for its ACK. That matters in a
 * reshard: a target's PONG claiming a slot then usually reaches the source
 * after redis-cli's SETSLOT NODE, not before, and the source's nodes.conf
 * save for the slot is not one with fsyncs.
 */
export function tcpBusSocket(socket: net.Socket, events: BusSocketEvents | null, noDelay: boolean): BusSocket & { listen(events: BusSocketEvents): void } {
  let handlers = events;
  let closed = false;
  if (noDelay) socket.setNoDelay(true);
  // A TLS connection is usable once its handshake is done, not when TCP connects.
  socket.on(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => handlers?.connected());
  socket.on('data', (chunk) => handlers?.data(chunk));
  let error: string | null = null;
  socket.on('error', (e) => {
    error = e.message;
  });
  socket.on('close', () => {
    closed = true;
    handlers?.closed(error);
  });
  const bus: Omit<BusSocket, 'pending' | 'localIp' | 'remoteIp' | 'remotePort'> & { listen(events: BusSocketEvents): void } = {
    listen(next) {
      handlers = next;
    },
    write(buf) {
      if (!closed) socket.write(buf);
    },
    close() {
      closed = true;
      socket.destroy();
    },
  };
  return withAccessors(bus, {
    pending: { get: () => socket.writableLength },
    localIp: { get: () => (closed ? null : normalizeIp(socket.localAddress)) },
    remoteIp: { get: () => (closed ? null : normalizeIp(socket.remoteAddress)) },
    remotePort: { get: () => socket.remotePort ?? null },
  });
}

/** An IPv4 peer on a dual-stack socket reads as ::ffff:a.b.c.d; Redis shows a.b.c.d. */
function normalizeIp(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * Opens an outbound bus connection, with TLS (tls-cluster) when `tlsOptions`
 * are given, from `localAddress` (bind-source-addr) when one is set.
 */
export function connectBus(ip: string, port: number, events: BusSocketEvents, tlsOptions: tls.ConnectionOptions | null = null, localAddress = ''): BusSocket {
  const local = localAddress === '' ? {} : { localAddress };
  let socket: net.Socket;
  try {
    socket = tlsOptions === null ? net.connect({ host: ip, port, ...local }) : tls.connect({ ...tlsOptions, host: ip, port, ...local });
  } catch (e) {
    // A source address Node refuses outright: the connection fails as a refused one does.
    socket = new net.Socket();
    process.nextTick(() => socket.destroy(e as Error));
  }
  return tcpBusSocket(socket, events, false);
}

/** The bus port's listener, on the client port's bind addresses (a `-` address optional, as there). */
export class BusListener {
  private servers: net.Server[] = [];

  constructor(private readonly accept: (socket: BusSocket) => BusSocketEvents) {}

  /**
   * With `tlsContext` (tls-cluster) the bus speaks TLS and, as Redis's
   * clusterAcceptHandler, requires a valid certificate from every peer.
   */
  async listen(binds: readonly string[], port: number, backlog: number, skipped: (e: unknown) => void, tlsContext: tls.SecureContextOptions | null = null): Promise<void> {
    const take = (socket: net.Socket) => {
      const bus = tcpBusSocket(socket, null, true);
      bus.listen(this.accept(bus));
    };
    const create = (): net.Server => {
      if (tlsContext === null) return net.createServer(take);
      const srv = tls.createServer({ ...tlsContext, noDelay: true, requestCert: true, rejectUnauthorized: true });
      srv.on('secureConnection', take);
      // A peer whose handshake fails never becomes a link: nothing to do but let it go.
      srv.on('tlsClientError', () => {});
      return srv;
    };
    [this.servers] = await listenOnEach(binds, port, backlog, create, skipped);
  }

  close(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    return closeAll(servers);
  }
}
