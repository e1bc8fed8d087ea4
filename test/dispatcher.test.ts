import { describe, expect, test } from 'vitest';
import { useSluice } from './helpers/fixture.js';
import { RespClient } from './helpers/resp-client.js';

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
      expect(sluice.logs.messages('warning')).toContain('Internal error while executing a command');
    } finally {
      echo.handler = original;
      conn.close();
    }
  });

  test('the part of a reply written before a handler failed is taken back: the client sees only the error', async () => {
    const echo = sluice.server.commands.get('echo')!;
    const original = echo.handler;
    echo.handler = (c) => {
      c.reply.array(3);
      c.reply.bulk('half');
      throw new TypeError('simulated bug');
    };
    const conn = await RespClient.connect(sluice.port);
    try {
      conn.writeRaw('*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n');
      expect(await conn.read()).toEqual({ t: 'error', v: "ERR internal error while executing 'echo'" });
      expect(await conn.read()).toEqual({ t: 'simple', v: 'PONG' });
    } finally {
      echo.handler = original;
      conn.close();
    }
  });

  test('a handler that fails after output left its buffer closes that connection only', async () => {
    const echo = sluice.server.commands.get('echo')!;
    const original = echo.handler;
    const shared = Buffer.from('*2\r\n$4\r\nhalf\r\n');
    echo.handler = (c) => {
      // Bytes queued by reference (as a published message is) cannot be taken back.
      c.out.shared(shared, 0, shared.length);
      throw new TypeError('simulated bug');
    };
    const other = await RespClient.connect(sluice.port);
    const conn = await RespClient.connect(sluice.port);
    try {
      conn.writeRaw('*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n');
      await conn.closed;
      echo.handler = original;
      expect(await other.call('ECHO', 'still here')).toEqual({ t: 'bulk', v: 'still here' });
      expect(sluice.logs.messages('warning')).toContain("Closing a client after an internal error while executing 'echo'");
    } finally {
      echo.handler = original;
      conn.close();
      other.close();
    }
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
      expect(sluice.logs.messages('warning')).toContain('Closing a client after an internal error while reading a request');
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
