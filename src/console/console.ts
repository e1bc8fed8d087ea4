import type http from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { errorText } from '../core/log.js';
import { loadAssets, type Asset } from './assets.js';
import { ACTIONS, READS } from './api/routes.js';
import { BadRequest } from './api/common.js';
import type { ConsoleHost } from './host.js';
import { ReplyError, isError, str } from './replies.js';
import { Sessions, type Session } from './session.js';
import type { Sample, SessionInfo } from './web/types.js';

const COOKIE = 'sluice_console';
const CSRF_HEADER = 'x-sluice-csrf';
const MAX_BODY = 64 * 1024;
/** The chart's history: a sample every SAMPLE_MS, for HISTORY_MS. */
const SAMPLE_MS = 2000;
const HISTORY_MS = 10 * 60 * 1000;

/** Sent with everything: no framing, no sniffing, no referrer, and scripts only from the console itself. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The browser console: a page and a JSON API served from the server
 * process. The server binds it (console-port, on the bind addresses, over
 * TLS when TLS is configured) and hands each request to `handle`. A
 * session's commands run as its user's client through the server's
 * command path; every action is a POST carrying the session's CSRF token
 * from the console's own origin.
 */
export class Console {
  private readonly sessions: Sessions;
  private assets: Map<string, Asset> | null = null;
  private readonly history: Sample[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private last: (ReturnType<ConsoleHost['sample']> & { t: number }) | null = null;

  constructor(
    private readonly host: ConsoleHost,
    private readonly version: string,
  ) {
    this.sessions = new Sessions(host);
  }

  /** Starts sampling for the chart (the server calls it when the console starts listening). */
  start(): void {
    if (this.sampler !== null) return;
    this.takeSample();
    this.sampler = setInterval(() => this.takeSample(), SAMPLE_MS);
    this.sampler.unref();
  }

  /** Stops sampling and forgets the sessions and message counts. */
  stop(): void {
    if (this.sampler !== null) clearInterval(this.sampler);
    this.sampler = null;
    this.sessions.endAll();
    this.host.countMessages(false);
  }

  private takeSample(): void {
    const now = Date.now();
    const s = { ...this.host.sample(), t: now };
    const prev = this.last;
    this.last = s;
    if (prev === null) return;
    const secs = (now - prev.t) / 1000;
    if (secs <= 0) return;
    this.history.push({
      t: now,
      opsPerSec: (s.commands - prev.commands) / secs,
      inputKbps: (s.netInput - prev.netInput) / 1024 / secs,
      outputKbps: (s.netOutput - prev.netOutput) / 1024 / secs,
      usedMemory: s.usedMemory,
    });
    while (this.history.length > 0 && this.history[0].t < now - HISTORY_MS) this.history.shift();
  }

  /** Serves one HTTP request. */
  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // Protected mode turns a peer away here as it does on the RESP port.
    if (this.host.refuses(req.socket.remoteAddress)) {
      send(res, 403, 'text/plain; charset=utf-8', 'Sluice is running in protected mode: the console answers only the loopback interface while the default user has no password.\n');
      req.socket.destroySoon();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://console');
    if (url.pathname.startsWith('/api/')) {
      this.api(req, res, url).catch((e) => this.fail(res, e));
      return;
    }
    this.serveAsset(req, res, url.pathname);
  };

  private serveAsset(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
      return;
    }
    this.assets ??= loadAssets();
    const a = this.assets.get(path);
    if (a === undefined) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return;
    }
    res.setHeader('etag', a.etag);
    res.setHeader('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === a.etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'content-type': a.type, 'content-length': a.body.length });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }

  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    const name = url.pathname.slice('/api/'.length);
    const cookie = cookieValue(req.headers.cookie, COOKIE);
    if (name === 'session' && req.method === 'GET') {
      json(res, 200, this.sessionInfo(req, res, cookie));
      return;
    }
    if (req.method === 'POST') {
      checkOrigin(req);
      const body = await readJson(req);
      if (name === 'login') {
        json(res, 200, await this.login(req, res, body));
        return;
      }
      const s = this.session(cookie);
      if (!s.csrfMatches(header(req, CSRF_HEADER))) throw new HttpError(403, 'missing or wrong CSRF token');
      if (name === 'logout') {
        this.sessions.end(s.id);
        res.setHeader('set-cookie', cookieHeader(req, '', 0));
        json(res, 200, { ok: true });
        return;
      }
      const action = ACTIONS.get(name);
      if (action === undefined) throw new HttpError(404, 'no such action');
      json(res, 200, await s.exclusive(() => action({ s, q: url.searchParams, body, host: this.host, history: this.history })));
      return;
    }
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
    const read = READS.get(name);
    if (read === undefined) throw new HttpError(404, 'no such view');
    const s = this.session(cookie);
    json(res, 200, await s.exclusive(() => read({ s, q: url.searchParams, body: {}, host: this.host, history: this.history })));
  }

