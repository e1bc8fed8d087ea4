import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CommandSpec } from '../src/core/command.js';
import { Server } from '../src/server/server.js';
import { CommandTable } from '../src/server/command-table.js';
import { useSluice } from './helpers/fixture.js';
import { c, differential, fails, unordered } from './helpers/differential.js';
import { RespClient, type Resp } from './helpers/resp-client.js';
import type { Command } from '../src/server/command-types.js';
import { commandKeys } from '../src/persistence/effect-keys.js';
import { redisServerPath, startRedis, startSluice, type RealRedis } from './helpers/servers.js';

/** Every top-level declaration, as the command table of a server holds them. */
const COMMANDS = [...new Server().commands.commands.values()].map((c) => c.spec);

const sluice = useSluice({ conn: 'shared' });
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const simples = (...v: string[]): Resp => ({ t: 'array', v: v.map((s) => ({ t: 'simple', v: s }) as Resp) });

function items(r: Resp): Resp[] {
  if (r.t !== 'array' && r.t !== 'set' && r.t !== 'push') throw new Error(`not an aggregate: ${JSON.stringify(r)}`);
  return r.v ?? [];
}

function text(r: Resp): string {
  if (r.t !== 'bulk' && r.t !== 'simple' && r.t !== 'verbatim') throw new Error(`not a string: ${JSON.stringify(r)}`);
  return r.v ?? '';
}

/** A RESP2 flat map (or a RESP3 map) as a JS object of replies. */
function fields(r: Resp): Record<string, Resp> {
  const out: Record<string, Resp> = {};
  if (r.t === 'map') {
    for (const [k, v] of r.v) out[text(k)] = v;
    return out;
  }
  const v = items(r);
  for (let i = 0; i < v.length; i += 2) out[text(v[i])] = v[i + 1];
  return out;
}

describe('COMMAND and COMMAND COUNT', () => {
  test('COMMAND COUNT is the number of top-level commands in the table', async () => {
    expect(await sluice.conn.call('COMMAND', 'COUNT')).toEqual(int(COMMANDS.length));
    expect(sluice.server.commands.commands.size).toBe(COMMANDS.length);
  });

  test('COMMAND describes every top-level command once, subcommands nested', async () => {
    const all = items(await sluice.conn.call('COMMAND'));
    const names = all.map((e) => text(items(e)[0]));
    expect(names.sort()).toEqual(COMMANDS.map((s) => s.name).sort());
    const config = all.find((e) => text(items(e)[0]) === 'config')!;
    expect(items(items(config)[9]).map((s) => text(items(s)[0])).sort()).toEqual(
      ['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set'],
    );
  });
});

describe('COMMAND INFO', () => {
  test('describes GET as name, arity, flags, key positions, categories, tips, key specs and subcommands', async () => {
    const [info] = items(await sluice.conn.call('COMMAND', 'INFO', 'get'));
    expect(items(info).slice(0, 8)).toEqual([
      bulk('get'), int(2), simples('readonly', 'fast'), int(1), int(1), int(1),
      simples('@read', '@string', '@fast'), { t: 'array', v: [] },
    ]);
    const [spec] = items(items(info)[8]);
    const f = fields(spec);
    expect(f.flags).toEqual(simples('RO'));
    expect(f.begin_search).toEqual({ t: 'array', v: [bulk('type'), bulk('index'), bulk('spec'), { t: 'array', v: [bulk('index'), int(1)] }] });
    expect(fields(fields(f.find_keys).spec)).toEqual({ lastkey: int(0), keystep: int(1), limit: int(0) });
    expect(items(info)[9]).toEqual({ t: 'array', v: [] });
  });

  test('unknown names answer nil in their place; names are case-insensitive; subcommands are named parent|sub', async () => {
    const r = items(await sluice.conn.call('COMMAND', 'INFO', 'nosuch', 'GET', 'Config|Get', 'config|get|x', 'get|x', 'config|', ''));
    expect(r.map((e) => (e.t === 'bulk' ? null : text(items(e)[0])))).toEqual([null, 'get', 'config|get', null, null, null, null]);
  });

  test('in RESP3 flags, categories, tips and key specs are sets', async () => {
    const c3 = await RespClient.connect(sluice.port);
    await c3.call('HELLO', '3');
    const [info] = items(await c3.call('COMMAND', 'INFO', 'config|set'));
    const v = items(info);
    expect(v[2].t).toBe('set');
    expect(v[6].t).toBe('set');
    expect(v[7]).toEqual({ t: 'set', v: [bulk('request_policy:all_nodes'), bulk('response_policy:all_succeeded')] });
    expect(v[8]).toEqual({ t: 'set', v: [] });
    c3.close();
  });

  test('a key range with a negative last key is reported relative to the end, as MSET declares it', async () => {
    const [info] = items(await sluice.conn.call('COMMAND', 'INFO', 'mset'));
    expect(items(info).slice(3, 6)).toEqual([int(1), int(-1), int(2)]);
    const spec = fields(items(items(info)[8])[0]);
    expect(spec.flags).toEqual(simples('RW'));
    expect(fields(fields(spec.find_keys).spec)).toEqual({ lastkey: int(-1), keystep: int(2), limit: int(0) });
  });
});

