import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { acceptDirectly } from './socket-reader.js';

export interface ListenOptions {
  /** The listen queue's length (tcp-backlog). */
  backlog: number;
  /** A Unix socket path to listen on as well (unixsocket), or empty. */
  unixSocket: string;
  /** Its file mode (unixsocketperm); 0 leaves it as the umask makes it. */
  unixSocketPerm: number;
}

/**
 * The listening sockets of one server: one per `bind` address, all on one
 * port, and the Unix socket when one is configured. A leading `-` makes an
 * address optional (redis.conf's `bind 127.0.0.1 -::1`): one that cannot be
 * bound is skipped.
 */
export class Listener {
  private tcp: net.Server[] = [];
  private unix: net.Server | null = null;

  constructor(
    private readonly onConnection: (socket: net.Socket) => void,
    /** An optional address that could not be bound, and is skipped. */
    private readonly skipped: (e: unknown) => void = () => {},
  ) {}

  /**
   * Binds every address; resolves to the port bound (the one picked for
   * port 0). With `port` null no TCP socket is bound (only TLS, or the
   * Unix socket, serve). Rejects, having closed what it bound, on failure.
   */
  async listen(binds: readonly string[], port: number | null, options: ListenOptions): Promise<number> {
    if (port === null) {
      port = 0;
    } else {
      port = await this.listenTcp(binds, port, options.backlog);
      if (this.tcp.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    }
    if (options.unixSocket !== '') await this.listenUnix(options);
    return port;
  }

  /**
   * CONFIG SET port or bind: stops accepting on the TCP sockets (their
   * clients stay) and listens again, on nothing when the port is 0, as
   * Redis does. Rejects, listening nowhere on TCP, when an address cannot
   * be bound; the caller then listens again as before.
   */
  async rebind(binds: readonly string[], port: number, backlog: number): Promise<void> {
    await closeAll(this.tcp);
    this.tcp = [];
    if (port !== 0) await this.listenTcp(binds, port, backlog);
  }

  private async listenTcp(binds: readonly string[], port: number, backlog: number): Promise<number> {
    const [servers, bound] = await listenOnEach(binds, port, backlog, () => net.createServer({ noDelay: true }, this.onConnection), this.skipped);
    for (const srv of servers) acceptDirectly(srv, true, this.onConnection);
    this.tcp = servers;
    return bound;
  }

  /** As Redis: a file already at the path (a socket left by a crash) is removed first. */
  private async listenUnix(options: ListenOptions): Promise<void> {
    const file = options.unixSocket;
    try {
      unlinkSync(file);
    } catch {
      // Nothing there: the usual case.
    }
    const srv = net.createServer(this.onConnection);
    try {
      await listening(srv, { path: file, backlog: options.backlog });
      acceptDirectly(srv, false, this.onConnection);
      if (options.unixSocketPerm !== 0) chmodSync(file, options.unixSocketPerm);
    } catch (e) {
      srv.close();
      await this.close();
      throw e;
    }
    this.unix = srv;
  }

  /** Every listening socket: the TCP ones, then the Unix one. */
  get servers(): readonly net.Server[] {
    return this.unix === null ? this.tcp : [...this.tcp, this.unix];
  }

  /** The first bound TCP address (where the metrics endpoint listens too). */
  get address(): string {
    return (this.tcp[0].address() as net.AddressInfo).address;
  }

  close(): Promise<void> {
    const all = this.servers;
    this.tcp = [];
    this.unix = null;
    return closeAll(all);
  }
}

/**
 * Listens with a server `create` makes on each bind address, all on one
 * port (the first one bound picks it when `port` is 0). A leading `-`
 * makes an address optional: one that cannot be bound goes to `skipped`.
 * Rejects, having closed what it bound, when a required address cannot be
 * bound.
 */
export async function listenOnEach<S extends net.Server>(
  binds: readonly string[], port: number, backlog: number, create: () => S, skipped: (e: unknown) => void = () => {},
): Promise<[S[], number]> {
  const servers: S[] = [];
  for (const spec of binds) {
    const optional = spec.startsWith('-');
    const srv = create();
    try {
      await listening(srv, { port, host: optional ? spec.slice(1) : spec, exclusive: true, backlog });
    } catch (e) {
      if (optional) {
        skipped(e);
        continue;
      }
      await closeAll(servers);
      throw e;
    }
    port = (srv.address() as net.AddressInfo).port;
    servers.push(srv);
  }
  return [servers, port];
}

export function closeAll(servers: readonly net.Server[]): Promise<void> {
  return Promise.all(servers.map((l) => new Promise<void>((resolve) => l.close(() => resolve())))).then(() => {});
}

function listening(srv: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(options, () => {
      srv.off('error', reject);
      resolve();
    });
  });
}
