import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Captured } from '../core/capture-reply.js';
import type { ConsoleClient, ConsoleHost } from './host.js';
import { checked } from './replies.js';

/** A session unused this long is forgotten (its page logs in again). */
const IDLE_MS = 60 * 60 * 1000;
/** Sessions kept at most; the least recently used goes first. */
const MAX_SESSIONS = 256;

/** The next turn of the event loop: each of the console's commands runs in a turn of its own. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One logged-in browser: the server-side client its commands run as, the
 * token its state-changing requests must carry, and a queue that keeps one
 * request's commands from interleaving with another's of the same session
 * (a SELECT, a WATCH … EXEC). Each command waits for a turn of the event
 * loop of its own, so a view of a hundred keys is a hundred ordinary
 * commands with the RESP clients served between them, never one long stall.
 */
export class Session {
  readonly id = randomBytes(32).toString('base64url');
  readonly csrf = randomBytes(32).toString('base64url');
  lastUsed = Date.now();
  /** The database the client has selected. */
  db = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: ConsoleHost,
    readonly client: ConsoleClient,
  ) {}

  /** The user the session acts as, or null once that user is gone. */
  get user(): string | null {
    return this.host.user(this.client);
  }

  csrfMatches(token: string | undefined): boolean {
    if (token === undefined) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(this.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Runs `work` once the session's earlier requests are done. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => {});
    return run;
  }

  /** One command, in a turn of its own; its reply as captured (an error reply is a value here). */
  async raw(...argv: string[]): Promise<Captured> {
    await nextTurn();
    return this.host.call(this.client, argv);
  }

  /** One command; an error reply throws a ReplyError. */
  async call(...argv: string[]): Promise<Captured> {
    return checked(await this.raw(...argv));
  }

  /** Selects a database when the session has another one selected. */
  async select(db: number): Promise<void> {
    if (db === this.db) return;
    await this.call('SELECT', String(db));
    this.db = db;
  }
}

/** The sessions of one console, by the id their cookie carries. */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly host: ConsoleHost) {}

  create(client: ConsoleClient): Session {
    this.expire();
    while (this.byId.size >= MAX_SESSIONS) this.end(this.byId.keys().next().value!);
    const s = new Session(this.host, client);
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session a cookie names (used now), or null. */
  get(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const s = this.byId.get(id);
    if (s === undefined) return null;
    if (Date.now() - s.lastUsed > IDLE_MS || s.user === null) {
      this.end(id);
      return null;
    }
    s.lastUsed = Date.now();
    // Most recently used last: the map's order is the eviction order.
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  end(id: string): void {
    const s = this.byId.get(id);
    if (s === undefined) return;
    this.byId.delete(id);
    this.host.release(s.client);
  }

  endAll(): void {
    for (const id of [...this.byId.keys()]) this.end(id);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, s] of this.byId) if (now - s.lastUsed > IDLE_MS) this.end(id);
  }
}
