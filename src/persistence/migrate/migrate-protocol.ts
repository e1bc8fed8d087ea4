/** What the server's thread asks the MIGRATE worker (migrate-worker.ts) to do. */
export interface MigrateRequest {
  host: string;
  port: number;
  /** Redis's timeout: for connecting, and for each reply. */
  timeoutMs: number;
  db: number;
  /** The AUTH command, when one is given. */
  auth: Uint8Array | null;
  /** One RESTORE command per key, one after another (commandsBytes). */
  restores: Uint8Array;
  /** How many RESTORE commands `restores` holds. */
  count: number;
  /** tls-cluster: connect with TLS, with these options (Redis's MIGRATE speaks the cluster's connection type). */
  tls: MigrateTls | null;
}

/**
 * The options of a TLS connection to a target, as data a message can carry
 * to the worker: the CA certificates to check the target's chain with, the
 * client certificate and key, the protocol range and ciphers. As Redis's
 * OpenSSL client, the chain is verified but not the host name.
 */
export interface MigrateTls {
  ca: Uint8Array[];
  cert: Uint8Array | null;
  key: Uint8Array | null;
  passphrase: string | null;
  minVersion: string | null;
  maxVersion: string | null;
  ciphers: string | null;
}

/**
 * How it went: no connection; a write that failed; every reply read (the
 * AUTH/SELECT error if one failed, and each RESTORE's reply as `+…`/`-…`);
 * or the link lost (`timedOut` false: Redis retries once) or timed out
 * after `read` RESTORE replies.
 */
export type MigrateResult =
  | { kind: 'connect-error' }
  | { kind: 'write-error' }
  | { kind: 'replied'; headerError: string | null; replies: string[] }
  | { kind: 'read-error'; read: number; timedOut: boolean; headerError: string | null; replies: string[] };
