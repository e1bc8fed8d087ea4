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
    } finally {
      echo.handler = original;
      conn.close();
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
