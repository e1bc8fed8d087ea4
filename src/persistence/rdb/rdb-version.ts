/**
 * The RDB version a snapshot is written for when its reader is another
 * server (a replica): 10 is Redis 7.0's, 11 Redis 7.2's. Redis 7.0 refuses
 * any file above 10, and reads no type 7.2 added (RDB_TYPE_SET_LISTPACK,
 * RDB_TYPE_STREAM_LISTPACKS_3); neither reads Redis 7.4's hashes with
 * field TTLs (RDB_TYPE_HASH_METADATA, RDB_TYPE_HASH_LISTPACK_EX, RDB 12's).
 */
export type RdbTarget = 10 | 11;

/**
 * A key the target version cannot hold, met while writing a snapshot for
 * it: the snapshot is abandoned rather than the key dropped or changed, and
 * whoever asked for it (a replica's sync) is told which key and why.
 */
export class RdbVersionError extends Error {
  constructor(
    readonly key: string,
    readonly version: RdbTarget,
    /** What the key has that the version lacks ("hash fields with a TTL"). */
    readonly reason: string,
  ) {
    super(`key '${key}' has ${reason}, which RDB version ${version} cannot hold`);
    this.name = 'RdbVersionError';
  }
}

/** repl-rdb-version's value as a target (the parameter takes 10 or 11 only). */
export function rdbTarget(version: number): RdbTarget {
  return version === 10 ? 10 : 11;
}
