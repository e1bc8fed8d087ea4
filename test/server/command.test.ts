import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CommandArg, CommandSpec } from '../../src/core/command.js';
import { Server } from '../../src/server/server.js';
import { CommandTable } from '../../src/server/command-table.js';
import { useSluice } from '../helpers/fixture.js';
import { c, differential, fails, help, unordered } from '../helpers/differential.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import type { Command } from '../../src/server/command-types.js';
import { commandKeys } from '../../src/persistence/effect-keys.js';
import {
  ARG_FIELD_ORDER, ARITY_IN_7_0, arityAccepts, DOC_FIELD_ORDER, DOCS_CHANGED_IN_7_2, INFO_CHANGED_IN_7_2, NEW_IN_7_2_OR_LATER, NEW_IN_7_4,
  SUMMARY_7_2,
} from '../helpers/redis-7.2-changes.js';
import { REDIS_7_4_COMMANDS } from '../helpers/redis-7.4-commands.js';
import { redisServerPath, startRedis, startSluice, type RealRedis } from '../helpers/servers.js';

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
    expect(f.flags).toEqual(simples('RO', 'access'));
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
    expect(spec.flags).toEqual(simples('OW', 'update'));
    expect(fields(fields(spec.find_keys).spec)).toEqual({ lastkey: int(-1), keystep: int(2), limit: int(0) });
  });
});

