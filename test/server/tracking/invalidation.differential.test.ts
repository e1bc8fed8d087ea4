import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { encodeCommand, RespClient, type Resp } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';

/**
 * Raw RESP2/RESP3 tracking scenarios, played against Sluice and
 * redis-server: every reply and push each connection reads, in order, must
 * match. A PING read after the pushes shows that nothing else arrived.
 */

/** A connection that logs what it reads, client ids written as "<id>" so the servers compare. */
class Conn {
  constructor(
    /** Which connection this is, shown in the log before each of its commands. */
    private readonly label: string,
    private readonly r: RespClient,
    private readonly log: Resp[],
    private readonly ids: Map<string, string>,
  ) {}

  async call(...args: string[]): Promise<Resp> {
    this.log.push({ t: 'simple', v: `${this.label}> ${args.join(' ')}` });
    return this.note(await this.r.call(...args.map((a) => this.ids.get(a) ?? a)));
  }

  /** Like call, but invalidations that arrive before the reply are logged and passed over, so reads never fall behind. */
  async request(...args: string[]): Promise<Resp> {
    this.log.push({ t: 'simple', v: `${this.label}> ${args.join(' ')}` });
    this.r.writeRaw(encodeCommand(args.map((a) => this.ids.get(a) ?? a)));
    for (;;) {
      const r = this.note(await this.r.read());
      if (!isInvalidation(r)) return r;
    }
  }

  async read(): Promise<Resp> {
    this.log.push({ t: 'simple', v: `${this.label}> (read)` });
    return this.note(await this.r.read());
  }

  /** Logs the tracking fields of INFO. */
  async trackingInfo(): Promise<void> {
    const r = await this.r.call('INFO', 'everything');
    this.log.push({ t: 'bulk', v: ((r as { v: string }).v.match(/^tracking_\w+:\d+/gm) ?? []).join(',') });
  }

  /** Sends a command without waiting for a reply (CLIENT REPLY OFF silences it). */
  send(...args: string[]): void {
    this.r.writeRaw(encodeCommand(args));
  }

  /** Polls INFO, without logging it, until `count` clients are blocked. */
  async untilBlocked(count: number): Promise<void> {
    for (;;) {
      const info = (await this.r.call('INFO', 'clients')) as { v: string };
      if (info.v.includes(`blocked_clients:${count}\r\n`)) return;
    }
  }

  /** Logs bulk replies `value` as `name` (what a server picks at random). */
  alias(value: string, name: string): void {
    this.ids.set(`=${value}`, name);
  }

  /** Its client id, usable as an argument "<name>" in later calls. */
  async id(name: string): Promise<void> {
    const r = await this.r.call('CLIENT', 'ID');
    this.ids.set(`<${name}>`, (r as { v: string }).v);
  }

  close(): void {
    this.r.close();
  }

  private note(r: Resp): Resp {
    this.log.push(mask(r, this.ids));
    return r;
  }
}

/** A tracking message: a push, or (RESP2 redirect) a message on __redis__:invalidate. */
function isInvalidation(r: Resp): boolean {
  if (r.t !== 'push' && r.t !== 'array') return false;
  const first = r.v?.[0];
  return first?.t === 'bulk' && ['invalidate', 'tracking-redir-broken', 'message'].includes(first.v ?? '');
}

function mask(r: Resp, ids: Map<string, string>): Resp {
  if (r.t === 'int') for (const [name, id] of ids) if (id === r.v) return { t: 'int', v: name };
  if (r.t === 'bulk' && r.v !== null && ids.has(`=${r.v}`)) return { t: 'bulk', v: ids.get(`=${r.v}`)! };
  if ((r.t === 'array' || r.t === 'push' || r.t === 'set') && r.v !== null) return { ...r, v: r.v.map((x) => mask(x, ids)) } as Resp;
  if (r.t === 'map') return { t: 'map', v: r.v.map(([k, v]) => [mask(k, ids), mask(v, ids)]) };
  return r;
}

type Scenario = (open: (proto?: 2 | 3) => Promise<Conn>) => Promise<void>;

