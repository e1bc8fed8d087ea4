import type { Command } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import type { Database } from '../keyspace/database.js';
import type { Keyspace, KeyWaiters } from '../keyspace/keyspace.js';
import { isString, typeOf, type TypeName } from '../keyspace/value.js';

/** setTimeout's longest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

/** A client as the registry sees it: a command context that can wait, with a connection's output. */
export interface Blockable<Self = unknown> extends Ctx {
  blocked: BlockedState<Self> | null;
  readonly closed: boolean;
  readonly closeAfterReply: boolean;
}

/** What the registry asks of the server that hosts it. */
export interface BlockingHost<C extends Blockable<C>> {
  /** Writes the reply that ends a wait (`write`), dropping it when the client's replies are off (CLIENT REPLY OFF). */
  answer(c: C, write: () => void): void;
  /** Runs a served client's command again, whole, as the dispatcher runs any command. */
  rerun(c: C, cmd: Command<C>, argv: string[]): void;
  /** Reads the clocks before work that no request started (a timer firing). */
  startTurn(): void;
  /** Queues a client's output to be written at the end of this event-loop turn. */
  flush(c: C): void;
  /** Lets a client whose wait ended run the requests it sent meanwhile, unless something else holds it. */
  resume(c: C): void;
  /** A wait that ended without the command running again: count the command now (statistics, slow log). */
  completed(c: C, cmd: Command<C>, argv: string[], usec: number, failed: boolean): void;
  /** An error reply written outside any command (CLIENT UNBLOCK … ERROR), for the error statistics. */
  errorReplied(c: C): void;
}

/** What a blocked client waits for, and how its wait ends. */
export interface BlockedState<C = unknown> {
  /** Absolute deadline in ms since the epoch; 0 waits forever. */
  deadline: number;
  timer: NodeJS.Timeout | null;
  /** Writes the reply a timeout (or CLIENT UNBLOCK … TIMEOUT) gives: BLPOP's nil, WAIT's count. */
  onTimeout: (c: Ctx) => void;
  /** The database and the distinct keys waited on; null and empty for WAIT. */
  db: Database | null;
  keys: string[];
  /** The type of value that can serve the client ('list' for BLPOP…), null for none. */
  serves: TypeName | null;
  /**
   * Run again when a key waited on is deleted or changes type, not only when
   * it is served (XREADGROUP, whose group goes with the key: Redis's
   * unblock_on_nokey).
   */
  unblockOnNoKey: boolean;
  /** The command that blocked, run again when a key it waits on is ready; the dispatcher fills these in. */
  cmd: Command<C> | null;
  argv: string[] | null;
  /** Microseconds the blocking call took: the command's time if it ends without running again. */
  usec: number;
}

interface ReadyKey {
  db: Database;
  key: string;
}

/**
 * The blocking-operation registry: every command that blocks (BLPOP and the
 * other list pops, XREAD and XREADGROUP, WAIT, and later BZPOPMIN…) parks its client
 * here. Per database, each key has the clients blocked on it in the order
 * they blocked; a client blocked on several keys is in each key's queue.
 *
 * Writes that may serve waiters signal their key as ready (Redis's
 * signalKeyAsReady: the keyspace does it when a collection is stored). The
 * dispatcher calls serveReadyKeys once the command that made keys ready has
 * finished at top level (after EXEC as a whole), so waiters are served in
 * the same event-loop turn, before any other client's next command. As in
 * Redis 7.2, a served client's command is run again whole: it pops what is
 * there now (from the first non-empty of its keys), replies, and propagates
 * its non-blocking twin; if it finds nothing it blocks again, keeping its
 * deadline and going to the back of the queues.
 *
 * While blocked, Client.command() reports the client busy, so the parser
 * holds its pipelined requests; they run once the wait ends, at the end of
 * the event-loop turn (Redis's processUnblockedClients in beforeSleep).
 */
