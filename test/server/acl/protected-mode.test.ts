import net from 'node:net';
import os from 'node:os';
import { describe, expect, test } from 'vitest';
import { isLoopbackPeer, PROTECTED_MODE_DENIED, protectedModeRefuses } from '../../../src/server/acl/protected-mode.js';
import { RespClient } from '../../helpers/resp-client.js';
import { startSluice } from '../../helpers/servers.js';

/** An IPv4 address of this machine other than loopback, if it has one: connecting to it makes a non-loopback peer. */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

/** Connects to host:port and reads until the server closes the connection. */
function readUntilClosed(host: string, port: number, send = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect({ host, port }, () => {
      if (send !== '') s.write(send);
    });
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

describe('protected mode decision (Redis: protected-mode yes, default user nopass, peer not loopback)', () => {
  test('loopback peers are 127.0.0.0/8, ::1 and IPv4-mapped loopback; a Unix socket has no address', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', undefined]) expect(isLoopbackPeer(a), String(a)).toBe(true);
    for (const a of ['192.0.2.2', '10.0.0.1', '::ffff:192.0.2.2', 'fe80::1']) expect(isLoopbackPeer(a), a).toBe(false);
  });

  test('refuses only with protected mode on and no password on the default user', () => {
    expect(protectedModeRefuses(true, true, '192.0.2.2')).toBe(true);
    expect(protectedModeRefuses(false, true, '192.0.2.2')).toBe(false);
    expect(protectedModeRefuses(true, false, '192.0.2.2')).toBe(false);
    expect(protectedModeRefuses(true, true, '127.0.0.1')).toBe(false);
  });
});

describe.skipIf(external === undefined)(`protected mode over a non-loopback address (${external})`, () => {
  test('a client from a non-loopback address gets the DENIED explanation and is disconnected', async () => {
    const server = await startSluice({ bind: `127.0.0.1 ${external}` });
    try {
      expect(await readUntilClosed(external!, server.port, 'PING\r\n')).toBe(PROTECTED_MODE_DENIED);
      const local = await RespClient.connect(server.port);
      expect(await local.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(await local.call('INFO', 'stats').then((r) => /rejected_connections:1\r\n/.test((r as { v: string }).v))).toBe(true);
      // A password on the default user lets remote clients in (to authenticate).
      await local.call('CONFIG', 'SET', 'requirepass', 'secret');
      const remote = await RespClient.connect(server.port, external);
      expect(await remote.call('PING')).toEqual({ t: 'error', v: 'NOAUTH Authentication required.' });
      expect(await remote.call('AUTH', 'secret')).toEqual({ t: 'simple', v: 'OK' });
      remote.close();
      local.close();
    } finally {
      await server.close();
    }
  });

  test('protected-mode no lets remote clients in without a password', async () => {
    const server = await startSluice({ bind: `127.0.0.1 ${external}`, config: { 'protected-mode': 'no' } });
    try {
      const remote = await RespClient.connect(server.port, external);
      expect(await remote.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      remote.close();
    } finally {
      await server.close();
    }
  });
});
