import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parseConfigText, resolveConfig } from '../../src/server/config-file.js';
import type { ParamDef } from '../../src/server/config-params.js';
import { rewriteConfig, rewrittenConfig } from '../../src/server/config-rewrite.js';
import { memtoull, parseValue } from '../../src/server/config-values.js';
import { Config } from '../../src/server/config.js';
import { Server } from '../../src/server/server.js';
import { infoField } from '../helpers/aof.js';
import { LogCapture } from '../helpers/log-capture.js';
import { CLI, ensureBuild, startChild } from '../helpers/child-sluice.js';
import { useSluice } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { freePort } from '../helpers/servers.js';

const ok: Resp = { t: 'simple', v: 'OK' };
const err = (v: string): Resp => ({ t: 'error', v });
const bulks = (...v: string[]): Resp => ({ t: 'array', v: v.map((s) => ({ t: 'bulk', v: s }) as Resp) });

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-config-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CONFIG GET and SET', () => {
  const sluice = useSluice({ per: 'test', conn: 'shared' });

  test('Redis 7.2 parameters and values are known: set-max-listpack-*, loglevel nothing', async () => {
    expect(await sluice.conn.call('CONFIG', 'GET', 'set-max-listpack-entries')).toEqual(bulks('set-max-listpack-entries', '128'));
    expect(await sluice.conn.call('CONFIG', 'GET', 'set-max-listpack-value')).toEqual(bulks('set-max-listpack-value', '64'));
    expect(await sluice.conn.call('CONFIG', 'SET', 'loglevel', 'nothing')).toEqual(ok);
    expect(await sluice.conn.call('CONFIG', 'SET', 'loglevel', 'loud')).toEqual(err(
      "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing",
    ));
  });

  test("7.2's parameters answer with 7.2.6's defaults and validation", async () => {
    const call = (...a: string[]) => sluice.conn.call(...a);
    for (const [name, value] of [['locale-collate', ''], ['cluster-announce-human-nodename', ''], ['cluster-ping-interval', '0']]) {
      expect(await call('CONFIG', 'GET', name)).toEqual(bulks(name, value));
    }
    expect(await call('CONFIG', 'SET', 'cluster-announce-human-nodename', 'a$b')).toEqual(err(
      "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-human-nodename') - Announced human node name contained invalid character",
    ));
    expect(await call('CONFIG', 'SET', 'cluster-announce-human-nodename', 'node 1')).toEqual(ok);
    expect(await call('CONFIG', 'GET', 'cluster-announce-human-nodename')).toEqual(bulks('cluster-announce-human-nodename', 'node 1'));
    expect(await call('CONFIG', 'SET', 'locale-collate', 'C')).toEqual(ok);
  });

  test('hidden parameters answer their exact name only, as in 7.2 (aof-disable-auto-gc, cluster-ping-interval)', async () => {
    const names = async (pattern: string) => {
      const r = await sluice.conn.call('CONFIG', 'GET', pattern);
      return r.t === 'array' && r.v !== null ? r.v.filter((_, i) => i % 2 === 0).map((x) => (x as { v: string }).v).sort() : [];
    };
    expect(await names('aof-*')).toEqual(['aof-load-truncated', 'aof-rewrite-incremental-fsync', 'aof-timestamp-enabled', 'aof-use-rdb-preamble']);
    expect(await names('cluster-p*')).toEqual(['cluster-port', 'cluster-preferred-endpoint-type']);
    expect(await sluice.conn.call('CONFIG', 'GET', 'aof-disable-auto-gc')).toEqual(bulks('aof-disable-auto-gc', 'no'));
    expect(await sluice.conn.call('CONFIG', 'SET', 'aof-disable-auto-gc', 'yes')).toEqual(ok);
  });

  test('a sensitive parameter is redacted in MONITOR and the slow log, by name or alias', async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toEqual(ok);
    expect(await sluice.conn.call('CONFIG', 'SET', 'masteruser', 'alice', 'masterauth', 'secret', 'hz', '10')).toEqual(ok);
    const log = await sluice.conn.call('SLOWLOG', 'GET', '1');
    expect(JSON.stringify(log)).toContain('"(redacted)"');
    expect(JSON.stringify(log)).not.toContain('alice');
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(await sluice.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')).toEqual(ok);
  });

  test('parameters that may not change while the dataset loads are refused with -LOADING then', async () => {
    sluice.server.loading = true;
    try {
      expect(await sluice.conn.call('CONFIG', 'SET', 'hz', '20', 'appendonly', 'yes')).toEqual(err('LOADING Redis is loading the dataset in memory'));
      expect(await sluice.conn.call('CONFIG', 'GET', 'hz')).toEqual(bulks('hz', '10'));
    } finally {
      sluice.server.loading = false;
    }
  });

  test("maxmemory and maxmemory-policy take Redis's values, which INFO reports (Sluice does not evict yet)", async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')).toEqual(ok);
    expect(await sluice.conn.call('CONFIG', 'GET', 'maxmemory-policy')).toEqual(bulks('maxmemory-policy', 'allkeys-lru'));
    expect(await sluice.conn.call('CONFIG', 'SET', 'maxmemory', '100mb')).toEqual(ok);
    const info = await sluice.conn.call('INFO', 'memory');
    const text = info.t === 'bulk' ? String(info.v) : '';
    expect(text).toContain('\r\nmaxmemory:104857600\r\nmaxmemory_human:100.00M\r\nmaxmemory_policy:allkeys-lru\r\n');
    expect(await sluice.conn.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction', 'maxmemory', '0')).toEqual(ok);
  });

  test('what Redis sets only at start is immutable, and dir is protected as in Redis', async () => {
    for (const name of ['databases', 'logfile', 'unixsocket', 'daemonize']) {
      expect(await sluice.conn.call('CONFIG', 'SET', name, '1')).toEqual(
        err(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`),
      );
    }
    expect(await sluice.conn.call('CONFIG', 'SET', 'dir', tmp)).toEqual(
      err("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
    );
    const { v: [, dir] } = (await sluice.conn.call('CONFIG', 'GET', 'dir')) as { v: { v: string }[] };
    expect(path.isAbsolute(dir.v)).toBe(true);
  });

  test("CONFIG SET dir refuses a directory it could not enter with the system's reason, as Redis's chdir does", async () => {
    const server = new Server([['port', '0'], ['bind', '127.0.0.1'], ['dir', tmp], ['enable-protected-configs', 'yes']], { destination: new LogCapture() });
    const conn = await RespClient.connect(await server.listen());
    try {
      const file = path.join(tmp, 'a-file');
      writeFileSync(file, '');
      expect(await conn.call('CONFIG', 'SET', 'dir', path.join(tmp, 'missing'))).toEqual(
        err("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"),
      );
      expect(await conn.call('CONFIG', 'SET', 'dir', file)).toEqual(err("ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory"));
      mkdirSync(path.join(tmp, 'other'), { recursive: true });
      expect(await conn.call('CONFIG', 'SET', 'dir', path.join(tmp, 'other'))).toEqual(ok);
      expect(await conn.call('CONFIG', 'GET', 'dir')).toEqual(bulks('dir', path.join(tmp, 'other')));
    } finally {
      conn.close();
      await server.close();
    }
  });

  test('a change takes effect at once: slow log length, bulk limit, hz', async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'slowlog-max-len', '3', 'proto-max-bulk-len', '2mb', 'hz', '900')).toEqual(ok);
    expect(sluice.server.slowlog.maxLen).toBe(3);
    expect(sluice.server.parserLimits.maxBulkLen).toBe(2 * 1024 * 1024);
    expect(sluice.server.config.num('hz')).toBe(500);
  });

  test('maxclients applies to the next connection', async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'maxclients', '1')).toEqual(ok);
    const extra = await RespClient.connect(sluice.port);
    expect(await extra.read()).toEqual(err('ERR max number of clients reached'));
    extra.close();
  });

  test('connections refused at maxclients that reset at once leave the server serving', async () => {
    ensureBuild();
    const child = await startChild(['--maxclients', '1', '--save', '', '--appendonly', 'no']);
    try {
      // startChild's probe may still hold the one slot for a moment after it closed: retry until one is ours.
      let kept: RespClient | null = null;
      for (let attempt = 0; kept === null; attempt++) {
        if (attempt === 100) throw new Error('no connection was let in at maxclients 1');
        const c = await RespClient.connect(child.port);
        const r = await c.call('PING').catch(() => null);
        if (r !== null && r.t === 'simple' && r.v === 'PONG') kept = c;
        else {
          c.close();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const rejectedBefore = Number(await infoField(kept, 'rejected_connections', 'stats'));
      for (let i = 0; i < 200; i++) {
        await new Promise<void>((resolve) => {
          const s = net.connect(child.port, '127.0.0.1', () => {
            s.write('PING\r\n'.repeat(1000));
            s.resetAndDestroy();
            resolve();
          });
          s.on('error', () => resolve());
        });
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(await kept.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(Number(await infoField(kept, 'rejected_connections', 'stats'))).toBe(rejectedBefore + 200);
      kept.close();
    } finally {
      await child.kill('SIGKILL');
    }
  });

  test('requirepass applies to new connections; the current one stays authenticated', async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'requirepass', 'pw')).toEqual(ok);
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    const other = await RespClient.connect(sluice.port);
    expect(await other.call('PING')).toEqual(err('NOAUTH Authentication required.'));
    expect(await other.call('AUTH', 'pw')).toEqual(ok);
    other.close();
  });

  test('CONFIG GET in RESP3 is a map; several patterns merge without repeats', async () => {
    await sluice.conn.call('HELLO', '3');
    const r = await sluice.conn.call('CONFIG', 'GET', 'zset-max-*', 'ZSET-MAX-LISTPACK-VALUE', 'timeout');
    expect(r.t).toBe('map');
    const names = (r as { v: [{ v: string }, Resp][] }).v.map(([k]) => k.v).sort();
    expect(names).toEqual([
      'timeout', 'zset-max-listpack-entries', 'zset-max-listpack-value', 'zset-max-ziplist-entries', 'zset-max-ziplist-value',
    ]);
  });
});

describe('CONFIG RESETSTAT', () => {
  const sluice = useSluice({ conn: 'shared' });

  test('zeroes the command, error, keyspace and connection statistics INFO reports', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('GET', 'k');
    await sluice.conn.call('GET', 'missing');
    await sluice.conn.call('NOSUCH');
    await sluice.conn.call('GET');
    const before = await info(sluice.conn, 'everything');
    expect(before.keyspace_hits).toBe('1');
    expect(before.cmdstat_get).toMatch(/^calls=2,/);
    expect(before.errorstat_ERR).toBe('count=2');

    expect(await sluice.conn.call('CONFIG', 'RESETSTAT')).toEqual(ok);
    const after = await info(sluice.conn, 'everything');
    for (const f of ['keyspace_hits', 'keyspace_misses', 'total_connections_received', 'total_error_replies', 'expired_keys']) {
      expect(`${f}:${after[f]}`).toBe(`${f}:0`);
    }
    // As in Redis, CONFIG RESETSTAT itself is counted once it has run; the INFO reading them is not yet.
    expect(after.total_commands_processed).toBe('1');
    expect(Object.keys(after).filter((k) => k.startsWith('cmdstat_'))).toEqual(['cmdstat_config|resetstat']);
    expect(Object.keys(after).filter((k) => k.startsWith('errorstat_'))).toEqual([]);
  });
});

/** INFO's fields as name → value. */
async function info(conn: RespClient, ...sections: string[]): Promise<Record<string, string>> {
  const r = await conn.call('INFO', ...sections);
  const out: Record<string, string> = {};
  for (const line of (r as { v: string }).v.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

describe('CONFIG REWRITE', () => {
  let n = 0;
  /** A server started as if from `file`, with the settings that file would give. */
  async function serverFor(file: string, settings: [string, string][], bind: string | null = '127.0.0.1'): Promise<{ server: Server; conn: RespClient }> {
    const listen: [string, string][] = bind === null ? [['port', '0']] : [['port', '0'], ['bind', bind]];
    const server = new Server([...listen, ...settings], { destination: new LogCapture() }, file);
    const port = await server.listen();
    return { server, conn: await RespClient.connect(port) };
  }
  function freshDir(): string {
    const d = path.join(tmp, `rw${n++}`);
    mkdirSync(d);
    return d;
  }

  test('keeps comments and order, rewrites lines in place, drops repeats, comments out unknown lines, appends the rest', async () => {
    const d = freshDir();
    const file = path.join(d, 'sluice.conf');
    const data = path.join(d, 'data');
    writeFileSync(file, [
      '# Sluice test config',
      '   # indented comment',
      'port 0',
      'bind 127.0.0.1',
      '',
      '',
      'hz 15',
      'hz 20',
      'HASH-MAX-ZIPLIST-ENTRIES 100',
      'include /nonexistent/other.conf',
      'save ""',
      'requirepass "old"',
      'weird "unbalanced',
      'loglevel verbose',
      '# trailing',
      '',
    ].join('\n'));
    const { server, conn } = await serverFor(file, [
      ['dir', data], ['hz', '20'], ['hash-max-listpack-entries', '100'], ['save', ''], ['requirepass', 'old'], ['loglevel', 'verbose'],
    ]);
    await conn.call('AUTH', 'old');
    expect(await conn.call('CONFIG', 'SET', 'hz', '30', 'requirepass', 'se"c ret', 'slowlog-max-len', '64')).toEqual(ok);
    expect(await conn.call('CONFIG', 'SET', 'proto-max-bulk-len', '2gb', 'client-query-buffer-limit', '1500000', 'loglevel', 'notice')).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    expect(readFileSync(file, 'latin1')).toBe([
      '# Sluice test config',
      '# indented comment',
      `port ${server.config.num('port')}`,
      'bind 127.0.0.1',
      '',
      'hz 30',
      '',
      'hash-max-listpack-entries 100',
      'include /nonexistent/other.conf',
      'save ""',
      'requirepass "se\\"c ret"',
      '# ??? weird "unbalanced',
      'loglevel notice',
      '# trailing',
      '',
      '# Generated by CONFIG REWRITE',
      `dir "${data}"`,
      'slowlog-max-len 64',
      'client-query-buffer-limit 1500000',
      'proto-max-bulk-len 2gb',
      // As Redis, the ACL users are written too (the default user with requirepass's password).
      'user default on sanitize-payload #196570a5bafc7adb96bb7e32ce0e9e7d7182721f666e33e5d7e3b478da09fd39 ~* &* +@all',
      '',
    ].join('\n'));
    expect(readdirSync(d)).toEqual(['sluice.conf']);
    conn.close();
    await server.close();
  });

  test('a rewritten file loads back into the same configuration, and rewriting it again changes nothing', async () => {
    const d = freshDir();
    const file = path.join(d, 'sluice.conf');
    const { server, conn } = await serverFor(file, [
      ['dir', path.join(d, 'data')], ['unixsocketperm', '750'], ['replicaof', 'primary.example 6380'], ['io-threads', '4'],
    ]);
    await conn.call('CONFIG', 'SET', 'timeout', '30', 'hash-max-ziplist-value', '1kb', 'requirepass', 'a b\n"c"', 'maxclients', '77');
    expect(await conn.call('CONFIG', 'SET', 'maxmemory-clients', '10%', 'oom-score-adj-values', '1 2 3', 'shutdown-on-sigint', 'now save',
      'latency-tracking-info-percentiles', '', 'maxmemory', '3mb', 'oom-score-adj', 'relative', 'proc-title-template', '{title} x')).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    const first = readFileSync(file, 'latin1');
    expect(first.startsWith('# Generated by CONFIG REWRITE\n')).toBe(true);
    for (const line of [
      'hash-max-listpack-value 1kb', 'unixsocketperm 750', 'replicaof primary.example 6380', 'maxmemory-clients 10%',
      'oom-score-adj-values 1 2 3', 'shutdown-on-sigint save now', 'latency-tracking-info-percentiles ""', 'maxmemory 3mb',
      'oom-score-adj yes', 'proc-title-template "{title} x"', 'io-threads 4',
    ]) {
      expect(first).toContain(`\n${line}\n`);
    }

    const reloaded = new Config();
    expect(reloaded.setMany(resolveConfig(parseConfigText(first, file)), { startup: true })).toBeNull();
    for (const def of server.config.all()) expect(reloaded.text(def), def.name).toBe(server.config.text(def));

    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    const settled = readFileSync(file, 'latin1');
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    expect(readFileSync(file, 'latin1')).toBe(settled);
    conn.close();
    await server.close();
  });

  test('values back at their defaults lose their lines; an empty requirepass is removed; bind at its default is removed', async () => {
    const d = freshDir();
    const file = path.join(d, 'sluice.conf');
    writeFileSync(file, 'timeout 30\nrequirepass x\nbind 127.0.0.1 -::1\nhz 10\n');
    const { server, conn } = await serverFor(file, [['dir', d], ['timeout', '30'], ['requirepass', 'x']], null);
    await conn.call('AUTH', 'x');
    expect(await conn.call('CONFIG', 'SET', 'timeout', '0', 'requirepass', '')).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    // port (0 asked for any, so the one picked) came from the test's own settings, not the file, so it is appended; dir and the save points always are.
    expect(readFileSync(file, 'latin1')).toBe(
      `timeout 0\n\nhz 10\n\n# Generated by CONFIG REWRITE\nport ${server.config.num('port')}\nsave 3600 1\nsave 300 100\nsave 60 10000\ndir "${d}"\nuser default on nopass sanitize-payload ~* &* +@all\n`,
    );
    conn.close();
    await server.close();
  });

  test('a file that cannot be written is reported with the system error and left as it was', async () => {
    const d = freshDir();
    const asDir = path.join(d, 'conf.d');
    mkdirSync(asDir);
    const { server, conn } = await serverFor(asDir, [['dir', d]]);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(err('ERR Rewriting config file: Is a directory'));
    expect(readdirSync(d)).toEqual(['conf.d']);
    conn.close();
    await server.close();
  });

  test('the rewrite of a missing file creates it', () => {
    const config = new Config();
    expect(config.setMany([['dir', '/srv/sluice'], ['timeout', '9'], ['save', '5 1 6 2']], { startup: true })).toBeNull();
    expect(rewrittenConfig('', config)).toBe('# Generated by CONFIG REWRITE\ntimeout 9\nsave 5 1\nsave 6 2\ndir "/srv/sluice"\n');
  });

  test("a parameter of Sluice's own is not added, so redis-server still reads the file; a line the file has is kept up to date", () => {
    const config = new Config();
    expect(config.setMany([['dir', '/srv/sluice'], ['save', ''], ['metrics-port', '9121']], { startup: true })).toBeNull();
    const appended = '# Generated by CONFIG REWRITE\nsave ""\ndir "/srv/sluice"\n';
    expect(rewriteConfig('hz 10\n', config)).toEqual({ text: `hz 10\n\n${appended}`, leftOut: ['metrics-port 9121'] });
    expect(rewriteConfig('hz 10\nmetrics-port 1\nmetrics-port 2\n', config)).toEqual({ text: `hz 10\nmetrics-port 9121\n\n${appended}`, leftOut: [] });
    // At its default the line goes: the default needs no line, and without it Redis can read the file again.
    expect(config.setMany([['metrics-port', '0']])).toBeNull();
    expect(rewriteConfig('metrics-port 9121\nhz 10\n', config)).toEqual({ text: `\nhz 10\n\n${appended}`, leftOut: [] });
  });

  test('CONFIG REWRITE logs the directive it left out and how to keep it', async () => {
    const d = freshDir();
    const file = path.join(d, 'redis.conf');
    writeFileSync(file, 'hz 10\n');
    const logs = new LogCapture();
    const server = new Server([['port', '0'], ['bind', '127.0.0.1'], ['dir', d]], { destination: logs }, file);
    const conn = await RespClient.connect(await server.listen());
    const metrics = await freePort();
    expect(await conn.call('CONFIG', 'SET', 'metrics-port', String(metrics))).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    expect(readFileSync(file, 'latin1')).not.toContain('metrics-port');
    expect(logs.messages('warning')).toContain(
      `CONFIG REWRITE left 'metrics-port ${metrics}' out of ${file}: metrics-port is Sluice's own, and redis-server refuses a file that sets it. ` +
        `Give it on the command line (--metrics-port ${metrics}), or add the line to the file: CONFIG REWRITE keeps a line that is there up to date.`,
    );
    conn.close();
    await server.close();
  });
});