async function play(port: number, scenario: Scenario): Promise<Resp[]> {
  const log: Resp[] = [];
  const ids = new Map<string, string>();
  const conns: Conn[] = [];
  const open = async (proto: 2 | 3 = 2) => {
    const conn = new Conn(`c${conns.length}`, await RespClient.connect(port), log, ids);
    conns.push(conn);
    if (proto === 3) await conn.call('HELLO', '3').then(() => log.splice(-2));
    return conn;
  };
  try {
    const setup = await open();
    await setup.call('FLUSHALL');
    await setup.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    setup.close();
    await scenario(open);
  } finally {
    for (const conn of conns) conn.close();
  }
  return log;
}

const scenarios: Record<string, Scenario> = {
  'RESP3: a key read is invalidated once when another client writes it': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('GET', 'k');
    await a.call('MGET', 'k2', 'k3');
    await b.call('SET', 'k', '1');
    await b.call('MSET', 'k2', '1', 'k3', '2');
    await a.read();
    await a.read();
    await a.read();
    await a.call('PING');
    await b.call('SET', 'k', '2');
    await a.call('PING');
  },
  'RESP3: the client writing a key it read gets the reply first, then the push': async (open) => {
    const a = await open(3);
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('SET', 'k', 'v');
    await a.call('GET', 'k');
    await a.call('SET', 'k', 'w');
    await a.read();
    await a.call('GET', 'k');
    await a.call('DEL', 'k');
    await a.read();
    await a.call('PING');
  },
  'NOLOOP: no push for the client\'s own writes': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await a.call('GET', 'k');
    await a.call('SET', 'k', 'v');
    await a.call('PING');
    await a.call('GET', 'k');
    await b.call('INCR', 'k2');
    await b.call('SET', 'k', 'w');
    await a.read();
    await a.call('PING');
  },
  'MULTI: invalidations follow the EXEC reply': async (open) => {
    const a = await open(3);
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('MGET', 'k1', 'k2');
    await a.call('MULTI');
    await a.call('SET', 'k1', 'x');
    await a.call('GET', 'k1');
    await a.call('SET', 'k2', 'y');
    await a.call('EXEC');
    await a.read();
    await a.read();
    await a.call('PING');
  },
  'scripts: keys read by a script are tracked; its writes are invalidated after its reply': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('EVAL', "return redis.call('get', KEYS[1])", '1', 'k');
    await b.call('SET', 'k', 'v');
    await a.read();
    await a.call('EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'k');
    await a.call('EVAL', "redis.call('set', KEYS[1], 'z') return 1", '1', 'k');
    await a.read();
    await a.call('PING');
  },
  'RESP2: invalidations redirected to a client subscribed to __redis__:invalidate': async (open) => {
    const a = await open();
    const b = await open();
    await b.id('b');
    await b.call('SUBSCRIBE', '__redis__:invalidate');
    await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<b>');
    await a.call('CLIENT', 'GETREDIR');
    await a.call('GET', 'k');
    await a.call('SET', 'k', 'v');
    await b.read();
    await a.call('GET', 'k');
    await a.call('FLUSHALL');
    await b.read();
    await b.call('PING');
  },
  'RESP3 redirect target gets pushes; a redirect target that is not subscribed over RESP2 gets nothing': async (open) => {
    const a = await open();
    const b = await open(3);
    const c = await open();
    await b.id('b');
    await c.id('c');
    await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<b>');
    await a.call('GET', 'k');
    await a.call('SET', 'k', '1');
    await b.read();
    await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<c>');
    await a.call('GET', 'k');
    await a.call('SET', 'k', '2');
    await c.call('PING');
  },
  'redirect target gone: RESP3 client is told tracking-redir-broken': async (open) => {
    const a = await open(3);
    const b = await open();
    const w = await open();
    await b.id('b');
    await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<b>');
    await a.call('GET', 'k');
    b.close();
    await w.call('PING');
    await w.call('SET', 'k', 'v');
    await a.read();
    await a.call('CLIENT', 'TRACKINGINFO');
  },
  'FLUSHALL and FLUSHDB: a null invalidation to every tracking client': async (open) => {
    const a = await open(3);
    const b = await open(3);
    await a.call('CLIENT', 'TRACKING', 'on');
    await b.call('CLIENT', 'TRACKING', 'on', 'BCAST');
    await a.call('GET', 'k');
    await b.call('FLUSHDB');
    await b.read();
    await a.read();
    await a.call('FLUSHALL');
    await a.read();
    await b.read();
    await a.call('INFO', 'nonexistent');
  },
  'BCAST: keys under a prefix, sorted, one push per prefix and turn; NOLOOP leaves out own writes': async (open) => {
    const a = await open(3);
    const b = await open(3);
    await a.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:');
    await b.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'PREFIX', 'a:');
    await b.call('MULTI');
    await b.call('SET', 'a:2', 'x');
    await b.call('SET', 'c:1', 'x');
    await b.call('SET', 'a:1', 'x');
    await b.call('SET', 'b:9', 'x');
    await b.call('EXEC');
    await a.read();
    await a.read();
    await b.call('PING');
    await a.call('SET', 'a:3', 'y');
    await a.read();
    await b.read();
    await a.call('PING');
  },
  'OPTIN tracks only after CACHING yes; OPTOUT skips after CACHING no': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await a.call('GET', 'k1');
    await a.call('CLIENT', 'CACHING', 'yes');
    await a.call('GET', 'k2');
    await a.call('GET', 'k3');
    await b.call('MSET', 'k1', '1', 'k2', '2', 'k3', '3');
    await a.read();
    await a.call('PING');
    await a.call('CLIENT', 'TRACKING', 'off');
    await a.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await a.call('CLIENT', 'CACHING', 'no');
    await a.call('GET', 'k1');
    await a.call('GET', 'k2');
    await b.call('MSET', 'k1', '1', 'k2', '2');
    await a.read();
    await a.call('PING');
  },
  'CACHING yes lasts through a transaction': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await a.call('CLIENT', 'CACHING', 'yes');
    await a.call('MULTI');
    await a.call('GET', 'k1');
    await a.call('GET', 'k2');
    await a.call('EXEC');
    await a.call('GET', 'k3');
    await b.call('MSET', 'k1', '1', 'k2', '2', 'k3', '3');
    await a.read();
    await a.read();
    await a.call('PING');
  },
  'expiry invalidates a tracked key': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on');
    await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    // Long enough for a's GET to find the key on a loaded machine; the sleep then outlasts it.
    await b.call('SET', 'k2', 'v', 'PX', '300');
    await a.call('GET', 'k2');
    await a.call('DEBUG', 'SLEEP', '0.35');
    await b.call('GET', 'k2');
    await a.read();
    await a.call('PING');
    await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  },
  'an unblocked BLMOVE gets its reply, then the invalidation of the list it pushed to': async (open) => {
    const a = await open(3);
    const b = await open();
    await b.call('RPUSH', 'list2', 'a');
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('LRANGE', 'list2', '0', '-1');
    a.send('BLMOVE', 'list1', 'list2', 'LEFT', 'LEFT', '0');
    await b.untilBlocked(1);
    await b.call('RPUSH', 'list1', 'foo');
    await a.read();
    await a.read();
    await a.call('PING');
  },
  'HDEL that deletes the hash: the reply first, then the invalidation': async (open) => {
    const a = await open(3);
    await a.call('HSET', 'h', 'f', 'v');
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('HGET', 'h', 'f');
    await a.call('HDEL', 'h', 'f');
    await a.read();
    await a.call('PING');
  },
  'CLIENT REPLY OFF does not silence invalidations': async (open) => {
    const a = await open(3);
    const b = await open();
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('GET', 'foo');
    a.send('CLIENT', 'REPLY', 'OFF');
    a.send('GET', 'foo');
    a.send('SET', 'foo', 'x');
    await b.call('PING');
    await b.call('SET', 'foo', 'y');
    await a.read();
    await a.call('CLIENT', 'REPLY', 'ON');
    await a.call('PING');
  },
  'clients with either protocol can redirect to one connection': async (open) => {
    const r = await open(3);
    const a = await open();
    const c = await open(3);
    const w = await open();
    await r.id('r');
    await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<r>');
    await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<r>');
    await a.call('GET', 'k');
    await c.call('GET', 'k');
    await w.call('SET', 'k', 'v');
    await r.read();
    await r.read();
    await r.call('PING');
  },
  'INFO counts tracking clients, keys, items and prefixes': async (open) => {
    const a = await open(3);
    const b = await open(3);
    const i = await open();
    await a.call('CLIENT', 'TRACKING', 'on');
    await b.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y');
    await i.trackingInfo();
    await a.call('MGET', 'k1', 'k2', 'k3');
    await b.call('GET', 'k1');
    await i.trackingInfo();
    await i.call('SET', 'k1', 'v');
    await a.read();
    await i.trackingInfo();
    await b.call('CLIENT', 'TRACKING', 'off');
    await i.trackingInfo();
  },
  'tracking-table-max-keys: past it, a tracked key is invalidated': async (open) => {
    const a = await open(3);
    const i = await open();
    a.alias('k1', 'a key read');
    a.alias('k2', 'a key read');
    await i.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('GET', 'k1');
    await a.call('GET', 'k2');
    await i.call('PING');
    await i.trackingInfo();
    await a.call('PING');
    await i.trackingInfo();
  },
  'tracking-table-max-keys lowered: the next command, even one MULTI queues, first gets the invalidation (Redis #11715)': async (open) => {
    const a = await open(3);
    const i = await open();
    a.alias('1{tag}', 'a key read');
    a.alias('2{tag}', 'a key read');
    await i.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
    await a.call('CLIENT', 'TRACKING', 'on');
    await a.call('MGET', '1{tag}', '2{tag}');
    await a.call('MULTI');
    await i.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
    await a.call('PING');
    await a.read();
    await a.call('EXEC');
    await i.trackingInfo();
  },
};

