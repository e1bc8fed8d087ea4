import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { freePort, startSluice } from '../../helpers/servers.js';
import { makeCerts, type TestCerts } from '../../helpers/tls-certs.js';

let certs: TestCerts;
beforeAll(() => {
  certs = makeCerts();
});
afterAll(() => certs.remove());

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A Sluice with a plain port and a TLS port (either may be 0: not served), given tls-* settings. */
async function start(config: Record<string, string>, plain = true): Promise<{ server: RunningServer; port: number; tlsPort: number }> {
  const [port, tlsPort] = [plain ? await freePort() : 0, await freePort()];
  const server = await startSluice({
    port,
    config: { 'tls-port': String(tlsPort), 'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey, ...config },
  });
  servers.push(server);
  return { server, port, tlsPort };
}

/** A TLS connection's outcome: the CN of the server's certificate, or the error that ended the handshake or the first command. */
function handshake(port: number, opts: tls.ConnectionOptions = {}): Promise<{ cn: string; pong: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(certs.caCert), ...opts }, () => {
      const cn = socket.getPeerCertificate().subject.CN as string;
      socket.write('PING\r\n');
      socket.once('data', (d) => {
        socket.destroy();
        resolve({ cn, pong: d.toString().trim() });
      });
    });
    socket.on('error', (e) => resolve({ error: e.message }));
    socket.on('close', () => resolve({ error: 'closed' }));
  });
}

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('redis-cli', args, (err, stdout, stderr) => resolve(`${stdout}${stderr}`.trim() || String(err)));
  });
}

describe('TLS beside the plain port', () => {
  let ports: { port: number; tlsPort: number; server: RunningServer };
  beforeAll(async () => {
    ports = await start({ 'tls-auth-clients': 'no' });
  });

  test('ioredis connects with tls: and plain, to the same data', async () => {
    const secure = new Redis({ host: '127.0.0.1', port: ports.tlsPort, tls: { ca: readFileSync(certs.caCert) }, retryStrategy: () => null });
    const plain = new Redis({ host: '127.0.0.1', port: ports.port, retryStrategy: () => null });
    try {
      expect(await secure.set('tls:k', 'secret')).toBe('OK');
      expect(await plain.get('tls:k')).toBe('secret');
      expect(await secure.mget('tls:k', 'none')).toEqual(['secret', null]);
      const big = 'x'.repeat(300_000);
      await plain.set('tls:big', big);
      expect(await secure.get('tls:big')).toBe(big);
    } finally {
      secure.disconnect();
      plain.disconnect();
    }
  });

  test('redis-cli --tls answers, and a plain client on the TLS port gets nothing', async () => {
    expect(await redisCli(['--tls', '--cacert', certs.caCert, '-h', '127.0.0.1', '-p', String(ports.tlsPort), 'PING'])).toBe('PONG');
    expect(await redisCli(['--tls', '--cacert', certs.caCert, '-h', '127.0.0.1', '-p', String(ports.tlsPort), 'ECHO', 'hello'])).toBe('hello');
    expect(await redisCli(['-h', '127.0.0.1', '-p', String(ports.tlsPort), 'PING'])).not.toBe('PONG');
  });

  test('a client that does not trust the server certificate fails the handshake', async () => {
    expect(await handshake(ports.tlsPort, { ca: readFileSync(certs.otherCaCert) })).toHaveProperty('error');
  });

  test('CONFIG SET of the certificate files reloads them for new connections; a file that cannot be loaded is refused and changes nothing', async () => {
    const admin = new Redis({ host: '127.0.0.1', port: ports.port, retryStrategy: () => null });
    try {
      expect(await handshake(ports.tlsPort)).toEqual({ cn: 'localhost', pong: '+PONG' });
      await expect(admin.config('SET', 'tls-cert-file', '/nonexistent/cert.pem')).rejects.toThrow(
        "CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
      );
      expect(await admin.config('GET', 'tls-cert-file')).toEqual(['tls-cert-file', certs.serverCert]);
      expect(await handshake(ports.tlsPort)).toEqual({ cn: 'localhost', pong: '+PONG' });
      expect(await admin.config('SET', 'tls-cert-file', certs.server2Cert, 'tls-key-file', certs.server2Key)).toBe('OK');
      expect(await handshake(ports.tlsPort)).toEqual({ cn: 'reloaded', pong: '+PONG' });
      // A key that does not match the certificate.
      await expect(admin.config('SET', 'tls-key-file', certs.serverKey)).rejects.toThrow('Unable to update TLS configuration');
      expect(await handshake(ports.tlsPort)).toEqual({ cn: 'reloaded', pong: '+PONG' });
    } finally {
      admin.disconnect();
    }
  });

  test('CONFIG SET tls-port listens on the new port', async () => {
    const admin = new Redis({ host: '127.0.0.1', port: ports.port, retryStrategy: () => null });
    try {
      const next = await freePort();
      expect(await admin.config('SET', 'tls-port', String(next))).toBe('OK');
      expect(await handshake(next)).toMatchObject({ pong: '+PONG' });
      expect(await handshake(ports.tlsPort)).toHaveProperty('error');
      ports.tlsPort = next;
    } finally {
      admin.disconnect();
    }
  });

  test('tls-protocols TLSv1.3 refuses a TLSv1.2 client', async () => {
    const admin = new Redis({ host: '127.0.0.1', port: ports.port, retryStrategy: () => null });
    try {
      expect(await handshake(ports.tlsPort, { maxVersion: 'TLSv1.2' })).toMatchObject({ pong: '+PONG' });
      expect(await admin.config('SET', 'tls-protocols', 'TLSv1.3')).toBe('OK');
      expect(await handshake(ports.tlsPort, { maxVersion: 'TLSv1.2' })).toHaveProperty('error');
      expect(await handshake(ports.tlsPort)).toMatchObject({ pong: '+PONG' });
      await expect(admin.config('SET', 'tls-protocols', 'SSLv3')).rejects.toThrow('Unable to update TLS configuration');
    } finally {
      admin.disconnect();
    }
  });
});