describe('COMMAND DOCS', () => {
  test('gives summary, since, group, complexity and subcommand docs, skipping unknown names', async () => {
    const docs = fields(await sluice.conn.call('COMMAND', 'DOCS', 'config', 'nosuch', 'info'));
    expect(Object.keys(docs)).toEqual(['config', 'info']);
    const info = fields(docs.info);
    expect(info).toEqual({
      summary: bulk('Returns information and statistics about the server.'),
      since: bulk('1.0.0'),
      group: bulk('server'),
      complexity: bulk('O(1)'),
    });
    const subs = fields(fields(docs.config).subcommands);
    expect(Object.keys(subs).sort()).toEqual(['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set']);
    expect(fields(subs['config|rewrite']).since).toEqual(bulk('2.8.0'));
  });

  test('without names documents every top-level command, as a map in RESP3', async () => {
    const c3 = await RespClient.connect(sluice.port);
    await c3.call('HELLO', '3');
    const r = await c3.call('COMMAND', 'DOCS');
    expect(r.t).toBe('map');
    expect(Object.keys(fields(r)).sort()).toEqual(COMMANDS.map((s) => s.name).sort());
    c3.close();
  });
});

describe('COMMAND LIST', () => {
  test('lists every command and subcommand by full name', async () => {
    const names = items(await sluice.conn.call('COMMAND', 'LIST')).map(text);
    const expected = [...sluice.server.commands.all()].map((cmd) => cmd.fullName);
    expect(names).toEqual(expected);
    expect(names).toContain('config|get');
  });

  test('FILTERBY PATTERN matches full names case-insensitively, ACLCAT by category, MODULE matches nothing', async () => {
    expect(items(await sluice.conn.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'CONFIG|[gs]et')).map(text)).toEqual(['config|get', 'config|set']);
    const admin = items(await sluice.conn.call('COMMAND', 'LIST', 'filterby', 'aclcat', 'ADMIN')).map(text);
    expect(admin).toContain('config|set');
    expect(admin).not.toContain('get');
    expect(await sluice.conn.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcategory')).toEqual({ t: 'array', v: [] });
    expect(await sluice.conn.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toEqual({ t: 'array', v: [] });
  });
});

describe('COMMAND GETKEYS and GETKEYSANDFLAGS', () => {
  test('find keys at their declared positions', async () => {
    expect(await sluice.conn.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toEqual({ t: 'array', v: [bulk('a'), bulk('b')] });
    expect(await sluice.conn.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k')).toEqual({
      t: 'array', v: [{ t: 'array', v: [bulk('k'), simples('RO')] }],
    });
  });

  test('movablekeys commands say so, add an incomplete key spec, and find keys through their key finder', async () => {
    // A synthetic EVAL-like command: its keys follow a count, so they move.
    const spec: CommandSpec = {
      name: 'movable-probe', arity: -3, flags: ['write'], keys: [0, 0, 0], acl: [], group: 'generic', since: '0.0.0',
      summary: 'test only', getKeys: (argv) => Array.from({ length: Number(argv[1]) }, (_, i) => i + 2),
      handler: (cl) => cl.reply.ok(),
    };
    const other = await startSluice();
    other.server.commands.commands.set(spec.name, new CommandTable([spec]).get(spec.name)!);
    const o = await RespClient.connect(other.port);
    try {
      const [info] = items(await o.call('COMMAND', 'INFO', 'movable-probe'));
      expect(items(items(info)[2]).map(text)).toEqual(['write', 'movablekeys']);
      expect(items(items(info)[8]).map(fields)).toEqual([{
        flags: simples('RW', 'incomplete'),
        begin_search: { t: 'array', v: [bulk('type'), bulk('unknown'), bulk('spec'), { t: 'array', v: [] }] },
        find_keys: { t: 'array', v: [bulk('type'), bulk('unknown'), bulk('spec'), { t: 'array', v: [] }] },
      }]);
      expect(await o.call('COMMAND', 'GETKEYS', 'movable-probe', '2', 'k1', 'k2', 'arg')).toEqual({ t: 'array', v: [bulk('k1'), bulk('k2')] });
      expect(await o.call('COMMAND', 'GETKEYS', 'movable-probe', '0', 'arg')).toEqual({
        t: 'error', v: 'ERR Invalid arguments specified for command',
      });
    } finally {
      o.close();
      await other.close();
    }
  });
});

describe('properties Redis gives commands outside COMMAND INFO', () => {
  const having = (has: (cmd: Command) => boolean) =>
    [...sluice.server.commands.all()].filter(has).map((cmd) => cmd.fullName).sort();

  // The lists below are Redis 7.2's processCommand (server.c), which names these commands one by one.
  test('run at once inside MULTI: EXEC, DISCARD, MULTI, WATCH, QUIT and RESET, the commands processCommand does not queue', () => {
    expect(having((cmd) => cmd.notQueued)).toEqual(['discard', 'exec', 'multi', 'quit', 'reset', 'watch']);
  });

  test('end a transaction: EXEC, DISCARD, QUIT and RESET, which processCommand lets through inside MULTI over maxmemory', () => {
    expect(having((cmd) => cmd.endsTransaction)).toEqual(['discard', 'exec', 'quit', 'reset']);
  });

  test('allowed in RESP2 subscribed mode: the (P|S)(UN)SUBSCRIBE family, PING, QUIT and RESET', () => {
    expect(having((cmd) => cmd.allowedWhenSubscribed)).toEqual([
      'ping', 'psubscribe', 'punsubscribe', 'quit', 'reset', 'ssubscribe', 'subscribe', 'sunsubscribe', 'unsubscribe',
    ]);
  });

  test('MOVE and COPY … DB declare the key they write in another database; the AOF rewrite copies it first', () => {
    const table = sluice.server.commands;
    expect(commandKeys(0, table.get('move')!, ['MOVE', 'k', '3'])).toEqual([[0, 'k'], [3, 'k']]);
    expect(commandKeys(1, table.get('copy')!, ['COPY', 'a', 'b', 'DB', '2', 'REPLACE'])).toEqual([[1, 'a'], [1, 'b'], [2, 'b']]);
    expect(commandKeys(1, table.get('copy')!, ['copy', 'a', 'b', 'db', '2', 'db', '5'])).toEqual([[1, 'a'], [1, 'b'], [5, 'b']]);
    expect(commandKeys(1, table.get('copy')!, ['COPY', 'a', 'b', 'REPLACE'])).toEqual([[1, 'a'], [1, 'b']]);
    expect(commandKeys(0, table.get('move')!, ['MOVE', 'k', 'x'])).toBeNull();
    expect(commandKeys(0, table.get('set')!, ['SET', 'k', 'v'])).toEqual([[0, 'k']]);
  });
});

differential('COMMAND subcommands', {
  'COMMAND HELP': [c('COMMAND', 'HELP'), c('command', 'help')],
  'COMMAND INFO of CONFIG GET and of unknown names': [
    c('COMMAND', 'INFO', 'config|get'), c('COMMAND', 'INFO', 'nosuch'), c('COMMAND', 'INFO', 'CONFIG|GET', 'nosuch|x'),
  ],
  'COMMAND GETKEYS errors': [
    fails('COMMAND', 'GETKEYS', 'nosuch', 'a'),
    fails('COMMAND', 'GETKEYS', 'ping', 'a'),
    fails('COMMAND', 'GETKEYS', 'get', 'a', 'b'),
    fails('COMMAND', 'GETKEYS', 'config', 'nosuch'),
    fails('COMMAND', 'GETKEYSANDFLAGS', 'echo', 'x'),
    c('COMMAND', 'GETKEYS', 'set', 'k', 'v'),
    c('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b'),
    c('COMMAND', 'GETKEYS', 'del', 'a', 'b', 'c'),
  ],
  'COMMAND LIST syntax': [
    fails('COMMAND', 'LIST', 'FILTERBY'),
    fails('COMMAND', 'LIST', 'FILTERBY', 'nosuch', 'x'),
    fails('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'x', 'y'),
    fails('COMMAND', 'LIST', 'bogus', 'a', 'b'),
    unordered('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'config|[gs]et'),
    c('COMMAND', 'LIST', 'FILTERBY', 'module', 'x'),
  ],
  'unknown subcommand and arity': [fails('COMMAND', 'nosuch'), fails('COMMAND', 'COUNT', 'x'), fails('COMMAND', 'GETKEYS')],
  'COMMAND DOCS of unknown names': [c('COMMAND', 'DOCS', 'nosuch')],
});

/**
 * The table test: every command Sluice declares must describe itself as
 * real Redis does (arity, flags, key positions, ACL categories). The
 * oracle is redis-server 7.0; the exceptions below are what Redis 7.2
 * changed or added since, each with its 7.2 value checked in by hand.
 */
const NEW_IN_7_2_OR_LATER = new Set<string>([
  'client|no-touch', 'client|setinfo', 'waitaof',
]);

/** Fields whose 7.2 value differs from 7.0's: full name → field → the 7.2 value Sluice declares. */
const CHANGED_IN_7_2: Record<string, Record<string, unknown>> = {
  'command|getkeys': { arity: -3 },
  'command|getkeysandflags': { arity: -3 },
  // Redis 7.2 dropped noscript from the blocking commands: scripts run them as non-blocking (redis#11568).
  blpop: { flags: ['write', 'blocking'] },
  brpop: { flags: ['write', 'blocking'] },
  blmove: { flags: ['write', 'denyoom', 'blocking'] },
  brpoplpush: { flags: ['write', 'denyoom', 'blocking'] },
  wait: { flags: [] },
};

interface Described {
  arity: number;
  flags: string[];
  keys: [number, number, number];
  categories: string[];
}

function describeAll(replies: Resp[], into: Map<string, Described>): void {
  for (const r of replies) {
    if (r.t !== 'array' || r.v === null) continue;
    const v = r.v;
    into.set(text(v[0]), {
      arity: Number((v[1] as { v: string }).v),
      flags: items(v[2]).map(text),
      keys: [3, 4, 5].map((i) => Number((v[i] as { v: string }).v)) as [number, number, number],
      categories: items(v[6]).map(text),
    });
    describeAll(items(v[9]), into);
  }
}

describe.skipIf(redisServerPath === null)('every declared command against redis-server (differential)', () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /**
   * Every command and subcommand Sluice runs that the oracle has too, as a
   * line its arity accepts ('x' for each argument; one more than the least
   * for a variable arity, which 7.0's arities accept too).
   */
  function sampleLines(): { name: string; line: string[] }[] {
    const out: { name: string; line: string[] }[] = [];
    for (const cmd of sluice.server.commands.all()) {
      if (cmd.handler === null || NEW_IN_7_2_OR_LATER.has(cmd.fullName)) continue;
      const line = cmd.fullName.split('|');
      while (line.length < (cmd.arity > 0 ? cmd.arity : 1 - cmd.arity)) line.push('x');
      out.push({ name: cmd.fullName, line });
    }
    return out;
  }

  /** Runs `probe` for every sample line on a fresh connection to each server; the outcomes must agree. */
  async function sweep(probe: (conn: RespClient, line: string[]) => Promise<string>): Promise<void> {
    const differ: string[] = [];
    for (const { name, line } of sampleLines()) {
      const outcome: string[] = [];
      for (const port of [sluice.port, redis.port]) {
        const conn = await RespClient.connect(port);
        try {
          outcome.push(await probe(conn, line));
        } finally {
          conn.close();
        }
      }
      if (outcome[0] !== outcome[1]) differ.push(`${name}: sluice ${outcome[0]}, redis ${outcome[1]}`);
    }
    expect(differ).toEqual([]);
  }

  test('inside MULTI every command is queued, or run at once, as in Redis', async () => {
    await sweep(async (conn, line) => {
      await conn.call('MULTI');
      const r = await conn.call(...line);
      return r.t === 'simple' && r.v === 'QUEUED' ? 'queued' : 'run at once';
    });
  });

  test('in RESP2 subscribed mode every command is allowed, or refused, as in Redis', async () => {
    await sweep(async (conn, line) => {
      await conn.call('SUBSCRIBE', 'ch');
      const r = await conn.call(...line);
      // Redis words a refused EXEC as an aborted transaction ("EXECABORT … because of: Can't execute 'exec'…").
      return r.t === 'error' && r.v.includes("Can't execute") ? 'refused' : 'allowed';
    });
  });

  test('arity, flags, first/last/step and ACL categories equal Redis 7.0 COMMAND INFO, apart from the listed 7.2 changes', async () => {
    const names = COMMANDS.map((s) => s.name);
    const r = await RespClient.connect(redis.port);
    const ours = new Map<string, Described>();
    const theirs = new Map<string, Described>();
    describeAll(items(await sluice.conn.call('COMMAND', 'INFO', ...names)), ours);
    describeAll(items(await r.call('COMMAND', 'INFO', ...names)), theirs);
    r.close();
    const mismatches: string[] = [];
    for (const [name, mine] of ours) {
      const real = theirs.get(name);
      if (real === undefined) {
        if (!NEW_IN_7_2_OR_LATER.has(name)) mismatches.push(`${name}: not in Redis 7.0 and not listed as new in 7.2`);
        continue;
      }
      const expected: Record<string, unknown> = { ...real, ...(CHANGED_IN_7_2[name] ?? {}) };
      for (const field of ['arity', 'flags', 'keys', 'categories'] as const) {
        if (JSON.stringify(mine[field]) !== JSON.stringify(expected[field])) {
          mismatches.push(`${name} ${field}: sluice ${JSON.stringify(mine[field])}, redis ${JSON.stringify(expected[field])}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
