import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { spawnRedis, type Redis } from '../../helpers/redis-on-dir.js';
import { redisServerPath } from '../../helpers/servers.js';

/** The redis-server on the PATH's version, as [major, minor]. */
export function redisVersion(): [number, number] {
  const out = spawnSync(redisServerPath!, ['--version'], { encoding: 'utf8' }).stdout;
  const m = /v=(\d+)\.(\d+)/.exec(out);
  return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
}

/** Whether that redis-server reads RDB 11 (Redis 7.2 and later): 7.0 refuses Redis 7.2's files, and so Sluice's. */
export function redisReadsRdb11(): boolean {
  const [major, minor] = redisVersion();
  return major > 7 || (major === 7 && minor >= 2);
}

/** redis-check-rdb beside that redis-server. */
export function checkRdb(file: string): { status: number | null; output: string } {
  const r = spawnSync(path.join(path.dirname(redisServerPath!), 'redis-check-rdb'), [file], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/**
 * redis-server started on `dir` with `dbfilename` and no AOF, so that it
 * loads that file; or what it logged when it exited instead.
 */
export function startRedisOnRdb(dir: string, dbfilename: string, defer: (f: () => Promise<void> | void) => void, extra: string[] = []): Promise<{ redis: Redis } | { exited: string }> {
  return spawnRedis(['--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', dbfilename, ...extra], defer, true);
}
