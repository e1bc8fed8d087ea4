import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { ConfigReader } from '../../core/context.js';
import type { MigrateTls } from '../../persistence/migrate/migrate-protocol.js';
import type { Config } from '../config.js';

/** tls-auth-clients: certificates required, not asked for, or checked when given. */
export type ClientAuth = 'yes' | 'no' | 'optional';

export interface TlsSettings {
  context: tls.SecureContextOptions;
  clientAuth: ClientAuth;
}

/** Why the TLS configuration cannot be used, in the words Redis logs. */
export class TlsConfigError extends Error {}

const VERSIONS: Record<string, tls.SecureVersion> = {
  tlsv1: 'TLSv1', 'tlsv1.1': 'TLSv1.1', 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3',
};
const ORDER: readonly tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * tls-protocols as a version range (Node takes a range, not a set: a gap
 * such as "TLSv1 TLSv1.3" allows the versions between too). Empty: TLSv1.2
 * and TLSv1.3, Redis's default.
 */
function versionRange(spec: string): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const words = spec.split(' ').filter(Boolean);
  if (words.length === 0) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };
  const picked = words.map((w) => {
    const v = VERSIONS[w.toLowerCase()];
    if (v === undefined) {
      throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
    }
    return ORDER.indexOf(v);
  });
  return { minVersion: ORDER[Math.min(...picked)], maxVersion: ORDER[Math.max(...picked)] };
}

/**
 * OpenSSL's one cipher string for Node, from Redis's two: tls-ciphersuites
 * (TLSv1.3) and tls-ciphers (up to TLSv1.2), each defaulting to Node's.
 */
function cipherString(ciphers: string, suites: string): string {
  const defaults = tls.DEFAULT_CIPHERS.split(':');
  const v13 = suites !== '' ? suites : defaults.filter((c) => c.startsWith('TLS_')).join(':');
  const v12 = ciphers !== '' ? ciphers : defaults.filter((c) => !c.startsWith('TLS_')).join(':');
  return [v13, v12].filter(Boolean).join(':');
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new TlsConfigError(`Failed to load ${what}: ${file}: ${(e as Error).message}`);
  }
}

/** Every regular file of tls-ca-cert-dir (OpenSSL looks them up by hashed names; Node takes them all). */
function certificatesIn(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TlsConfigError(`Failed to configure CA certificate(s) file/directory: ${(e as Error).message}`);
  }
  return names
    .map((n) => path.join(dir, n))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() === true)
    .map((f) => readFile(f, 'CA certificate'));
}

/** The TLS listener's settings from the tls-* parameters; throws TlsConfigError with Redis's reason. */
export function tlsSettings(config: Config): TlsSettings {
  const certFile = config.str('tls-cert-file');
  const keyFile = config.str('tls-key-file');
  const caFile = config.str('tls-ca-cert-file');
  const caDir = config.str('tls-ca-cert-dir');
  const clientAuth = config.str('tls-auth-clients') as ClientAuth;
  if (certFile === '') throw new TlsConfigError('No tls-cert-file configured!');
  if (keyFile === '') throw new TlsConfigError('No tls-key-file configured!');
  if (clientAuth !== 'no' && caFile === '' && caDir === '') {
    throw new TlsConfigError(
      'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!',
    );
  }
  const ca: Buffer[] = [];
  if (caFile !== '') ca.push(readFile(caFile, 'CA certificate'));
  if (caDir !== '') ca.push(...certificatesIn(caDir));
  const context: tls.SecureContextOptions = {
    cert: readFile(certFile, 'certificate'),
    key: readFile(keyFile, 'private key'),
    ...versionRange(config.str('tls-protocols')),
    ciphers: cipherString(config.str('tls-ciphers'), config.str('tls-ciphersuites')),
    honorCipherOrder: config.bool('tls-prefer-server-ciphers'),
  };
  const pass = config.str('tls-key-file-pass');
  if (pass !== '') context.passphrase = pass;
  if (ca.length !== 0) context.ca = ca;
  const dh = config.str('tls-dh-params-file');
  if (dh !== '') context.dhparam = readFile(dh, 'DH params file');
  // Building the context now is what finds a key that does not match, a bad passphrase or cipher list.
  try {
    tls.createSecureContext(context);
  } catch (e) {
    throw new TlsConfigError(`Failed to configure TLS: ${(e as Error).message}`);
  }
  return { context, clientAuth };
}

/**
 * The TLS options of an outgoing connection (a replica's link to its
 * master under tls-replication): tls-client-cert-file and its key when set,
 * else the server's own, the CA to check the peer's chain with, the same
 * protocols and ciphers. As Redis's OpenSSL client, the chain is verified
 * but not the host name.
 */
export function tlsClientOptions(config: Pick<ConfigReader, 'str'>): tls.ConnectionOptions {
  const certFile = config.str('tls-client-cert-file') || config.str('tls-cert-file');
  const keyFile = config.str('tls-client-key-file') || config.str('tls-key-file');
  const caFile = config.str('tls-ca-cert-file');
  const caDir = config.str('tls-ca-cert-dir');
  if (caFile === '' && caDir === '') {
    throw new TlsConfigError('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const ca: Buffer[] = [];
  if (caFile !== '') ca.push(readFile(caFile, 'CA certificate'));
  if (caDir !== '') ca.push(...certificatesIn(caDir));
  const options: tls.ConnectionOptions = {
    ca,
    ...versionRange(config.str('tls-protocols')),
    ciphers: cipherString(config.str('tls-ciphers'), config.str('tls-ciphersuites')),
    checkServerIdentity: () => undefined,
  };
  if (certFile !== '') options.cert = readFile(certFile, 'certificate');
  if (keyFile !== '') options.key = readFile(keyFile, 'private key');
  const pass = config.str(config.str('tls-client-key-file') !== '' ? 'tls-client-key-file-pass' : 'tls-key-file-pass');
  if (pass !== '') options.passphrase = pass;
  return options;
}

const MIGRATE_TLS = {};

/**
 * MIGRATE's connections: with tls-cluster, Redis's MIGRATE connects with
 * TLS as the cluster bus does, with tlsClientOptions (as data its worker
 * thread can be sent; the files are read again only when a parameter
 * changes); else plain TCP (null).
 */
export function migrateTls(config: ConfigReader): MigrateTls | null {
  if (!config.bool('tls-cluster')) return null;
  return config.derived(MIGRATE_TLS, (c) => {
    const o = tlsClientOptions(c);
    const bytes = (v: unknown): Uint8Array | null => (Buffer.isBuffer(v) ? v : null);
    return {
      ca: o.ca as Buffer[],
      cert: bytes(o.cert),
      key: bytes(o.key),
      passphrase: o.passphrase ?? null,
      minVersion: o.minVersion ?? null,
      maxVersion: o.maxVersion ?? null,
      ciphers: o.ciphers ?? null,
    };
  });
}
