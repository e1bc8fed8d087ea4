import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Command } from '../../src/server/command-types.js';
import { useSluice, useSluiceAndRedis } from '../helpers/fixture.js';
import { ARITY_IN_7_0, arityAccepts, NEW_IN_7_2_OR_LATER, NEW_IN_7_4 } from '../helpers/redis-7.2-changes.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

const sluice = useSluice();

describe('dispatcher', () => {
  test('a handler that throws unexpectedly answers an error and the server keeps serving', async () => {
    const echo = sluice.server.commands.get('echo')!;
    const original = echo.handler;
    echo.handler = () => {
      throw new TypeError('simulated bug');
    };
    const conn = await RespClient.connect(sluice.port);
    try {
      expect(await conn.call('ECHO', 'x')).toEqual({ t: 'error', v: "ERR internal error while executing 'echo'" });
      expect(await conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(echo.stats.failedCalls).toBe(1);
      // The error and where it was thrown are in the line: Redis's format has no fields to carry them.
      expect(sluice.logs.messages('warning')).toContainEqual(expect.stringMatching(/^Internal error while executing 'echo': TypeError: simulated bug \(at .*dispatcher\.test\.ts:\d+:\d+\)?\)$/));
    } finally {
      echo.handler = original;
      conn.close();
    }
  });

  /** ECHO replaced by `failing` for one ECHO and a PING pipelined behind it: what the client reads back. */
  async function afterFailingEcho(failing: NonNullable<Command['handler']>): Promise<Resp[]> {
    const echo = sluice.server.commands.get('echo')!;
    const original = echo.handler;
    echo.handler = failing;
    const conn = await RespClient.connect(sluice.port);
    try {
      conn.writeRaw('*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n');
      return [await conn.read(), await conn.read()];
    } finally {
      echo.handler = original;
      conn.close();
    }
  }

  const ERROR_THEN_PONG: Resp[] = [
    { t: 'error', v: "ERR internal error while executing 'echo'" },
    { t: 'simple', v: 'PONG' },
  ];

  test('the part of a reply written before a handler failed is taken back: the client sees only the error', async () => {
    const replies = await afterFailingEcho((c) => {
      c.reply.array(3);
      c.reply.bulk('half');
      throw new TypeError('simulated bug');
    });
    expect(replies).toEqual(ERROR_THEN_PONG);
  });

  test('output a failing handler queued beyond its buffer is taken back too', async () => {
    const shared = Buffer.from('*2\r\n$4\r\nhalf\r\n');
    const replies = await afterFailingEcho((c) => {
      // Bytes queued by reference, as a published message is, then more in the buffer.
      c.out.shared(shared, 0, shared.length);
      c.reply.bulk('more');
      throw new TypeError('simulated bug');
    });
    expect(replies).toEqual(ERROR_THEN_PONG);
  });

  test('an internal error while reading a request closes that connection and the server serves the rest', async () => {
    const other = await RespClient.connect(sluice.port);
    const conn = await RespClient.connect(sluice.port);
    try {
      expect(await conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      const victim = [...sluice.server.clients.values()].at(-1)!;
      victim.conn!.parser.feed = () => {
        throw new RangeError('simulated framing bug');
      };
      conn.writeRaw('*1\r\n$4\r\nPING\r\n');
      await conn.closed;
      expect(sluice.server.clients.has(victim.id)).toBe(false);
      expect(await other.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(sluice.logs.messages('warning')).toContainEqual(
        expect.stringMatching(/^Closing a client after an internal error while reading a request \(addr=127\.0\.0\.1:\d+\): RangeError: simulated framing bug \(at /),
      );
    } finally {
      conn.close();
      other.close();
    }
  });

  test('command names are matched in any letter case', async () => {
    const conn = await RespClient.connect(sluice.port);
    try {
      for (const name of ['ECHO', 'echo', 'EcHo']) expect(await conn.call(name, 'a')).toEqual({ t: 'bulk', v: 'a' });
    } finally {
      conn.close();
    }
  });

  test('the replies of a pipeline come back in order from one chunk', async () => {
    const conn = await RespClient.connect(sluice.port);
    try {
      const n = 200;
      let raw = '';
      for (let i = 0; i < n; i++) raw += `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`;
      conn.writeRaw(raw);
      for (let i = 0; i < n; i++) expect(await conn.read()).toEqual({ t: 'bulk', v: String(i) });
    } finally {
      conn.close();
    }
  });
});

const OOM: Resp = { t: 'error', v: "OOM command not allowed when used memory > 'maxmemory'." };
const OK: Resp = { t: 'simple', v: 'OK' };
const QUEUED: Resp = { t: 'simple', v: 'QUEUED' };

describe('over the memory limit (denyoom)', () => {
  let over = false;
  beforeAll(() => {
    sluice.server.memoryLimit = { overLimit: () => over };
  });
  afterAll(() => {
    sluice.server.memoryLimit = null;
  });
  afterEach(() => {
    over = false;
  });

  test('commands that may grow the dataset are refused with OOM, others run; nothing is refused once under the limit', async () => {
    const conn = await RespClient.connect(sluice.port);
    try {
      over = true;
      const rejectedBefore = sluice.server.commands.get('set')!.stats.rejectedCalls;
      expect(await conn.call('SET', 'k', 'v')).toEqual(OOM);
      expect(await conn.call('RPUSH', 'l', 'a')).toEqual(OOM);
      expect(await conn.call('GET', 'k')).toEqual({ t: 'bulk', v: null });
      expect(await conn.call('DEL', 'k')).toEqual({ t: 'int', v: '0' });
      expect(await conn.call('LPOP', 'l')).toEqual({ t: 'bulk', v: null });
      expect(sluice.server.commands.get('set')!.stats.rejectedCalls).toBe(rejectedBefore + 1);
      over = false;
      expect(await conn.call('SET', 'k', 'v')).toEqual(OK);
    } finally {
      conn.close();
    }
  });

  test('inside MULTI everything but EXEC, DISCARD, QUIT and RESET is refused, and EXEC then aborts', async () => {
    const conn = await RespClient.connect(sluice.port);
    try {
      expect(await conn.call('MULTI')).toEqual(OK);
      over = true;
      expect(await conn.call('GET', 'k')).toEqual(OOM);
      expect(await conn.call('MULTI')).toEqual(OOM);
      expect(await conn.call('WATCH', 'k')).toEqual(OOM);
      expect(await conn.call('EXEC')).toEqual({ t: 'error', v: 'EXECABORT Transaction discarded because of previous errors.' });
      expect(await conn.call('MULTI')).toEqual(OK);
      expect(await conn.call('DISCARD')).toEqual(OK);
      expect(await conn.call('MULTI')).toEqual(OK);
      expect(await conn.call('RESET')).toEqual({ t: 'simple', v: 'RESET' });
      expect(await conn.call('MULTI')).toEqual(OK);
      expect(await conn.call('QUIT')).toEqual(OK);
      await conn.closed;
    } finally {
      conn.close();
    }
  });

  test('an EXEC with a denyoom command queued is refused: the transaction is discarded and its keys unwatched', async () => {
    const conn = await RespClient.connect(sluice.port);
    const other = await RespClient.connect(sluice.port);
    try {
      await conn.call('WATCH', 'w3');
      await conn.call('MULTI');
      expect(await conn.call('SET', 'k3', 'v')).toEqual(QUEUED);
      over = true;
      expect(await conn.call('EXEC')).toEqual({
        t: 'error', v: "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
      });
      over = false;
      // No longer in MULTI, and w3 is no longer watched: a later transaction is not broken by its change.
      expect(await conn.call('GET', 'k3')).toEqual({ t: 'bulk', v: null });
      await other.call('SET', 'w3', '1');
      await conn.call('MULTI');
      await conn.call('SET', 'k3', 'v');
      expect(await conn.call('EXEC')).toEqual({ t: 'array', v: [OK] });
    } finally {
      conn.close();
      other.close();
    }
  });

  test('without a denyoom command queued, EXEC runs over the limit', async () => {
    const conn = await RespClient.connect(sluice.port);
    try {
      await conn.call('MULTI');
      await conn.call('GET', 'k4');
      over = true;
      expect(await conn.call('EXEC')).toEqual({ t: 'array', v: [{ t: 'bulk', v: null }] });
    } finally {
      conn.close();
    }
  });
});

describe.skipIf(redisServerPath === null)('over the memory limit, against redis-server with maxmemory 1 (differential)', () => {
  let redis: RealRedis;
  let over = false;
  beforeAll(async () => {
    redis = await startRedis();
    sluice.server.memoryLimit = { overLimit: () => over };
  });
  afterAll(async () => {
    sluice.server.memoryLimit = null;
    await redis?.stop();
  });

  /** Puts both servers over their memory limit, or back under it: Redis by its maxmemory, Sluice by its hook. */
  async function setOver(value: boolean): Promise<void> {
    const control = await RespClient.connect(redis.port);
    await control.call('CONFIG', 'SET', 'maxmemory', value ? '1' : '0');
    control.close();
    over = value;
  }

  afterEach(() => setOver(false));

  test('the same commands are refused, at top level and inside MULTI', async () => {
    await setOver(true);
    const differ: string[] = [];
    for (const cmd of sluice.server.commands.all()) {
      // The oracle does not know the 7.4 commands; their denyoom flags are 7.4's (command.test.ts).
      if (cmd.handler === null || NEW_IN_7_2_OR_LATER.has(cmd.fullName) || NEW_IN_7_4.has(cmd.fullName)) continue;
      // Let through by both (no denyoom), and seconds long on each: its run would only time the test out.
      if (cmd.fullName === 'pfselftest') continue;
      // They make the connection a replica, whose stream never ends in a reply (neither has denyoom).
      if (cmd.fullName === 'sync' || cmd.fullName === 'psync') continue;
      const line = cmd.fullName.split('|');
      while (line.length < (cmd.arity > 0 ? cmd.arity : 1 - cmd.arity)) line.push('x');
      // A line the oracle's arity takes too, when that is 7.0's (ZRANK's went from 3 to -3).
      if (!arityAccepts(ARITY_IN_7_0[cmd.fullName] ?? cmd.arity, line.length)) line.pop();
      for (const inMulti of [false, true]) {
        const outcome: string[] = [];
        for (const port of [sluice.port, redis.port]) {
          const conn = await RespClient.connect(port);
          try {
            if (inMulti) await conn.call('MULTI');
            const r = await conn.call(...line);
            outcome.push(JSON.stringify(r) === JSON.stringify(OOM) ? 'refused' : 'let through');
          } finally {
            conn.close();
          }
        }
        if (outcome[0] !== outcome[1]) differ.push(`${line.join(' ')}${inMulti ? ' in MULTI' : ''}: sluice ${outcome[0]}, redis ${outcome[1]}`);
      }
    }
    expect(differ).toEqual([]);
  });

  test('a transaction that goes over the limit while queued ends as in Redis', async () => {
    const conns = await Promise.all([RespClient.connect(sluice.port), RespClient.connect(redis.port)]);
    try {
      const both = async (...args: string[]) => {
        const [a, b] = await Promise.all(conns.map((conn) => conn.call(...args)));
        expect(a, args.join(' ')).toEqual(b);
        return a;
      };
      await both('FLUSHALL');
      await both('WATCH', 'w');
      await both('MULTI');
      await both('SET', 'k', 'v');
      await both('GET', 'k');
      await setOver(true);
      expect(await both('EXEC')).toEqual({
        t: 'error', v: "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
      });
      await both('EXEC');
      await both('MULTI');
      await both('LPUSH', 'l', 'a');
      await both('EXEC');
      await setOver(false);
      await both('INFO', 'errorstats');
    } finally {
      for (const conn of conns) conn.close();
    }
  });
});

describe.skipIf(redisServerPath === null)('a refused EXEC aborts the transaction, as Redis words it (differential)', () => {
  const servers = useSluiceAndRedis();
  test('wrong arity, and RESP2 subscribed mode', async () => {
    const conns = await Promise.all([RespClient.connect(servers.sluice.port), RespClient.connect(servers.redis.port)]);
    try {
      const both = async (...args: string[]) => {
        const [a, b] = await Promise.all(conns.map((conn) => conn.call(...args)));
        expect(a, args.join(' ')).toEqual(b);
        return a;
      };
      expect(await both('EXEC', 'x')).toEqual({
        t: 'error', v: "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command",
      });
      await both('MULTI');
      await both('EXEC', 'x');
      await both('PING');
      await both('DISCARD');
      await both('SUBSCRIBE', 'ch');
      await both('EXEC');
    } finally {
      for (const conn of conns) conn.close();
    }
  });
});