  private session(cookie: string | undefined): Session {
    const s = this.sessions.get(cookie);
    if (s === null) throw new HttpError(401, 'not logged in');
    return s;
  }

  /**
   * Who the page is logged in as. Where no password is needed (the
   * default user is nopass, as a new RESP connection would find it), a
   * session as the default user is opened at once, but only for a request
   * addressed to an IP address, localhost or this machine's name: a page
   * of another site that a DNS name of its own points at this port (DNS
   * rebinding) would otherwise be handed the session.
   */
  private sessionInfo(req: http.IncomingMessage, res: http.ServerResponse, cookie: string | undefined): SessionInfo {
    const authRequired = this.host.authRequired();
    let s = this.sessions.get(cookie);
    if (s === null && !authRequired && trustedHost(req.headers.host)) {
      s = this.sessions.create(this.host.newClient(peerOf(req)));
      res.setHeader('set-cookie', cookieHeader(req, s.id));
    }
    return { user: s?.user ?? null, authRequired, csrf: s?.csrf ?? null, version: this.version };
  }

  /** A login: AUTH run by a new client, as a RESP connection would log in (failures reach the ACL log). */
  private async login(req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>): Promise<SessionInfo> {
    const username = typeof body.username === 'string' && body.username !== '' ? body.username : 'default';
    const password = typeof body.password === 'string' ? body.password : '';
    const client = this.host.newClient(peerOf(req));
    await new Promise((resolve) => setImmediate(resolve));
    const reply = this.host.call(client, ['AUTH', utf8Bytes(username), utf8Bytes(password)]);
    if (isError(reply)) {
      this.host.release(client);
      throw new HttpError(401, str(reply).replace(/^WRONGPASS /, ''));
    }
    // A user without a password is no secret a rebinding page lacks: such a login, like the automatic session, needs a trusted Host.
    if (this.host.passwordless(client) && !trustedHost(req.headers.host)) {
      this.host.release(client);
      throw new HttpError(403, 'a user without a password logs in only at an IP address, localhost or this machine\'s name');
    }
    const old = this.sessions.get(cookieValue(req.headers.cookie, COOKIE));
    if (old !== null) this.sessions.end(old.id);
    const s = this.sessions.create(client);
    res.setHeader('set-cookie', cookieHeader(req, s.id));
    return { user: s.user, authRequired: this.host.authRequired(), csrf: s.csrf, version: this.version };
  }

  private fail(res: http.ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof HttpError) json(res, e.status, { error: e.message });
    else if (e instanceof BadRequest) json(res, 400, { error: e.message });
    else if (e instanceof ReplyError) json(res, e.denied ? 403 : 409, { error: e.message, denied: e.denied });
    else {
      this.host.log.warning(`Console request failed: ${errorText(e)}`);
      json(res, 500, { error: 'internal error' });
    }
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isSecure(req: http.IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}

/** The peer as the client's address shows it in CLIENT LIST and the ACL log. */
function peerOf(req: http.IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '?';
  return `${a.startsWith('::ffff:') ? a.slice(7) : a}:${req.socket.remotePort ?? 0}`;
}

/** Text from the page is UTF-8; the server's arguments are byte strings. */
function utf8Bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie: for this console only, never readable by scripts, never sent by another site's requests. */
function cookieHeader(req: http.IncomingMessage, value: string, maxAge?: number): string {
  let c = `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict`;
  if (isSecure(req)) c += '; Secure';
  if (maxAge !== undefined) c += `; Max-Age=${maxAge}`;
  return c;
}

/**
 * A state-changing request must come from the console's own page: its
 * Origin names the scheme and host it was sent to (a page elsewhere cannot
 * forge it), and its body is JSON (which a cross-site form cannot send
 * without a preflight the console never answers).
 */
function checkOrigin(req: http.IncomingMessage): void {
  const origin = header(req, 'origin');
  const expected = `${isSecure(req) ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  if (origin === undefined || origin !== expected) throw new HttpError(403, 'cross-origin request refused');
  if (!(header(req, 'content-type') ?? '').startsWith('application/json')) throw new HttpError(415, 'expected application/json');
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'request too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        const v: unknown = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error();
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'malformed JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** A Host header a DNS-rebinding page cannot send: an IP address, localhost, or this machine's own name. */
function trustedHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return isIP(name) !== 0 || lower === 'localhost' || lower.endsWith('.localhost') || lower === hostname().toLowerCase();
}