describe('mutual TLS', () => {
  const client = () => ({ cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });

  test('tls-auth-clients yes refuses a client without a certificate and serves one with a certificate the CA signed', async () => {
    const { tlsPort } = await start({ 'tls-ca-cert-file': certs.caCert }, false);
    expect(await handshake(tlsPort)).toHaveProperty('error');
    expect(await handshake(tlsPort, client())).toEqual({ cn: 'localhost', pong: '+PONG' });
    expect(await redisCli(['--tls', '--cacert', certs.caCert, '--cert', certs.clientCert, '--key', certs.clientKey,
      '-h', '127.0.0.1', '-p', String(tlsPort), 'PING'])).toBe('PONG');
    const redis = new Redis({ host: '127.0.0.1', port: tlsPort, tls: { ca: readFileSync(certs.caCert), ...client() }, retryStrategy: () => null });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  test('tls-auth-clients optional serves a client without a certificate', async () => {
    const { tlsPort } = await start({ 'tls-ca-cert-dir': certs.dir, 'tls-auth-clients': 'optional' }, false);
    expect(await handshake(tlsPort)).toEqual({ cn: 'localhost', pong: '+PONG' });
    expect(await handshake(tlsPort, client())).toEqual({ cn: 'localhost', pong: '+PONG' });
  });

  test('with port 0 only TLS is served', async () => {
    const { server, tlsPort } = await start({ 'tls-ca-cert-file': certs.caCert }, false);
    expect(server.port).toBe(tlsPort);
    expect(server.server.config.num('port')).toBe(0);
  });

  test('an encrypted key is read with tls-key-file-pass, and refused without it', async () => {
    const { tlsPort } = await start({ 'tls-auth-clients': 'no', 'tls-key-file': certs.serverKeyEncrypted, 'tls-key-file-pass': 's3cret' }, false);
    expect(await handshake(tlsPort)).toEqual({ cn: 'localhost', pong: '+PONG' });
    await expect(start({ 'tls-auth-clients': 'no', 'tls-key-file': certs.serverKeyEncrypted, 'tls-key-file-pass': 'wrong' })).rejects.toThrow(
      'Unable to update TLS configuration',
    );
  });

  test('tls-ciphers limits the TLSv1.2 ciphers offered', async () => {
    const { tlsPort } = await start({ 'tls-auth-clients': 'no', 'tls-protocols': 'TLSv1.2', 'tls-ciphers': 'ECDHE-RSA-AES128-GCM-SHA256' }, false);
    expect(await handshake(tlsPort, { ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' })).toHaveProperty('error');
    expect(await handshake(tlsPort, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toEqual({ cn: 'localhost', pong: '+PONG' });
  });

  test("tls-prefer-server-ciphers yes picks the server's first cipher the client offers; no, the client's first", async () => {
    const negotiated = (port: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(certs.caCert), ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' }, () => {
          resolve(socket.getCipher().name);
          socket.destroy();
        });
        socket.on('error', reject);
      });
    const both = { 'tls-auth-clients': 'no', 'tls-protocols': 'TLSv1.2', 'tls-ciphers': 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' };
    const preferred = await start({ ...both, 'tls-prefer-server-ciphers': 'yes' }, false);
    expect(await negotiated(preferred.tlsPort)).toBe('ECDHE-RSA-AES256-GCM-SHA384');
    const clients = await start({ ...both, 'tls-prefer-server-ciphers': 'no' }, false);
    expect(await negotiated(clients.tlsPort)).toBe('ECDHE-RSA-AES128-GCM-SHA256');
  });

  test('tls-auth-clients yes without a CA is refused at start, as Redis refuses it', async () => {
    await expect(start({})).rejects.toThrow('Unable to update TLS configuration');
  });
});

test('INFO lists the TLS listener as Redis does (listener2) and keeps tcp_port the plain port', async () => {
  const { port, tlsPort } = await start({ 'tls-auth-clients': 'no' });
  const redis = new Redis({ host: '127.0.0.1', port: tlsPort, tls: { ca: readFileSync(certs.caCert) }, retryStrategy: () => null });
  try {
    const info = await redis.info('server');
    expect(info).toContain(`tcp_port:${port}\r\n`);
    expect(info).toContain(`listener0:name=tcp,bind=127.0.0.1,port=${port}\r\n`);
    expect(info).toContain(`listener2:name=tls,bind=127.0.0.1,port=${tlsPort}\r\n`);
  } finally {
    redis.disconnect();
  }
});