/** A small deterministic generator (mulberry32), so both servers get the same random sequence. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random sequences: four tracking clients in different modes (plain,
 * NOLOOP, OPTIN with CACHING, BCAST on a prefix, one of them RESP2
 * redirected to a subscriber) read and write a few keys; after each
 * command every connection PINGs, so each sees its invalidations in order.
 */
function randomScenario(seed: number): Scenario {
  return async (open) => {
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const sub = await open();
    await sub.id('sub');
    await sub.call('SUBSCRIBE', '__redis__:invalidate');
    const clients = [await open(3), await open(3), await open(3), await open(3), await open()];
    await clients[0].call('CLIENT', 'TRACKING', 'on');
    await clients[1].call('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await clients[2].call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await clients[3].call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a', 'NOLOOP');
    await clients[4].call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '<sub>');
    const keys = ['a1', 'a2', 'b1', 'b2', 'c'];
    const ops: (() => string[])[] = [
      () => ['GET', pick(keys)],
      () => ['MGET', pick(keys), pick(keys)],
      () => ['EXISTS', pick(keys)],
      () => ['SET', pick(keys), String(Math.floor(rnd() * 100))],
      () => ['DEL', pick(keys)],
      () => ['APPEND', pick(keys), 'x'],
      () => ['RENAME', pick(keys), pick(keys)],
      () => ['CLIENT', 'CACHING', 'yes'],
      () => ['FLUSHDB'],
    ];
    for (let step = 0; step < 40; step++) {
      const op = pick(ops.slice(0, rnd() < 0.03 ? ops.length : ops.length - 1))();
      await pick(clients).request(...op);
      for (const c of [...clients, sub]) await c.request('PING');
    }
  };
}

for (let seed = 1; seed <= 12; seed++) scenarios[`random sequence ${seed}: four tracking modes reading and writing a few keys`] = randomScenario(seed);

describe.skipIf(redisServerPath === null)('tracking invalidations (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis({ redis: ['--enable-debug-command', 'yes'], sluice: { config: { 'enable-debug-command': 'yes' } } });
  for (const [name, scenario] of Object.entries(scenarios)) {
    test(name, async () => {
      const sluice = await play(servers.sluice.port, scenario);
      const redis = await play(servers.redis.port, scenario);
      expect(sluice).toEqual(redis);
    });
  }
});