describe('values as Redis parses them', () => {
  const boolDef: ParamDef = { name: 'probe', type: 'bool', default: 'no', support: 'honoured', note: '', section: 'test' };

  test('booleans are yes or no in any case', () => {
    expect(parseValue(boolDef, 'YES')).toBe(true);
    expect(parseValue(boolDef, 'no')).toBe(false);
    expect(() => parseValue(boolDef, '1')).toThrow("argument must be 'yes' or 'no'");
  });

  test('memory values: digits with an optional unit, none meaning 0, wrapping past 2^64', () => {
    expect(memtoull('')).toBe(0n);
    expect(memtoull('kb')).toBe(0n);
    expect(memtoull('3GB')).toBe(3n * 1024n ** 3n);
    expect(memtoull('5k')).toBe(5000n);
    expect(memtoull('2b')).toBe(2n);
    expect(memtoull('99999999999999999999')).toBe(2n ** 64n - 1n);
    expect(memtoull('9999999999999gb')).toBe((9999999999999n * 1024n ** 3n) % 2n ** 64n);
    expect(memtoull('-1')).toBeNull();
    expect(memtoull('1 kb')).toBeNull();
    expect(memtoull('1'.repeat(128))).toBeNull();
  });
});

describe('the CLI tells the server which file it loaded', () => {
  let child: ChildProcess | null = null;

  beforeAll(ensureBuild, 120_000);
  afterEach(() => {
    if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  });

  async function connectWhenUp(port: number): Promise<RespClient> {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        return await RespClient.connect(port);
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error('sluice-server did not start');
  }

  test('INFO shows the config file by its absolute path and CONFIG REWRITE updates it', async () => {
    const d = mkdtempSync(path.join(tmp, 'cli-'));
    const port = await freePort();
    writeFileSync(path.join(d, 'sluice.conf'), `# mine\nport ${port}\nbind 127.0.0.1\ndir ${path.join(d, 'data')}\n`);
    child = spawn(process.execPath, [CLI, 'sluice.conf', '--loglevel', 'warning'], { cwd: d, stdio: 'ignore' });
    const conn = await connectWhenUp(port);
    const fields = await info(conn, 'server');
    expect(fields.config_file).toBe(path.join(d, 'sluice.conf'));
    expect(await conn.call('CONFIG', 'SET', 'timeout', '12')).toEqual(ok);
    expect(await conn.call('CONFIG', 'REWRITE')).toEqual(ok);
    const text = readFileSync(path.join(d, 'sluice.conf'), 'latin1');
    expect(text.startsWith(`# mine\nport ${port}\nbind 127.0.0.1\ndir "${path.join(d, 'data')}"\n`)).toBe(true);
    // The command-line option is part of the running configuration, so it is written too.
    expect(text).toContain('\nloglevel warning\n');
    expect(text).toContain('\ntimeout 12\n');
    conn.close();
  });
});

