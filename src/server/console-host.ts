import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { MessageCounts } from '../broker/message-counts.js';
import { Console } from '../console/console.js';
import type { ConsoleClient, ConsoleHost } from '../console/host.js';
import { withAccessors } from '../core/accessors.js';
import { CaptureReply } from '../core/capture-reply.js';
import { protectedModeRefuses } from './acl/protected-mode.js';
import type { Client } from './client.js';
import { closeAll, listenOnEach } from './listener.js';
import { bindFailure } from './listen-error.js';
import type { Server } from './server.js';
import type { TlsSettings } from './tls/tls-settings.js';
import { SLUICE_VERSION } from './version.js';

/** What the console needs of the server, the server's side of each. */
function consoleHost(server: Server): ConsoleHost {
  const client = (c: ConsoleClient) => c as Client;
  const host: Omit<ConsoleHost, 'log'> = {
    newClient: (peer) => server.consoleClient(peer, new CaptureReply(3)),
    call(c, argv) {
      const cl = client(c);
      const sink = cl.reply as CaptureReply;
      server.runDetached(cl, argv);
      // CLIENT PAUSE held the command: the console does not wait for the pause to end.
      if (server.paused.delete(cl)) return { type: 'error', message: 'ERR the server is paused (CLIENT PAUSE): try again when it ends' };
      return sink.take()[0] ?? null;
    },
    user(c) {
      const u = client(c).user;
      return client(c).authenticated && u.enabled && server.acl.users.get(u.name) === u ? u.name : null;
    },
    passwordless: (c) => client(c).user.nopass,
    release: (c) => client(c).close(),
    authRequired: () => !server.acl.startsAuthenticated(),
    refuses: (addr) => protectedModeRefuses(server.config.bool('protected-mode'), server.acl.defaultUser.nopass, addr),
    sample: () => ({
      commands: server.stats.commandsProcessed,
      netInput: server.stats.netInputBytes,
      netOutput: server.stats.netOutputBytes,
      usedMemory: server.memory.used(),
    }),
    sizes() {
      const r = server.broker.registry;
      return { clients: server.clients.size, channels: r.channels.size, patterns: r.patterns.size, shardChannels: r.shardChannels.size };
    },
    blockedOn: (c, key) => server.blocking.waitingOn(client(c).db, key),
    *patterns() {
      for (const [name, subscribers] of server.broker.registry.patterns) yield [name, subscribers.size];
    },
    countMessages(on) {
      const broker = server.broker;
      if (!on) {
        broker.counts = null;
        return null;
      }
      broker.counts ??= new MessageCounts();
      broker.counts.prune(broker.registry);
      return broker.counts;
    },
  };
  return withAccessors(host, { log: { get: () => server.log } });
}

/**
 * The console's listening side: an HTTP server (HTTPS with the TLS
 * listener's certificates and client-certificate rule when tls-port is
 * set) on each bind address, on console-port.
 */
export class ConsoleEndpoint {
  readonly console: Console;
  private servers: (http.Server | https.Server)[] = [];
  /** The TLS settings served with; null over plain HTTP. */
  private tls: TlsSettings | null = null;

  constructor(private readonly server: Server) {
    this.console = new Console(consoleHost(server), SLUICE_VERSION);
  }

  async listen(binds: readonly string[], port: number, backlog: number, tls: TlsSettings | null): Promise<void> {
    const create = () => {
      const srv = tls === null
        ? http.createServer(this.handle)
        : https.createServer({ ...tls.context, requestCert: tls.clientAuth !== 'no', rejectUnauthorized: tls.clientAuth === 'yes' }, this.handle);
      srv.on('clientError', (_e, socket: net.Socket) => socket.destroy());
      return srv;
    };
    const [servers] = await listenOnEach(binds, port, backlog, create, (e) => this.server.log.warning(bindFailure(e) ?? String(e)));
    if (servers.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    this.servers = servers;
    this.tls = tls;
    this.console.start();
  }

  /** A changed tls-* parameter: connections made from now on get the new certificates and client-certificate rule, as on the TLS port. */
  reload(tls: TlsSettings): void {
    if (this.tls === null) return;
    this.tls = tls;
    for (const srv of this.servers as https.Server[]) {
      srv.setSecureContext(tls.context);
      const s = srv as https.Server & { requestCert: boolean; rejectUnauthorized: boolean };
      s.requestCert = tls.clientAuth !== 'no';
      s.rejectUnauthorized = tls.clientAuth === 'yes';
    }
  }

  /** Over TLS with tls-auth-clients optional, a certificate need not be given, but one that is given must be valid. */
  private readonly handle: http.RequestListener = (req, res) => {
    if (this.tls?.clientAuth === 'optional' && badCertificate(req.socket as TLSSocket)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Client certificate refused\n');
      return;
    }
    this.console.handle(req, res);
  };

  /** Whether it is served over TLS. */
  get secure(): boolean {
    return this.tls !== null && this.servers.length !== 0;
  }

  /** The bound port, or null when the console is off. */
  get port(): number | null {
    const addr = this.servers[0]?.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  /** Where to open it, or null when it is off. */
  get url(): string | null {
    const addr = this.servers[0]?.address();
    if (!addr || typeof addr !== 'object') return null;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `${this.tls !== null ? 'https' : 'http'}://${host}:${addr.port}/`;
  }

  async close(): Promise<void> {
    const all = this.servers;
    this.servers = [];
    if (all.length === 0) return;
    this.console.stop();
    for (const srv of all) srv.closeAllConnections();
    await closeAll(all);
  }
}

function badCertificate(socket: TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return !socket.authorized && cert !== null && Object.keys(cert).length !== 0;
}
