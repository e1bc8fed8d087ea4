import net from 'node:net';

/**
 * The listening sockets of one server: one per `bind` address, all on one
 * port. A leading `-` makes an address optional (redis.conf's `bind
 * 127.0.0.1 -::1`): one that cannot be bound is skipped.
 */
export class Listener {
  private readonly servers: net.Server[] = [];

  constructor(private readonly onConnection: (socket: net.Socket) => void) {}

  /** Binds every address; resolves to the port bound (the one picked for port 0). Rejects, having closed what it bound, on failure. */
  async listen(binds: readonly string[], port: number): Promise<number> {
    for (const spec of binds) {
      const optional = spec.startsWith('-');
      const host = optional ? spec.slice(1) : spec;
      const srv = net.createServer({ noDelay: true }, this.onConnection);
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host, exclusive: true }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        if (optional) continue;
        await this.close();
        throw e;
      }
      port = (srv.address() as net.AddressInfo).port;
      this.servers.push(srv);
    }
    if (this.servers.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    return port;
  }

  /** The first bound address (where the metrics endpoint listens too). */
  get address(): string {
    return (this.servers[0].address() as net.AddressInfo).address;
  }

  close(): Promise<void> {
    const closing = this.servers.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    this.servers.length = 0;
    return Promise.all(closing).then(() => {});
  }
}