describe('reading numbers', () => {
  test('num() answers the value in force: a change shows at once, and a rolled-back SET leaves the old value', () => {
    const config = new Config();
    expect(config.num('hash-max-listpack-entries')).toBe(512);
    expect(config.setMany([['hash-max-listpack-entries', '7']])).toBeNull();
    expect(config.num('hash-max-listpack-entries')).toBe(7);
    let refused = false;
    config.onChange = (name) => {
      // An owner reading the new value while the SET is under way, before a later parameter refuses it.
      if (name === 'hash-max-listpack-entries') expect(config.num(name)).toBe(refused ? 7 : 9);
      if (name === 'hz' && !refused) {
        refused = true;
        throw new Error('refused');
      }
    };
    expect(config.setMany([['hash-max-listpack-entries', '9'], ['hz', '20']])).toMatch(/refused/);
    expect(config.num('hash-max-listpack-entries')).toBe(7);
  });

  test('derived() is computed once and again after any change, a rolled-back one too', () => {
    const config = new Config();
    let made = 0;
    const limits = (c: Config) => {
      made++;
      return { entries: c.num('zset-max-listpack-entries') };
    };
    const read = () => config.derived(limits, (c) => limits(c as Config));
    expect(read()).toEqual({ entries: 128 });
    expect(read()).toBe(read());
    expect(made).toBe(1);
    expect(config.setMany([['zset-max-listpack-entries', '3']])).toBeNull();
    expect(read()).toEqual({ entries: 3 });
    expect(made).toBe(2);
    let refused = false;
    config.onChange = (name) => {
      // Called with the new values, then again with the old ones once 'hz' refuses.
      if (name === 'zset-max-listpack-entries') expect(read()).toEqual({ entries: refused ? 3 : 5 });
      if (name === 'hz' && !refused) {
        refused = true;
        throw new Error('refused');
      }
    };
    expect(config.setMany([['zset-max-listpack-entries', '5'], ['hz', '20']])).toMatch(/refused/);
    config.onChange = () => {};
    expect(read()).toEqual({ entries: 3 });
  });
});
