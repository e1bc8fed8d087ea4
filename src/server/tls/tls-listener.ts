import type net from 'node:net';
import tls from 'node:tls';
import { closeAll, listenOnEach } from '../listener.js';
import { bindFailure } from '../listen-error.js';
import { formatAddress } from '../connection.js';
import type { Logger } from '../logger.js';
import type { ClientAuth, TlsSettings } from './tls-settings.js';

/**
 * The TLS listening sockets (tls-port on every bind address), beside the
 * plain ones. A new configuration replaces the certificates and the rest of
 * the context for connections made from then on, as Redis's reload does;
 * connections already made keep theirs.
 */
export class TlsListener {
  /** TLS connections handed to the server since the start (handshake done, client certificate accepted). */
  received = 0;
  /** Of those, the ones still open. */
  open = 0;
  private servers: tls.Server[] = [];
  private settings: TlsSettings | null = null;

  constructor(
    private readonly onConnection: (socket: tls.TLSSocket) => void,
    private readonly log: () => Logger,
  ) {}

  get active(): boolean {
    return this.servers.length !== 0;
  }

  /** The first bound address: where the metrics endpoint listens when there is no plain port. */
  get address(): string {
    return (this.servers[0].address() as net.AddressInfo).address;
  }

  /** Binds tls-port on every address (a leading `-` makes one optional); resolves to the port bound. */
  async listen(binds: readonly string[], port: number, backlog: number, settings: TlsSettings): Promise<number> {
    this.settings = settings;
    const [servers, bound] = await listenOnEach(binds, port, backlog, () => {
      const srv = tls.createServer({ ...settings.context, noDelay: true });
      this.applyClientAuth(srv, settings);
      srv.on('secureConnection', (socket) => this.accepted(socket));
      srv.on('tlsClientError', (err, socket) => {
        this.log().warning(acceptError(err.message, socket));
      });
      return srv;
    }, (e) => this.log().warning(bindFailure(e) ?? String(e)));
    if (servers.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    this.servers = servers;
    return bound;
  }

  /** A changed tls-* parameter: new connections get the new context. */
  reload(settings: TlsSettings): void {
    this.settings = settings;
    for (const srv of this.servers) {
      srv.setSecureContext(settings.context);
      this.applyClientAuth(srv, settings);
    }
  }

  /** CONFIG SET tls-auth-clients: Redis reads it at each accept, so it changes nothing else. */
  setClientAuth(mode: ClientAuth): void {
    if (this.settings === null) return;
    this.settings = { ...this.settings, clientAuth: mode };
    for (const srv of this.servers) this.applyClientAuth(srv, this.settings);
  }

  /**
   * tls-auth-clients: `yes` fails the handshake of a client without a
   * valid certificate; `optional` asks for one and refuses only an invalid
   * one (checked once the handshake is done, since Node cannot tell the two
   * apart earlier).
   */
  private applyClientAuth(srv: tls.Server, settings: TlsSettings): void {
    const s = srv as tls.Server & { requestCert: boolean; rejectUnauthorized: boolean };
    s.requestCert = settings.clientAuth !== 'no';
    s.rejectUnauthorized = settings.clientAuth === 'yes';
  }

  private accepted(socket: tls.TLSSocket): void {
    if (this.settings?.clientAuth === 'optional' && !socket.authorized && hasPeerCertificate(socket)) {
      this.log().warning(acceptError(String(socket.authorizationError), socket));
      socket.destroy();
      return;
    }
    this.received++;
    this.open++;
    socket.once('close', () => this.open--);
    this.onConnection(socket);
  }

  close(): Promise<void> {
    const all = this.servers;
    this.servers = [];
    return closeAll(all);
  }
}

function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return cert !== null && Object.keys(cert).length !== 0;
}

/** Redis's warning for a connection that failed before it became a client (a TLS handshake, a refused certificate). */
function acceptError(reason: string, socket: net.Socket): string {
  return `Error accepting a client connection: ${reason} (addr=${formatAddress(socket.remoteAddress, socket.remotePort)} laddr=${formatAddress(socket.localAddress, socket.localPort)})`;
}
