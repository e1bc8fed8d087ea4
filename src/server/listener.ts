import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';

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
  private readonly servers: net.Server[] = [];

  constructor(private readonly onConnection: (socket: net.Socket) => void) {}

  /** Binds every address; resolves to the port bound (the one picked for port 0). Rejects, having closed what it bound, on failure. */
  async listen(binds: readonly string[], port: number, options: ListenOptions): Promise<number> {
    for (const spec of binds) {
      const optional = spec.startsWith('-');
      const host = optional ? spec.slice(1) : spec;
      const srv = net.createServer({ noDelay: true }, this.onConnection);
      try {
        await listening(srv, { port, host, exclusive: true, backlog: options.backlog });
      } catch (e) {
        if (optional) continue;
        await this.close();
        throw e;
      }
      port = (srv.address() as net.AddressInfo).port;
      this.servers.push(srv);
    }
    if (this.servers.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    if (options.unixSocket !== '') await this.listenUnix(options);
    return port;
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
      if (options.unixSocketPerm !== 0) chmodSync(file, options.unixSocketPerm);
    } catch (e) {
      srv.close();
      await this.close();
      throw e;
    }
    this.servers.push(srv);
  }

  /** The first bound TCP address (where the metrics endpoint listens too). */
  get address(): string {
    return (this.servers[0].address() as net.AddressInfo).address;
  }

  close(): Promise<void> {
    const closing = this.servers.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    this.servers.length = 0;
    return Promise.all(closing).then(() => {});
  }
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