export class BlockingRegistry<C extends Blockable<C>> implements KeyWaiters {
  private readonly clients = new Set<C>();
  /** Per database: key → clients blocked on it, first come first served. */
  private readonly waiting = new Map<Database, Map<string, Set<C>>>();
  private keyCount = 0;
  private timed = 0;
  private ready: ReadyKey[] = [];
  /** Per database, the keys in `ready`, so a key is queued once however often it is signalled. */
  private readonly readySets = new Map<Database, Set<string>>();
  private serving = false;
  /** While a command runs again, the deadline it keeps if it blocks again; -1 otherwise. */
  private rerunDeadline = -1;
  private toResume: C[] = [];
  private resumeScheduled = false;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly host: BlockingHost<C>,
  ) {}

  /** Clients blocked now. */
  get size(): number {
    return this.clients.size;
  }

  /** Keys with at least one client blocked on them (INFO total_blocking_keys). */
  get blockingKeys(): number {
    return this.keyCount;
  }

  /** Keys with a client that must hear of their deletion (INFO total_blocking_keys_on_nokey); O(keys waited on). */
  get blockingKeysOnNoKey(): number {
    let n = 0;
    for (const byKey of this.waiting.values()) {
      for (const queue of byKey.values()) {
        for (const c of queue) {
          if (c.blocked!.unblockOnNoKey) {
            n++;
            break;
          }
        }
      }
    }
    return n;
  }

  /** Clients blocked on one key of a database (the console's Queues view). */
  waitingOn(db: Database, key: string): number {
    return this.waiting.get(db)?.get(key)?.size ?? 0;
  }

  /** Blocked clients with a deadline (INFO clients_in_timeout_table). */
  get withTimeout(): number {
    return this.timed;
  }

  /** True when keys are waiting to be served; the dispatcher checks it after each top-level command. */
  get hasReady(): boolean {
    return this.ready.length !== 0;
  }

  /** Blocks the running command's client until `deadline` (0: forever) or CLIENT UNBLOCK. The handler writes no reply. */
  block(c: C, deadline: number, onTimeout: (c: Ctx) => void): void {
    this.start(c, {
      deadline, timer: null, onTimeout, db: null, keys: [], serves: null, unblockOnNoKey: false, cmd: null, argv: null, usec: 0,
    });
  }

  /**
   * Blocks the running command's client on keys of its database until one
   * holds a value of type `serves` (or, with `unblockOnNoKey`, is deleted or
   * changes type), the deadline passes, or CLIENT UNBLOCK.
   */
  blockForKeys(
    c: C, keys: readonly string[], serves: TypeName, deadline: number, onTimeout: (c: Ctx) => void, unblockOnNoKey = false,
  ): void {
    this.keyspace.waiters = this;
    const db = c.db;
    let byKey = this.waiting.get(db);
    if (byKey === undefined) this.waiting.set(db, (byKey = new Map()));
    const distinct: string[] = [];
    for (const key of keys) {
      let queue = byKey.get(key);
      if (queue === undefined) {
        byKey.set(key, (queue = new Set()));
        this.keyCount++;
      } else if (queue.has(c)) {
        continue;
      }
      queue.add(c);
      distinct.push(key);
    }
    this.start(c, { deadline, timer: null, onTimeout, db, keys: distinct, serves, unblockOnNoKey, cmd: null, argv: null, usec: 0 });
  }

  private start(c: C, state: BlockedState<C>): void {
    if (this.rerunDeadline !== -1) state.deadline = this.rerunDeadline;
    c.blocked = state;
    this.clients.add(c);
    if (state.deadline > 0) {
      this.timed++;
      this.arm(c, state);
    }
  }

  private arm(c: C, state: BlockedState<C>): void {
    const delay = Math.min(Math.max(0, state.deadline - Date.now()), MAX_TIMER_MS);
    state.timer = setTimeout(() => {
      if (Date.now() < state.deadline) this.arm(c, state);
      else this.timedOut(c);
    }, delay);
    state.timer.unref();
  }

  private timedOut(c: C): void {
    const state = c.blocked;
    if (state === null) return;
    state.timer = null;
    this.host.startTurn();
    this.host.answer(c, () => state.onTimeout(c));
    this.finish(c, state, false);
  }

  /**
   * Ends a client's wait from outside any command (what it waited for came
   * about: WAITAOF's fsync), `write` giving the reply; `failed` when that is
   * an error.
   */
  wake(c: C, write: () => void, failed: boolean): void {
    const state = c.blocked;
    if (state === null) return;
    this.host.startTurn();
    this.host.answer(c, write);
    if (failed) this.host.errorReplied(c);
    this.finish(c, state, failed);
  }

  /**
   * CLIENT UNBLOCK: ends a client's wait as its timeout would, or with the
   * UNBLOCKED error. False when the client is not blocked.
   */
  unblockClient(c: C, error: boolean): boolean {
    const state = c.blocked;
    if (state === null) return false;
    this.host.answer(c, () => {
      if (error) {
        c.reply.error(UNBLOCKED_ERROR);
        this.host.errorReplied(c);
      } else {
        state.onTimeout(c);
      }
    });
    this.finish(c, state, error);
    return true;
  }

  /**
   * A wait that ended without the command running again: the command is
   * counted now (Redis 7.2 counts a blocked command once, when it is done).
   */
  private finish(c: C, state: BlockedState<C>, failed: boolean): void {
    if (state.cmd !== null) this.host.completed(c, state.cmd, state.argv!, state.usec, failed);
    this.release(c);
    this.queueResume(c);
  }

  /** Forgets a blocked client without replying (it disconnected, or its command runs again); frees what it held. */
  release(c: C): boolean {
    const state = c.blocked;
    if (state === null) return false;
    if (state.timer !== null) clearTimeout(state.timer);
    if (state.deadline > 0) this.timed--;
    c.blocked = null;
    this.clients.delete(c);
    if (state.db !== null) {
      const byKey = this.waiting.get(state.db)!;
      for (const key of state.keys) {
        const queue = byKey.get(key)!;
        queue.delete(c);
        if (queue.size === 0) {
          byKey.delete(key);
          this.keyCount--;
        }
      }
      if (byKey.size === 0) this.waiting.delete(state.db);
    }
    return true;
  }

  /** Redis's signalKeyAsReady: queues a key for serving when someone is blocked on it. */
  signalKeyAsReady(db: Database, key: string): void {
    if (this.keyCount === 0) return;
    if (this.waiting.get(db)?.has(key) !== true) return;
    let set = this.readySets.get(db);
    if (set === undefined) this.readySets.set(db, (set = new Set()));
    if (set.has(key)) return;
    set.add(key);
    this.ready.push({ db, key });
  }

  keyAdded(db: Database, key: string): void {
    this.signalKeyAsReady(db, key);
  }

  /** Redis's signalDeletedKeyAsReady: queues the key when a client that must hear of its deletion waits on it. */
  keyRemoved(db: Database, key: string): void {
    if (this.keyCount === 0) return;
    const queue = this.waiting.get(db)?.get(key);
    if (queue === undefined) return;
    for (const c of queue) {
      if (c.blocked!.unblockOnNoKey) {
        this.signalKeyAsReady(db, key);
        return;
      }
    }
  }

  /** FLUSHDB/FLUSHALL (Redis's signalFlushedDb): the keys waited on that existed were deleted. */
  flushed(db: Database, existed: (key: string) => boolean): void {
    const byKey = this.waiting.get(db);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) if (existed(key)) this.keyRemoved(db, key);
  }

  /**
   * SWAPDB: clients stay blocked in the database (index) they blocked in,
   * and, as in Redis 7, those whose keys exist there after the swap are
   * served. O(keys waited on in both databases).
   */
  swapped(a: Database, b: Database): void {
    for (const db of [a, b]) {
      const byKey = this.waiting.get(db);
      if (byKey === undefined) continue;
      for (const key of byKey.keys()) {
        const v = db.dict.get(key);
        if (v !== undefined && !isString(v)) this.signalKeyAsReady(db, key);
        else this.keyRemoved(db, key);
      }
    }
  }

  /**
   * Serves the clients blocked on the keys made ready, key by key in the
   * order they were signalled, each key's clients first come first served,
   * until no key is ready (serving BLMOVE can make its destination ready).
   */
  serveReadyKeys(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.length !== 0) {
        const batch = this.ready;
        this.ready = [];
        for (const { db, key } of batch) {
          this.readySets.get(db)!.delete(key);
          // As Redis, each key is looked at by the clock now: a key the command set to expire while it ran may be gone.
          this.host.startTurn();
          this.serveKey(db, key);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(db: Database, key: string): void {
    const queue = this.waiting.get(db)?.get(key);
    if (queue === undefined) return;
    // Only those waiting now: a client that blocks again joins the back and waits for the next signal.
    let count = queue.size;
    for (const c of queue) {
      if (count-- === 0) break;
      // Looked at without expiring it or counting a hit, as Redis's LOOKUP_NOEFFECTS.
      const v = db.isExpired(key) ? undefined : db.dict.get(key);
      const state = c.blocked!;
      if ((v !== undefined && typeOf(v) === state.serves) || state.unblockOnNoKey) this.rerun(c);
    }
  }

  private rerun(c: C): void {
    const state = c.blocked!;
    this.release(c);
    this.rerunDeadline = state.deadline;
    try {
      // CLIENT REPLY OFF holds for the reply that ends the wait too.
      this.host.answer(c, () => this.host.rerun(c, state.cmd!, state.argv!));
    } finally {
      this.rerunDeadline = -1;
    }
    if (c.blocked === null) this.queueResume(c);
  }

  /** Sends a finished client's reply and, at the end of this turn, runs the requests that arrived meanwhile. */
  private queueResume(c: C): void {
    this.host.flush(c);
    this.toResume.push(c);
    if (!this.resumeScheduled) {
      this.resumeScheduled = true;
      setImmediate(this.resumeUnblocked);
    }
  }

  private readonly resumeUnblocked = (): void => {
    this.resumeScheduled = false;
    const list = this.toResume;
    this.toResume = [];
    this.host.startTurn();
    for (const c of list) {
      if (c.closed || c.closeAfterReply || c.blocked !== null) continue;
      this.host.resume(c);
    }
  };
}
