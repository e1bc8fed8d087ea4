import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { MessageCounts } from '../broker/message-counts.js';
import { Console } from '../console/console.js';
import type { ConsoleClient, ConsoleHost } from '../console/host.js';
import { CaptureReply } from '../core/reply-sinks.js';
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
  return {
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
    get log() {
      return server.log;
    },
  };
}

/**
 * The console's listening side: an HTTP server (HTTPS with the TLS
 * listener's certificates and client-certificate rule when tls-port is
 * set) on each bind address, on console-port.
 */
export class ConsoleEndpoint {
  readonly console: Console;
  private servers: (http.Server | https.Server)[] = [];
  private secure = false;

  constructor(private readonly server: Server) {
    this.console = new Console(consoleHost(server), SLUICE_VERSION);
  }

  async listen(binds: readonly string[], port: number, backlog: number, tls: TlsSettings | null): Promise<void> {
    const handle = tls?.clientAuth === 'optional' ? refusingBadCertificates(this.console.handle) : this.console.handle;
    const create = () => {
      const srv = tls === null
        ? http.createServer(handle)
        : https.createServer({ ...tls.context, requestCert: tls.clientAuth !== 'no', rejectUnauthorized: tls.clientAuth === 'yes' }, handle);
      srv.on('clientError', (_e, socket: net.Socket) => socket.destroy());
      return srv;
    };
    const [servers] = await listenOnEach(binds, port, backlog, create, (e) => this.server.log.warning(bindFailure(e) ?? String(e)));
    if (servers.length === 0) throw new Error(`could not bind to any of: ${binds.join(' ')}`);
    this.servers = servers;
    this.secure = tls !== null;
    this.console.start();
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
    return `${this.secure ? 'https' : 'http'}://${host}:${addr.port}/`;
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

/** tls-auth-clients optional: a certificate need not be given, but one that is given must be valid. */
function refusingBadCertificates(handle: http.RequestListener): http.RequestListener {
  return (req, res) => {
    const socket = req.socket as TLSSocket;
    const cert = socket.getPeerCertificate?.();
    if (!socket.authorized && cert !== undefined && cert !== null && Object.keys(cert).length !== 0) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Client certificate refused\n');
      return;
    }
    handle(req, res);
  };
}
