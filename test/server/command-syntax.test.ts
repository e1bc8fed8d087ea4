import { describe, expect, test } from 'vitest';
import type { CommandArg, CommandSpec } from '../../src/core/command.js';
import { parseArgs, parseKeySpec } from '../../src/server/command-syntax.js';
import { CommandTable } from '../../src/server/command-table.js';

/** An argument as parseArgs gives it, from the fields a test cares about. */
function arg(fields: Partial<CommandArg> & Pick<CommandArg, 'name' | 'type'>): CommandArg {
  return {
    display: null, keySpecIndex: -1, token: null, since: null, deprecatedSince: null, optional: false, multiple: false,
    multipleToken: false, args: [], ...fields,
  };
}

describe('key spec declarations', () => {
  test('flags, an index and a range; flags come out in Redis order and the range defaults to step 1, no limit', () => {
    expect(parseKeySpec('delete access RW: index 1, range 0')).toEqual({
      notes: null,
      flags: ['RW', 'access', 'delete'],
      begin: { type: 'index', index: 1 },
      find: { type: 'range', lastkey: 0, keystep: 1, limit: 0 },
    });
    expect(parseKeySpec('OW update: index 1, range -1 2').find).toEqual({ type: 'range', lastkey: -1, keystep: 2, limit: 0 });
    expect(parseKeySpec('RO access: keyword STREAMS 1, range -1 1 2')).toMatchObject({
      begin: { type: 'keyword', keyword: 'STREAMS', startfrom: 1 },
      find: { type: 'range', lastkey: -1, keystep: 1, limit: 2 },
    });
  });

  test('keynum and unknown shapes, and notes', () => {
    expect(parseKeySpec('RW access delete: index 2, keynum 0 1 1').find).toEqual({ type: 'keynum', keynumidx: 0, firstkey: 1, keystep: 1 });
    expect(parseKeySpec({ spec: 'OW update: unknown, unknown', notes: 'STORE may be anywhere' })).toEqual({
      notes: 'STORE may be anywhere', flags: ['OW', 'update'], begin: { type: 'unknown' }, find: { type: 'unknown' },
    });
  });

  test('a malformed declaration throws, naming it', () => {
    for (const bad of [
      'RW index 1, range 0', 'RX: index 1, range 0', 'RW: index, range 0', 'RW: index 1, range', 'RW: index 1, keynum 0 1',
      'RW: index one, range 0', 'RW: position 1, range 0', 'RW: index 1, range 0 1 0 1',
    ]) {
      expect(() => parseKeySpec(bad), bad).toThrow(`malformed key spec '${bad}'`);
    }
  });
});

describe('argument declarations', () => {
  test('types, tokens, pure tokens, optional and multiple arguments', () => {
    expect(parseArgs('key:key element... [COUNT count:integer] [NX] timeout:double [pattern:pattern...]')).toEqual([
      arg({ name: 'key', type: 'key', keySpecIndex: 0 }),
      arg({ name: 'element', type: 'string', multiple: true }),
      arg({ name: 'count', type: 'integer', token: 'COUNT', optional: true }),
      arg({ name: 'nx', type: 'pure-token', token: 'NX', optional: true }),
      arg({ name: 'timeout', type: 'double' }),
      arg({ name: 'pattern', type: 'pattern', optional: true, multiple: true }),
    ]);
  });

  test('a multiple argument whose token repeats before each repetition', () => {
    expect(parseArgs('[GET get-block{encoding offset:integer}... +]')).toEqual([
      arg({
        name: 'get-block', type: 'block', token: 'GET', optional: true, multiple: true, multipleToken: true, args: [
          arg({ name: 'encoding', type: 'string' }), arg({ name: 'offset', type: 'integer' }),
        ],
      }),
    ]);
  });

  test('oneof and block, with tokens of their own, since and deprecated-since, display texts and key spec indices', () => {
    expect(parseArgs('source:key destination:key#1 [expiration(EX seconds:integer @2.6.12 | KEEPTTL @6.0.0)]')).toEqual([
      arg({ name: 'source', type: 'key', keySpecIndex: 0 }),
      arg({ name: 'destination', type: 'key', keySpecIndex: 1 }),
      arg({
        name: 'expiration', type: 'oneof', optional: true, args: [
          arg({ name: 'seconds', type: 'integer', token: 'EX', since: '2.6.12' }),
          arg({ name: 'keepttl', type: 'pure-token', token: 'KEEPTTL', since: '6.0.0' }),
        ],
      }),
    ]);
    expect(parseArgs('[AUTH auth{username password}] filter(old-format=ip:port !2.8.12 | [LADDR laddr=ip:port @6.2.0])...')).toEqual([
      arg({
        name: 'auth', type: 'block', token: 'AUTH', optional: true,
        args: [arg({ name: 'username', type: 'string' }), arg({ name: 'password', type: 'string' })],
      }),
      arg({
        name: 'filter', type: 'oneof', multiple: true, args: [
          arg({ name: 'old-format', type: 'string', display: 'ip:port', deprecatedSince: '2.8.12' }),
          arg({ name: 'laddr', type: 'string', token: 'LADDR', display: 'ip:port', since: '6.2.0', optional: true }),
        ],
      }),
    ]);
  });

  test('a pure token may have a name of its own (ZADD names CH "change"), or be no word at all (XADD\'s "*")', () => {
    expect(parseArgs('[change->CH @3.0.2] [increment->INCR] id(auto-id->* | id)')).toEqual([
      arg({ name: 'change', type: 'pure-token', token: 'CH', optional: true, since: '3.0.2' }),
      arg({ name: 'increment', type: 'pure-token', token: 'INCR', optional: true }),
      arg({ name: 'id', type: 'oneof', args: [arg({ name: 'auto-id', type: 'pure-token', token: '*' }), arg({ name: 'id', type: 'string' })] }),
    ]);
  });

  test('since and multiple may follow the brackets too', () => {
    expect(parseArgs('[section]... [GET] @6.2.0')).toEqual([
      arg({ name: 'section', type: 'string', optional: true, multiple: true }),
      arg({ name: 'get', type: 'pure-token', token: 'GET', optional: true, since: '6.2.0' }),
    ]);
  });

  test('a malformed declaration throws, naming it and where', () => {
    const cases: [string, string][] = [
      ['[key', "expected ']'"],
      ['where(LEFT | RIGHT', "expected ')'"],
      ['data{key value', "missing '}'"],
      ['count:integer#1', "'count:integer#1' is not a key"],
      ['x:key(a | b)', "'x:key' is a container"],
      ['Key', "'Key' is not an argument"],
      ['key ]', "']' is not an argument"],
    ];
    for (const [bad, why] of cases) expect(() => parseArgs(bad), bad).toThrow(`argument syntax '${bad}': ${why}`);
  });
});

