import { describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, type Resp } from '../helpers/resp-client.js';

/**
 * The parser frames a request into the argv array of the one before when
 * the dispatcher found nothing kept that array (Dispatcher.freeArgv). Each
 * case sends its commands in one write, so that they are framed from one
 * read one after the other, and checks that whatever kept an argv still
 * reads the command it was given.
 */
function pipeline(...commands: string[][]): Buffer {
  return Buffer.concat(commands.map((argv) => encodeCommand(argv)));
}

const OK: Resp = { t: 'simple', v: 'OK' };
const bulk = (v: string): Resp => ({ t: 'bulk', v });

describe('argv arrays framed again', () => {
  const sluice = useSluice({ conn: 'fresh' });

  test('a pipeline of requests of one length is framed into one array, and each command reads its own', async () => {
    const conn = sluice.conn;
    const seen: string[][] = [];
    const arrays = new Set<string[]>();
    const server = sluice.server;
    const run = server.dispatcher.run;
    server.dispatcher.run = (c, argv) => {
      arrays.add(argv);
      seen.push([...argv]);
      run.call(server.dispatcher, c, argv);
    };
    try {
      conn.writeRaw(pipeline(['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3'], ['GET', 'a'], ['GET', 'b']));
      for (let i = 0; i < 3; i++) expect(await conn.read()).toEqual(OK);
      expect(await conn.read()).toEqual(bulk('1'));
      expect(await conn.read()).toEqual(bulk('2'));
    } finally {
      server.dispatcher.run = run;
    }
    expect(seen).toEqual([['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3'], ['GET', 'a'], ['GET', 'b']]);
    // One array for the three SETs, one for the two GETs.
    expect(arrays.size).toBe(2);
  });

  test('commands queued by MULTI keep their own arguments', async () => {
    const conn = sluice.conn;
    conn.writeRaw(pipeline(['MULTI'], ['SET', 'x', '1'], ['SET', 'y', '2'], ['INCR', 'x'], ['GET', 'y'], ['EXEC']));
    expect(await conn.read()).toEqual(OK);
    for (let i = 0; i < 4; i++) expect(await conn.read()).toEqual({ t: 'simple', v: 'QUEUED' });
    expect(await conn.read()).toEqual({ t: 'array', v: [OK, OK, { t: 'int', v: '2' }, bulk('2')] });
  });

  test('the slow log keeps the arguments of each command it logged', async () => {
    const conn = sluice.conn;
    expect(await conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toEqual(OK);
    try {
      expect(await conn.call('SLOWLOG', 'RESET')).toEqual(OK);
      conn.writeRaw(pipeline(['SET', 'k1', 'v1'], ['SET', 'k2', 'v2'], ['GET', 'k1'], ['GET', 'k2']));
      for (let i = 0; i < 4; i++) await conn.read();
      const log = await conn.call('SLOWLOG', 'GET', '4');
      const args = (log.v as Resp[]).map((e) => ((e.v as Resp[])[3].v as Resp[]).map((a) => a.v));
      expect(args).toEqual([['GET', 'k2'], ['GET', 'k1'], ['SET', 'k2', 'v2'], ['SET', 'k1', 'v1']]);
    } finally {
      await conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    }
  });

  test('commands held by CLIENT PAUSE run with their own arguments once it ends', async () => {
    const conn = sluice.conn;
    const admin = await sluice.connect();
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toEqual(OK);
    conn.writeRaw(pipeline(['GET', 'p'], ['SET', 'p', 'first'], ['SET', 'q', 'second'], ['GET', 'q']));
    expect(await conn.read()).toEqual({ t: 'bulk', v: null });
    expect(await admin.call('CLIENT', 'UNPAUSE')).toEqual(OK);
    expect(await conn.read()).toEqual(OK);
    expect(await conn.read()).toEqual(OK);
    expect(await conn.read()).toEqual(bulk('second'));
    expect(await admin.call('MGET', 'p', 'q')).toEqual({ t: 'array', v: [bulk('first'), bulk('second')] });
  });
});

describe('argv arrays framed again while effects are recorded', () => {
  const sluice = useSluice({ conn: 'fresh', observe: true });

  test('each recorded effect keeps the arguments of its own command', async () => {
    const conn = sluice.conn;
    const commands = [
      ['SET', 'a', '1'], ['SET', 'b', '2'], ['INCR', 'n'], ['INCR', 'm'], ['LPUSH', 'l', 'x'],
      ['HSET', 'h', 'f', 'v'], ['HSET', 'h', 'g', 'w'], ['DEL', 'a'], ['DEL', 'b'],
    ];
    conn.writeRaw(pipeline(...commands));
    for (let i = 0; i < commands.length; i++) await conn.read();
    const written = sluice.effects.map((e) => e.argv).filter((argv) => argv[0] !== 'FLUSHALL');
    expect(written).toEqual(commands);
  });
});
