import { describe, expect, test } from 'vitest';
import type { Client } from '../../src/server/client.js';
import { allowsProtectedAction } from '../../src/server/protected-actions.js';
import { c, differential, fails } from '../helpers/differential.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';

const OK: Resp = { t: 'simple', v: 'OK' };
const DEBUG_REFUSED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, ' +
  'otherwise you need to set this option in the configuration file, and then restart the server.';

differential('protected actions with the default configuration', {
  'DEBUG is refused, after the arity check': [fails('DEBUG'), fails('DEBUG', 'SLEEP', '0'), fails('debug', 'help')],
  'a refused DEBUG dooms the transaction': [c('MULTI'), fails('DEBUG', 'SLEEP', '0'), c('SET', 'k', 'v'), fails('EXEC'), c('EXISTS', 'k')],
  'the switches are reported and fixed at start': [
    c('CONFIG', 'GET', 'enable-debug-command'),
    c('CONFIG', 'GET', 'enable-protected-configs'),
    c('CONFIG', 'GET', 'enable-module-command'),
    fails('CONFIG', 'SET', 'enable-debug-command', 'yes'),
    fails('CONFIG', 'SET', 'enable-protected-configs', 'local'),
  ],
  'protected parameters are refused at run time': [fails('CONFIG', 'SET', 'dir', '/tmp'), fails('CONFIG', 'SET', 'timeout', '5', 'dir', '/tmp')],
});

/** Runs `body` against a fresh Sluice with `config`, on one connection. */
async function withServer(config: Record<string, string>, body: (conn: RespClient) => Promise<void>): Promise<void> {
  const server = await startSluice({ config });
  const conn = await RespClient.connect(server.port);
  try {
    await body(conn);
  } finally {
    conn.close();
    await server.close();
  }
}

describe('enable-debug-command', () => {
  test('refuses DEBUG before authentication is checked, as Redis does', async () => {
    await withServer({ requirepass: 'secret' }, async (conn) => {
      expect(await conn.call('DEBUG', 'SLEEP', '0')).toEqual({ t: 'error', v: DEBUG_REFUSED });
      expect(await conn.call('GET', 'k')).toEqual({ t: 'error', v: 'NOAUTH Authentication required.' });
    });
  });

  test('yes and local (for a loopback client) allow DEBUG; the value must be one of no, yes, local', async () => {
    for (const setting of ['yes', 'local', 'LOCAL']) {
      await withServer({ 'enable-debug-command': setting }, async (conn) => {
        expect(await conn.call('DEBUG', 'SLEEP', '0'), setting).toEqual(OK);
      });
    }
    await expect(startSluice({ config: { 'enable-debug-command': 'sometimes' } })).rejects.toThrow(/enable-debug-command/);
  });

  test("'local' admits only clients connected over loopback", () => {
    const client = (isLocal: boolean) => ({ isLocal }) as Client;
    expect(allowsProtectedAction('local', client(true))).toBe(true);
    expect(allowsProtectedAction('local', client(false))).toBe(false);
    expect(allowsProtectedAction('yes', client(false))).toBe(true);
    expect(allowsProtectedAction('no', client(true))).toBe(false);
  });
});

describe('enable-protected-configs', () => {
  test('yes or local lets CONFIG SET change a protected parameter', async () => {
    for (const setting of ['yes', 'local']) {
      await withServer({ 'enable-protected-configs': setting }, async (conn) => {
        expect(await conn.call('CONFIG', 'SET', 'dir', '/tmp'), setting).toEqual(OK);
        expect(await conn.call('CONFIG', 'GET', 'dir')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'dir' }, { t: 'bulk', v: '/tmp' }] });
      });
    }
  });
});