describe('what the table derives from key specs, as Redis does', () => {
  const compile = (keySpecs: string[], args?: string) => {
    const spec: CommandSpec = {
      name: 'probe', arity: -2, flags: [], keySpecs, args, acl: [], group: 'generic', since: '0.0.0', summary: 'probe',
    };
    return new CommandTable([spec]).get('probe')!;
  };

  test('one index/range spec is the range as it is, step included; incomplete makes the keys movable', () => {
    expect(compile(['OW update: index 1, range -1 2'])).toMatchObject({ keyRange: [1, -1, 2], movableKeys: false });
    expect(compile(['RO: index 2, range 1'])).toMatchObject({ keyRange: [2, 3, 1], movableKeys: false });
    expect(compile(['RW incomplete: index 1, range 0'])).toMatchObject({ keyRange: [1, 1, 1], movableKeys: true });
  });

  test('consecutive ranges merge; a gap, a step or a search that is not a range makes the keys movable', () => {
    expect(compile(['RW: index 1, range 0', 'OW: index 2, range 0'])).toMatchObject({ keyRange: [1, 2, 1], movableKeys: false });
    expect(compile(['RW: index 1, range 0', 'OW: index 3, range 0'])).toMatchObject({ keyRange: [1, 1, 1], movableKeys: true });
    expect(compile(['RW: index 1, range 0', 'OW: index 2, range -1 2'])).toMatchObject({ keyRange: [1, 1, 1], movableKeys: true });
    expect(compile(['RW: index 1, range 0', 'OW: keyword STORE 2, range 0'])).toMatchObject({ keyRange: [1, 1, 1], movableKeys: true });
    expect(compile(['RW: index 1, keynum 0 1 1'])).toMatchObject({ keyRange: [0, 0, 0], movableKeys: true });
  });

  test('a last key counted from the end outranks a fixed one, as an unsigned comparison would have it', () => {
    expect(compile(['RW: index 1, range -2', 'OW: index 2, range 0'])).toMatchObject({ keyRange: [1, -2, 1], movableKeys: true });
    expect(compile(['RW: index 1, range 0', 'OW: index 2, range -1'])).toMatchObject({ keyRange: [1, -1, 1], movableKeys: false });
  });

  test('keys are found by the specs unless only not_key specs or variable flags say otherwise', () => {
    expect(compile(['not_key: index 1, range 0'])).toMatchObject({ hasKeys: false, keysBySpecs: false, keyRange: [1, 1, 1] });
    expect(compile(['RW variable_flags: index 1, range 0'])).toMatchObject({ hasKeys: true, keysBySpecs: false });
    expect(compile([])).toMatchObject({ hasKeys: false, keyRange: [0, 0, 0], movableKeys: false });
  });

  test('a key argument must name a declared key spec (checked when the arguments are first read)', () => {
    expect(() => compile(['RW: index 1, range 0'], 'a:key b:key#1').args).toThrow('probe: argument b names key spec 1');
  });
});

describe('an argument taken as bytes', () => {
  const compile = (flags: CommandSpec['flags'], bytesArg: number) =>
    new CommandTable([{ name: 'probe', arity: 3, flags, bytesArg, acl: [], group: 'pubsub', since: '0.0.0', summary: 'probe' }]).get('probe')!;

  test('is declared by a command that neither writes nor blocks, and absent is -1', () => {
    expect(compile(['fast'], 2).bytesArg).toBe(2);
    expect(new CommandTable([{ name: 'probe', arity: 1, flags: [], acl: [], group: 'generic', since: '0.0.0', summary: 'probe' }]).get('probe')!.bytesArg).toBe(-1);
  });

  test('is refused for a command that writes or blocks, whose arguments outlive the call, and for the name itself', () => {
    expect(() => compile(['write'], 2)).toThrow('probe: bytesArg 2');
    expect(() => compile(['blocking'], 2)).toThrow('probe: bytesArg 2');
    expect(() => compile([], 0)).toThrow('probe: bytesArg 0');
  });
});
