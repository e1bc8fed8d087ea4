import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Certificates made for a test run with Debian's openssl: a CA, a server certificate for 127.0.0.1, a client certificate. */
export interface TestCerts {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Another server certificate (CN "reloaded"), for reloading. */
  server2Cert: string;
  server2Key: string;
  /** The server's key encrypted with the passphrase "s3cret". */
  serverKeyEncrypted: string;
  /** A second CA that signed neither certificate. */
  otherCaCert: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A key and a certificate signed by `ca` (its cert and key file names in `dir`). */
function signed(dir: string, name: string, cn: string, ca: string, ext: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`);
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-tls-'));
  for (const ca of ['ca', 'other-ca']) {
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-subj', `/CN=Sluice test ${ca}`,
      '-days', '2', '-out', `${ca}.crt`);
  }
  signed(dir, 'server', 'localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'server2', 'reloaded', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:s3cret', '-out', 'server-encrypted.key');
  signed(dir, 'client', 'test-client', 'ca', 'extendedKeyUsage=clientAuth\n');
  const file = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    serverKeyEncrypted: file('server-encrypted.key'),
    server2Cert: file('server2.crt'),
    server2Key: file('server2.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCaCert: file('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