describe('COMMAND DOCS', () => {
  test('gives summary, since, group, complexity, history, arguments and subcommand docs, skipping unknown names', async () => {
    const docs = fields(await sluice.conn.call('COMMAND', 'DOCS', 'config', 'nosuch', 'info'));
    expect(Object.keys(docs)).toEqual(['config', 'info']);
    const info = fields(docs.info);
    expect(info).toEqual({
      summary: bulk('Returns information and statistics about the server.'),
      since: bulk('1.0.0'),
      group: bulk('server'),
      complexity: bulk('O(1)'),
      history: { t: 'array', v: [{ t: 'array', v: [bulk('7.0.0'), bulk('Added support for taking multiple section arguments.')] }] },
      arguments: { t: 'array', v: [{ t: 'array', v: [
        bulk('name'), bulk('section'), bulk('type'), bulk('string'), bulk('display_text'), bulk('section'),
        bulk('flags'), simples('optional', 'multiple'),
      ] }] },
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
      t: 'array', v: [{ t: 'array', v: [bulk('k'), simples('RO', 'access')] }],
    });
  });

  test('a command with key specs of its own flags (SET: variable_flags) takes its flags from its key finder', async () => {
    const flagsOf = async (...line: string[]) => items(items(await sluice.conn.call('COMMAND', 'GETKEYSANDFLAGS', ...line))[0])[1];
    expect(await flagsOf('SET', 'k', 'v')).toEqual(simples('OW', 'update'));
    expect(await flagsOf('SET', 'k', 'v', 'get')).toEqual(simples('RW', 'access', 'update'));
  });

  test('with only a command name, keyless commands say so and others lack arguments (7.2; 7.0 refused the arity)', async () => {
    expect(await sluice.conn.call('COMMAND', 'GETKEYS', 'ping')).toEqual({ t: 'error', v: 'ERR The command has no key arguments' });
    expect(await sluice.conn.call('COMMAND', 'GETKEYS', 'get')).toEqual({
      t: 'error', v: 'ERR Invalid number of arguments specified for command',
    });
  });

  test('movablekeys commands say so, report their key specs as declared, and find keys through them', async () => {
    // A synthetic EVAL-like command: its keys follow a count, so they move.
    const spec: CommandSpec = {
      name: 'movable-probe', arity: -3, flags: ['write'], keySpecs: ['RW update: index 1, keynum 0 1 1'], acl: [],
      group: 'generic', since: '0.0.0', summary: 'test only', handler: (cl) => cl.reply.ok(),
    };
    const other = await startSluice();
    other.server.commands.commands.set(spec.name, new CommandTable([spec]).get(spec.name)!);
    const o = await RespClient.connect(other.port);
    try {
      const [info] = items(await o.call('COMMAND', 'INFO', 'movable-probe'));
      expect(items(items(info)[2]).map(text)).toEqual(['write', 'movablekeys']);
      expect(items(info).slice(3, 6)).toEqual([int(0), int(0), int(0)]);
      expect(items(items(info)[8]).map(fields)).toEqual([{
        flags: simples('RW', 'update'),
        begin_search: { t: 'array', v: [bulk('type'), bulk('index'), bulk('spec'), { t: 'array', v: [bulk('index'), int(1)] }] },
        find_keys: { t: 'array', v: [
          bulk('type'), bulk('keynum'), bulk('spec'),
          { t: 'array', v: [bulk('keynumidx'), int(0), bulk('firstkey'), int(1), bulk('keystep'), int(1)] },
        ] },
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
  'COMMAND HELP': [help('COMMAND', 'HELP'), help('command', 'help')],
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
  // Lines the key specs do not fit fall back to the command's own key finder, with Redis's oddities.
  'COMMAND GETKEYS and GETKEYSANDFLAGS on unusual lines': [
    'GETKEYS', 'GETKEYSANDFLAGS',
  ].flatMap((sub) => [
    c('COMMAND', sub, 'LMPOP', '1', 'a', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', '2', 'a', 'LEFT'),
    fails('COMMAND', sub, 'LMPOP', '3', 'a', 'LEFT'),
    fails('COMMAND', sub, 'LMPOP', '0', 'a', 'LEFT'),
    fails('COMMAND', sub, 'LMPOP', '-1', 'a', 'LEFT'),
    fails('COMMAND', sub, 'LMPOP', 'abc', 'a', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', '1x', 'a', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', ' 1', 'a', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', '+1', 'a', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', '01', 'a', 'b', 'LEFT'),
    c('COMMAND', sub, 'LMPOP', '4294967297', 'a', 'LEFT'),
    c('COMMAND', sub, 'BLMPOP', '0', '2', 'a', 'b', 'RIGHT'),
    c('COMMAND', sub, 'BLMPOP', '0', '1x', 'a', 'LEFT'),
    fails('COMMAND', sub, 'BLMPOP', '0', '0', 'a', 'LEFT'),
    c('COMMAND', sub, 'SET', 'k', 'v', 'get', 'EX', '1'),
    c('COMMAND', sub, 'SET', 'k', 'v', 'GETX'),
    c('COMMAND', sub, 'SET', 'k', 'get'),
    c('COMMAND', sub, 'COPY', 'a', 'b', 'DB', '1'),
    c('COMMAND', sub, 'BLPOP', 'a', 'b', '0'),
    c('COMMAND', sub, 'object', 'ENCODING', 'k'),
    fails('COMMAND', sub, 'object', 'nosuch', 'k'),
    fails('COMMAND', sub, 'OBJECT', 'HELP'),
    fails('COMMAND', sub, 'SSUBSCRIBE', 'ch'),
    fails('COMMAND', sub, 'SPUBLISH', 'ch', 'msg'),
    c('COMMAND', sub, 'EXISTS', 'a', 'b'),
  ]),
  'COMMAND LIST syntax': [
    fails('COMMAND', 'LIST', 'FILTERBY'),
    fails('COMMAND', 'LIST', 'FILTERBY', 'nosuch', 'x'),
    fails('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'x', 'y'),
    fails('COMMAND', 'LIST', 'bogus', 'a', 'b'),
    unordered('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'config|[gs]et'),
    c('COMMAND', 'LIST', 'FILTERBY', 'module', 'x'),
  ],
  'unknown subcommand and arity': [fails('COMMAND', 'nosuch'), fails('COMMAND', 'COUNT', 'x'), fails('COMMAND', 'GETKEYS')],
  'a subcommand is its container\'s, whatever the one before it': [
    c('SCRIPT', 'LOAD', 'return 1'), fails('FUNCTION', 'LOAD', 'return 1'), c('script', 'load', 'return 1'),
    fails('FUNCTION', 'nosuch'), fails('SCRIPT', 'nosuch'), fails('FUNCTION', 'load', 'return 1'),
  ],
  'COMMAND DOCS of unknown names': [c('COMMAND', 'DOCS', 'nosuch')],
});


/** A reply as plain data that keeps what RESP3 says: maps become objects, sets and simple strings are marked. */
type Plain = string | number | boolean | null | Plain[] | { set: Plain[] } | { simple: string } | { [field: string]: Plain };

function plain(r: Resp): Plain {
  switch (r.t) {
    case 'bulk':
    case 'verbatim':
      return r.v;
    case 'simple':
      return { simple: r.v };
    case 'error':
      return { error: r.v };
    case 'int':
      return Number(r.v);
    case 'array':
      return r.v === null ? null : r.v.map(plain);
    case 'set':
      return { set: r.v.map(plain) };
    case 'map':
      return Object.fromEntries(r.v.map(([k, v]) => [text(k), plain(v)]));
    default:
      return JSON.stringify(r);
  }
}

type PlainMap = { [field: string]: Plain };
const isMap = (p: Plain): p is PlainMap => p !== null && typeof p === 'object' && !Array.isArray(p);

/** Where two plain replies first differ, field order included; null when they are the same. */
function difference(a: Plain, b: Plain, path = ''): string | null {
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join() !== kb.join()) return `${path || '.'}: fields ${ka.join()} / ${kb.join()}`;
    for (const k of ka) {
      const d = difference((a as Record<string, Plain>)[k], (b as Record<string, Plain>)[k], `${path}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}.${i}`);
      if (d !== null) return d;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : `${path || '.'}: ${JSON.stringify(a)} / ${JSON.stringify(b)}`;
}

/** A docs entry with its fields in Redis's order, its arguments' too, and its subcommands by name (Redis's order is its hash's). */
function docsInOrder(docs: PlainMap, reorder: boolean): PlainMap {
  const order = (m: PlainMap, fieldOrder: string[]): PlainMap =>
    reorder ? Object.fromEntries(fieldOrder.filter((f) => f in m).map((f) => [f, m[f]])) : m;
  const args = (list: Plain): Plain =>
    (list as PlainMap[]).map((a) => {
      const out = order(a, ARG_FIELD_ORDER);
      return 'arguments' in out ? { ...out, arguments: args(out.arguments) } : out;
    });
  const out = order(docs, DOC_FIELD_ORDER);
  if ('arguments' in out) out.arguments = args(out.arguments);
  if ('subcommands' in out) {
    const subs = out.subcommands as PlainMap;
    out.subcommands = Object.fromEntries(Object.keys(subs).sort().map((n) => [n, docsInOrder(subs[n] as PlainMap, reorder)]));
  }
  return out;
}

/** Sets a field at a dotted path (array indices under `arguments`); undefined removes it. True when that changed it. */
function setPath(root: PlainMap, path: string, value: unknown): boolean {
  const parts = path.split('.');
  let at: Plain = root;
  for (const p of parts.slice(0, -1)) at = Array.isArray(at) ? at[Number(p)] : (at as PlainMap)[p];
  const last = parts[parts.length - 1];
  const holder = at as PlainMap & Plain[];
  const key = Array.isArray(holder) ? Number(last) : last;
  const before = JSON.stringify(holder[key as never]);
  // Removing an argument closes the gap, as 7.2's shorter lists have none.
  if (value === undefined && Array.isArray(holder)) holder.splice(key as number, 1);
  else if (value === undefined) delete holder[key as never];
  else holder[key as never] = value as never;
  return before !== JSON.stringify(value);
}

/** 7.2 shows a display text for every argument but a oneof or block: its name unless it has one of its own. */
function addDisplayTexts(args: Plain | undefined): void {
  for (const a of (args ?? []) as PlainMap[]) {
    if (a.type === 'oneof' || a.type === 'block') addDisplayTexts(a.arguments);
    else if (!('display_text' in a)) a.display_text = a.name;
  }
}

describe.skipIf(redisServerPath === null)('every declared command against redis-server (differential)', () => {
  let redis: RealRedis;
  /** Which Redis answers: 7.0's replies get the listed 7.2 changes, 7.2's are compared as they are. */
  let oracleIs70 = true;

  beforeAll(async () => {
    redis = await startRedis();
    const r = await RespClient.connect(redis.port);
    const version = /redis_version:(\d+\.\d+)\./.exec(text(await r.call('INFO', 'server')))?.[1];
    r.close();
    if (version !== '7.0' && version !== '7.2') throw new Error(`the oracle is redis-server ${version}: expected 7.0 or 7.2`);
    oracleIs70 = version === '7.0';
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const implemented = () => [...sluice.server.commands.all()].filter(
    (cmd) => !NEW_IN_7_4.has(cmd.fullName) && (!oracleIs70 || !NEW_IN_7_2_OR_LATER.has(cmd.fullName)),
  );
  /** Whether the oracle's arity takes a line of `words` for `cmd` (7.2's arguments a 7.0 oracle lacks make lines it refuses). */
  const oracleTakes = (cmd: Command, words: number) =>
    arityAccepts((oracleIs70 ? ARITY_IN_7_0[cmd.fullName] : undefined) ?? cmd.arity, words);

  async function both<T>(proto: 2 | 3, ask: (conn: RespClient) => Promise<T>): Promise<[T, T]> {
    const conns = await Promise.all([RespClient.connect(sluice.port), RespClient.connect(redis.port)]);
    try {
      if (proto === 3) await Promise.all(conns.map((conn) => conn.call('HELLO', '3')));
      return [await ask(conns[0]), await ask(conns[1])];
    } finally {
      for (const conn of conns) conn.close();
    }
  }

  for (const proto of [2, 3] as const) {
    test(`COMMAND INFO of every command and subcommand is Redis's whole reply, RESP${proto} (7.0: with the listed 7.2 changes)`, async () => {
      const cmds = implemented();
      const names = new Set(cmds.map((cmd) => cmd.fullName));
      const [ours, theirs] = await both(proto, async (conn) =>
        items(await conn.call('COMMAND', 'INFO', ...cmds.map((cmd) => cmd.fullName))).map(plain) as Plain[][]);
      const strings = (v: string[], simple: boolean): Plain => {
        const list = v.map((s) => (simple ? { simple: s } : s));
        return proto === 3 ? { set: list } : list;
      };
      const mismatches: string[] = [];
      // Listed 7.2 changes that change nothing in 7.0's reply: the list is out of date.
      const stale: string[] = [];
      cmds.forEach((cmd, i) => {
        // Subcommands are compared one by one; here only which ones there are (Redis's order is its hash's).
        const subs = (entry: Plain[]): Plain[] => {
          const nested = entry[9];
          // Redis answers an empty set for a command without subcommands, an array of entries otherwise.
          if (!Array.isArray(nested)) return entry;
          return [...entry.slice(0, 9), (nested as Plain[][]).map((e) => e[0] as string).filter((n) => names.has(n)).sort()];
        };
        const mine = subs(ours[i]);
        const real = subs(theirs[i]);
        const change = INFO_CHANGED_IN_7_2[cmd.fullName];
        if (oracleIs70 && change !== undefined) {
          const apply = (at: number, value: Plain, field: string) => {
            if (JSON.stringify(real[at]) === JSON.stringify(value)) stale.push(`${cmd.fullName} ${field}`);
            real[at] = value;
          };
          if (change.arity !== undefined) apply(1, change.arity, 'arity');
          if (change.flags !== undefined) apply(2, strings(change.flags, true), 'flags');
          if (change.tips !== undefined) apply(7, strings(change.tips, false), 'tips');
        }
        const d = difference(mine, real);
        if (d !== null) mismatches.push(`${cmd.fullName} ${d}`);
      });
      expect(mismatches).toEqual([]);
      expect(stale).toEqual([]);
    });
  }

  test("COMMAND DOCS of every command is Redis's whole reply, RESP3 (7.0: with the listed 7.2 changes)", async () => {
    const cmds = implemented();
    const names = new Set(cmds.map((cmd) => cmd.fullName));
    const tops = cmds.filter((cmd) => cmd.parent === null).map((cmd) => cmd.fullName);
    const [ours, theirs] = await both(3, async (conn) => plain(await conn.call('COMMAND', 'DOCS', ...tops)) as PlainMap);
    const used = new Set<string>();
    const stale: string[] = [];
    const to72 = (name: string, docs: PlainMap): void => {
      if (SUMMARY_7_2[name] !== undefined) {
        used.add(`summary of ${name}`);
        docs.summary = SUMMARY_7_2[name];
      }
      for (const [path, value] of Object.entries(DOCS_CHANGED_IN_7_2[name] ?? {})) {
        if (!setPath(docs, path, value)) stale.push(`${name} ${path}`);
      }
      addDisplayTexts(docs.arguments);
      for (const [sub, subDocs] of Object.entries((docs.subcommands ?? {}) as PlainMap)) to72(sub, subDocs as PlainMap);
    };
    const mismatches: string[] = [];
    for (const name of tops) {
      const real = theirs[name] as PlainMap;
      const mine = ours[name] as PlainMap;
      for (const docs of [real, mine]) {
        const subs = docs.subcommands;
        if (isMap(subs)) for (const n of Object.keys(subs)) if (!names.has(n)) delete (subs as Record<string, Plain>)[n];
      }
      if (oracleIs70) to72(name, real);
      const d = difference(docsInOrder(mine, false), docsInOrder(real, true));
      if (d !== null) mismatches.push(`${name} ${d}`);
    }
    expect(mismatches).toEqual([]);
    if (oracleIs70) {
      for (const name of Object.keys(SUMMARY_7_2)) if (!used.has(`summary of ${name}`)) stale.push(`summary of ${name}`);
    }
    expect(stale).toEqual([]);
  });

  /** A line for a command from its declared arguments: required ones only, or every optional one too and multiples twice. */
  function sampleLine(cmd: Command, full: boolean): string[] {
    let n = 0;
    const many = (args: readonly CommandArg[]): string[] =>
      args.flatMap((a) => (a.optional && !full ? [] : Array.from({ length: a.multiple && full ? 2 : 1 }, () => one(a)).flat()));
    const one = (a: CommandArg): string[] => {
      const token = a.token === null ? [] : [a.token];
      switch (a.type) {
        case 'pure-token': return token;
        case 'oneof': return [...token, ...many([{ ...a.args[0], optional: false }])];
        case 'block': return [...token, ...many(a.args)];
        case 'key': return [...token, `key${++n}`];
        case 'integer': return [...token, '1'];
        case 'double': return [...token, '1.5'];
        case 'unix-time': return [...token, '1700000000'];
        default: return [...token, `${a.name}${++n}`];
      }
    };
    const line = [...cmd.fullName.split('|'), ...many(cmd.args)];
    // 7.0's COMMAND GETKEYS refuses a lone command name for its arity; one more word changes no answer here.
    return line.length === 1 ? [...line, 'x'] : line;
  }

  test('COMMAND GETKEYS and GETKEYSANDFLAGS answer as Redis on a short and a long line of every command, RESP2 and RESP3', async () => {
    const lines = implemented().filter((cmd) => cmd.handler !== null)
      .flatMap((cmd) => [sampleLine(cmd, false), sampleLine(cmd, true)].filter((line) => oracleTakes(cmd, line.length)));
    const mismatches: string[] = [];
    for (const proto of [2, 3] as const) {
      const [ours, theirs] = await both(proto, async (conn) => {
        const out: Resp[] = [];
        for (const line of lines) for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) out.push(await conn.call('COMMAND', sub, ...line));
        return out;
      });
      ours.forEach((r, i) => {
        const d = difference(plain(r), plain(theirs[i]));
        if (d !== null) mismatches.push(`RESP${proto} ${lines[i >> 1].join(' ')}: ${d}`);
      });
    }
    expect(mismatches).toEqual([]);
    // The lines do reach keys: most commands have some.
    expect(lines.filter((l) => l.some((w) => w.startsWith('key'))).length).toBeGreaterThan(100);
  });

  test('key spec shapes no implemented command has, declared like the Redis commands that have them: COMMAND INFO and GETKEYSANDFLAGS agree', async () => {
    const probe = (name: string, arity: number, keySpecs: CommandSpec['keySpecs']): CommandSpec => ({
      name, arity, flags: ['readonly'], keySpecs, acl: [], group: 'generic', since: '0.0.0', summary: 'probe',
      handler: (cl) => cl.reply.ok(),
    });
    const probes = [
      probe('xread', -4, ['RO access: keyword STREAMS 1, range -1 1 2']),
      probe('georadius', -6, [
        'RO access: index 1, range 0', 'OW update: keyword STORE 6, range 0', 'OW update: keyword STOREDIST 6, range 0',
      ]),
      probe('migrate', -6, ['RW access delete: index 3, range 0', 'RW access delete incomplete: keyword KEYS -2, range -1']),
      probe('sort', -2, [
        'RO access: index 1, range 0',
        {
          spec: 'RO access: unknown, unknown',
          notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
        },
        {
          spec: 'OW update: unknown, unknown',
          notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
        },
      ]),
    ];
    const other = await startSluice();
    for (const spec of probes) other.server.commands.commands.set(spec.name, new CommandTable([spec]).get(spec.name)!);
    const conns = [await RespClient.connect(other.port), await RespClient.connect(redis.port)];
    try {
      const ask = (conn: RespClient, ...args: string[]) => conn.call(...args).then(plain);
      for (const spec of probes) {
        const [mine, real] = await Promise.all(conns.map((conn) => ask(conn, 'COMMAND', 'INFO', spec.name))) as Plain[][][];
        const keyPart = (e: Plain[]) => [(e[2] as Plain[]).some((f) => JSON.stringify(f) === '{"simple":"movablekeys"}'), ...e.slice(3, 6), e[8]];
        expect(keyPart(mine[0]), spec.name).toEqual(keyPart(real[0]));
      }
      // MIGRATE's and SORT's specs are incomplete or unknown: Redis answers those through key finders the probes lack.
      const lines = [
        ['XREAD', 'STREAMS', 'a', 'b', '0', '0'], ['XREAD', 'COUNT', '2', 'streams', 'a', '0'], ['XREAD', 'STREAMS', 'a', 'b', 'c', '1', '2'],
        ['XREAD', 'COUNT', '1', 'STREAMS'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'STREAMS', 'x', '1', '2'],
        ['GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE', 'dst'], ['GEORADIUS', 'k', '0', '0', '1', 'm', 'WITHDIST', 'STOREDIST', 'd'],
        ['GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE', 'a', 'STOREDIST', 'b'], ['GEORADIUS', 'k', '0', '0', '1', 'STORE'],
        ['GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE'],
      ];
      for (const line of lines) {
        const [mine, real] = await Promise.all(conns.map((conn) => ask(conn, 'COMMAND', 'GETKEYSANDFLAGS', ...line)));
        expect(mine, line.join(' ')).toEqual(real);
      }
    } finally {
      for (const conn of conns) conn.close();
      await other.close();
    }
  });

  /**
   * Every command and subcommand Sluice runs that the oracle has too, as a
   * line its arity accepts ('x' for each argument; one more than the least
   * for a variable arity, which 7.0's arities accept too).
   */
  function arityLines(): { name: string; line: string[] }[] {
    return implemented().filter((cmd) => cmd.handler !== null).map((cmd) => {
      const line = cmd.fullName.split('|');
      while (line.length < (cmd.arity > 0 ? cmd.arity : 1 - cmd.arity)) line.push('x');
      // ZRANK's arity went from 3 to -3 in 7.2: its least line is the one both take.
      if (!oracleTakes(cmd, line.length)) line.pop();
      return { name: cmd.fullName, line };
    });
  }

  /** Runs `probe` for every arity line on a fresh connection to each server; the outcomes must agree. */
  async function sweep(probe: (conn: RespClient, line: string[]) => Promise<string>): Promise<void> {
    const differ: string[] = [];
    for (const { name, line } of arityLines()) {
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
});

describe('the Redis 7.4 commands, which no oracle has', () => {
  test("COMMAND INFO (RESP2) and COMMAND DOCS (RESP3) are 7.4.1's, as recorded", async () => {
    const names = Object.keys(REDIS_7_4_COMMANDS);
    expect(names.filter((n) => sluice.server.commands.get(n) === undefined)).toEqual([]);
    const info = items(await sluice.conn.call('COMMAND', 'INFO', ...names)).map(plain);
    const c3 = await RespClient.connect(sluice.port);
    await c3.call('HELLO', '3');
    const docs = plain(await c3.call('COMMAND', 'DOCS', ...names)) as PlainMap;
    c3.close();
    const mismatches: string[] = [];
    names.forEach((name, i) => {
      const recorded = REDIS_7_4_COMMANDS[name];
      const d = difference(info[i], recorded.info as Plain) ?? difference(docs[name], recorded.docs as Plain);
      if (d !== null) mismatches.push(`${name} ${d}`);
    });
    expect(mismatches).toEqual([]);
  });
});
