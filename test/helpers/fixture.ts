import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { RunningServer, StartOptions } from '../../src/index.js';
import type { Effect } from '../../src/core/propagation.js';
import type { Server } from '../../src/server/server.js';
import type { EventClass } from '../../src/keyspace/keyspace.js';
import { scratch } from './aof.js';
import { RespClient } from './resp-client.js';
import type { LogCapture } from './log-capture.js';
import { startRedis, startSluice, type RealRedis, type TestSluice } from './servers.js';

/** A keyspace event as the store reports it: database, class, event name, key. */
export type KeyEvent = [db: number, type: EventClass, event: string, key: string];

export interface SluiceFixtureOptions {
  /** What startSluice is given. */
  start?: StartOptions;
  /** 'file' (default): one server for the enclosing file or describe block; 'test': a new server for every test. */
  per?: 'file' | 'test';
  /**
   * 'fresh' opens a new connection before every test and FLUSHALLs
   * through it (so no test sees another's data or connection state);
   * 'shared' opens one with the server; 'none' (default) opens none.
   */
  conn?: 'fresh' | 'shared' | 'none';
  /**
   * Record every keyspace event and propagated effect into `events` and
   * `effects`, emptied before each test. The events no longer reach the
   * broker: tests that observe them do not subscribe to notifications.
   */
  observe?: boolean;
  /** When connections opened with `connect()` inside a test close: 'test' (default) after that test, 'server' with the server. */
  connections?: 'test' | 'server';
}

export interface SluiceFixture {
  /** The running server; valid inside tests and hooks. */
  readonly running: TestSluice;
  /** What the server logged (it prints nothing). */
  readonly logs: LogCapture;
  readonly server: Server;
  readonly port: number;
  /** The connection the `conn` option asked for. */
  readonly conn: RespClient;
  /** With `observe`: what the keyspace reported since the test began (or since a test emptied it). */
  readonly events: KeyEvent[];
  /** With `observe`: what was propagated since the test began (or since a test emptied it). */
  readonly effects: Effect[];
  /** Another connection, closed after the test (or with the server: see `connections`, and when opened outside a test). */
  connect(): Promise<RespClient>;
}

/**
 * An in-process Sluice for the enclosing file or describe block, started and
 * closed by vitest hooks. Read its fields inside tests, never at import time.
 */
export function useSluice(opts: SluiceFixtureOptions = {}): SluiceFixture {
  let running: TestSluice | undefined;
  let conn: RespClient | undefined;
  const events: KeyEvent[] = [];
  const effects: Effect[] = [];
  const serverConns: RespClient[] = [];
  let testConns: RespClient[] | null = null;

  const fixture: SluiceFixture = {
    get running() {
      if (running === undefined) throw new Error('the fixture server is not running here: use it inside a test or hook');
      return running;
    },
    get server() {
      return fixture.running.server;
    },
    get logs() {
      return fixture.running.logs;
    },
    get port() {
      return fixture.running.port;
    },
    get conn() {
      if (conn === undefined) throw new Error(`no connection: useSluice was given conn: '${opts.conn ?? 'none'}'`);
      return conn;
    },
    events,
    effects,
    async connect() {
      const c = await RespClient.connect(fixture.port);
      (testConns ?? serverConns).push(c);
      return c;
    },
  };

  async function start(): Promise<void> {
    running = await startSluice(opts.start);
    if (opts.observe) {
      running.server.keyspace.listener.notify = (db, type, event, key) => {
        events.push([db.index, type, event, key]);
      };
      running.server.propagation.subscribe((batch) => effects.push(...batch));
    }
    if (opts.conn === 'shared') conn = await RespClient.connect(running.port);
  }

  async function stop(): Promise<void> {
    conn?.close();
    conn = undefined;
    for (const c of serverConns.splice(0)) c.close();
    await running?.close();
    running = undefined;
  }

  const [setUp, tearDown] = opts.per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  setUp(start);
  tearDown(stop);
  beforeEach(async () => {
    if (opts.connections !== 'server') testConns = [];
    if (opts.conn === 'fresh') {
      conn?.close();
      conn = await RespClient.connect(fixture.port);
      await conn.call('FLUSHALL');
    }
    events.length = 0;
    effects.length = 0;
  });
  afterEach(() => {
    for (const c of testConns ?? []) c.close();
    testConns = null;
  });
  return fixture;
}

/**
 * A Sluice and a real redis-server (no persistence) for the enclosing
 * describe block, started side by side; the fields are set once they run.
 */
export function useSluiceAndRedis(opts: { sluice?: StartOptions; redis?: string[] } = {}): { sluice: RunningServer; redis: RealRedis } {
  const servers = {} as { sluice: RunningServer; redis: RealRedis };
  beforeAll(async () => {
    [servers.sluice, servers.redis] = await Promise.all([startSluice(opts.sluice), startRedis(opts.redis)]);
  });
  afterAll(async () => {
    await Promise.all([servers.sluice?.close(), servers.redis?.stop()]);
  });
  return servers;
}

/** A real redis-server (no persistence) and a connection to it, for the enclosing describe block; set once it runs. */
export function useRedis(): { redis: RealRedis; client: RespClient } {
  const fixture = {} as { redis: RealRedis; client: RespClient };
  beforeAll(async () => {
    fixture.redis = await startRedis();
    fixture.client = await RespClient.connect(fixture.redis.port);
  });
  afterAll(async () => {
    fixture.client?.close();
    await fixture.redis?.stop();
  });
  return fixture;
}

export interface PerTest {
  /** Runs `f` after the test; what is deferred last runs first. */
  defer(f: () => Promise<void> | void): void;
  /** A scratch directory, removed after the test. */
  tmp(): string;
  /** An in-process Sluice, closed after the test. */
  sluice(opts?: StartOptions): Promise<TestSluice>;
  /** A connection to a server (Sluice or redis-server), closed after the test. */
  connect(s: { port: number }): Promise<RespClient>;
  /** A Sluice whose data directory (and so AOF) is `dir`, with a connection; both closed after the test. */
  start(dir: string, config?: Record<string, string>): Promise<{ s: TestSluice; c: RespClient }>;
  /** Closes what `start` opened before the test ends (closing again afterwards does nothing). */
  stop(x: { s: RunningServer; c: RespClient }): Promise<void>;
}

/** Resources a test opens as it goes, released after it whether it passed or not. */
export function perTest(): PerTest {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanups.splice(0).reverse()) await f();
  });
  const t: PerTest = {
    defer: (f) => {
      cleanups.push(f);
    },
    tmp() {
      const s = scratch();
      cleanups.push(s.remove);
      return s.dir;
    },
    async sluice(opts) {
      const s = await startSluice(opts);
      cleanups.push(() => s.close());
      return s;
    },
    async connect(s) {
      const c = await RespClient.connect(s.port);
      cleanups.push(() => c.close());
      return c;
    },
    async start(dir, config = {}) {
      const s = await t.sluice({ config: { dir, ...config } });
      return { s, c: await t.connect(s) };
    },
    async stop(x) {
      x.c.close();
      await x.s.close();
    },
  };
  return t;
}
