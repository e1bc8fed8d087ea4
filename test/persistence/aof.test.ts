import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { nodeIo } from '../../src/persistence/io.js';
import { Server } from '../../src/server/server.js';
import { LogCapture } from '../helpers/log-capture.js';
import { BYTES_FROM } from '../../src/keyspace/mutable-string.js';
import { aofDir, dumpAll, infoField, readAof, resp, rewriteDone, waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { RespClient } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';

const { tmp, start, stop, defer, connect, sluice } = perTest();

const OK = { t: 'simple', v: 'OK' };
const bulk = (v: string | null) => ({ t: 'bulk', v });

describe('the AOF files', () => {
  test('a new AOF is Redis 7 layout: manifest, a base of no keys (an RDB file, the default form), incremental file of RESP commands with SELECT', async () => {
    const dir = tmp();
    const first = await start(dir);
    const c = first.c;
    await c.call('SET', 'a', '1');
    await c.call('SELECT', '2');
    await c.call('SET', 'b', 'x y');
    await c.call('MULTI');
    await c.call('INCR', 'n');
    await c.call('INCR', 'n');
    await c.call('EXEC');
    await c.call('SELECT', '3');
    await c.call('MULTI');
    await c.call('INCR', 'm');
    await c.call('INCR', 'm');
    await c.call('EXEC');
    expect(readdirSync(aofDir(dir)).sort()).toEqual([
      'appendonly.aof.1.base.rdb',
      'appendonly.aof.1.incr.aof',
      'appendonly.aof.manifest',
    ]);
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
    // An RDB file of no keys, as Redis 7.2 makes it: the AUX fields, then EOF and the checksum.
    const base = readAof(dir, 'appendonly.aof.1.base.rdb');
    expect(base).toMatch(/^REDIS0011\xfa\x09redis-ver[^]*\x08aof-base\xc0\x01\xff[^]{8}$/);
    const incr = resp(
      ['SELECT', '0'],
      ['SET', 'a', '1'],
      ['SELECT', '2'],
      ['SET', 'b', 'x y'],
      ['MULTI'],
      ['INCR', 'n'],
      ['INCR', 'n'],
      ['EXEC'],
      // As Redis 7.2.6 writes it: MULTI belongs to no database, the SELECT goes inside (7.0 put it first).
      ['MULTI'],
      ['SELECT', '3'],
      ['INCR', 'm'],
      ['INCR', 'm'],
      ['EXEC'],
    );
    // appendfsync everysec: the last transaction's bytes reach the file at the end of its turn, which may follow its reply.
    await waitFor(() => readAof(dir, 'appendonly.aof.1.incr.aof').length >= incr.length, 5000, 'the incremental file to be written');
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toBe(incr);
    await stop(first);
    const again = await start(dir);
    await again.c.call('SELECT', '3');
    expect(await again.c.call('GET', 'm')).toEqual(bulk('2'));
    await again.c.call('SELECT', '2');
    expect(await again.c.call('GET', 'n')).toEqual(bulk('2'));
  });

  test('effects are written in their deterministic form: relative expiries as PEXPIREAT', async () => {
    const dir = tmp();
    // Under everysec a write waits while a background fsync runs (as Redis's does), so only always has the file current by the reply.
    const { s, c } = await start(dir, { appendfsync: 'always' });
    await c.call('SET', 'k', 'v');
    await c.call('EXPIRE', 'k', '100');
    const when = Number((await c.call('PEXPIRETIME', 'k') as { v: string }).v);
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toContain(resp(['PEXPIREAT', 'k', String(when)]));
    expect(s.server.persistence.state).toBe('on');
  });

  test('appendfilename and appenddirname name the files', async () => {
    const dir = tmp();
    const { c } = await start(dir, { appendfilename: 'queue.aof', appenddirname: 'journal' });
    await c.call('SET', 'a', '1');
    expect(readdirSync(path.join(dir, 'journal')).sort()).toEqual(['queue.aof.1.base.rdb', 'queue.aof.1.incr.aof', 'queue.aof.manifest']);
  });

  test('aof-timestamp-enabled writes #TS annotations, which loading skips', async () => {
    const dir = tmp();
    // A base of commands, which carries the annotation (an RDB base has none, as in Redis).
    const first = await start(dir, { 'aof-timestamp-enabled': 'yes', 'aof-use-rdb-preamble': 'no' });
    await first.c.call('SET', 'a', '1');
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
    // A rewrite's base opens with the time it was made (Redis's suite, "Generate timestamp annotations in AOF").
    await first.c.call('BGREWRITEAOF');
    await rewriteDone(first.c);
    expect(readAof(dir, 'appendonly.aof.2.base.aof')).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
    await stop(first);
    const { c } = await start(dir);
    expect(await c.call('GET', 'a')).toEqual(bulk('1'));
  });

  test('an embedded server without a dir keeps no AOF; CONFIG GET shows the defaults', async () => {
    const s = await sluice();
    const c = await connect(s);
    expect(s.server.persistence.state).toBe('off');
    const r = await c.call('CONFIG', 'GET', 'append*');
    expect(r).toEqual({
      t: 'array',
      v: ['appendonly', 'no', 'appendfilename', 'appendonly.aof', 'appenddirname', 'appendonlydir', 'appendfsync', 'everysec'].map(bulk),
    });
    expect(await infoField(c, 'aof_enabled')).toBe('0');
    expect(await infoField(c, 'aof_current_size')).toBeUndefined();
  });
});

describe('restart', () => {
  test('the data comes back: strings, TTLs, databases, lists, transactions', async () => {
    const dir = tmp();
    const first = await start(dir);
    const a = first.c;
    await a.call('SET', 's', 'hello');
    await a.call('SET', 'bin', '\x00\xff\r\n');
    await a.call('SET', 't', 'v', 'EX', '1000');
    await a.call('INCRBYFLOAT', 'f', '1.5');
    await a.call('SELECT', '5');
    await a.call('RPUSH', 'l', 'a', 'b', 'c');
    await a.call('LPOP', 'l');
    await a.call('MULTI');
    await a.call('SET', 'x', '1');
    await a.call('DEL', 's');
    await a.call('EXEC');
    const before = await dumpAll(a);
    await stop(first);
    const { c } = await start(dir);
    expect(await dumpAll(c)).toEqual(before);
    expect(Object.keys(before)).toContain('5:l');
  });

  test('SHUTDOWN writes what the turn buffered before the server stops', async () => {
    const dir = tmp();
    const first = await start(dir, { appendfsync: 'no' });
    // One packet: the writes and the SHUTDOWN run in the same turn, before any end-of-turn write.
    let packet = '';
    for (let i = 0; i < 100; i++) packet += resp(['SET', `k${i}`, String(i)]);
    first.c.writeRaw(packet + resp(['SHUTDOWN', 'NOSAVE']));
    await first.c.closed;
    const { c } = await start(dir);
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '100' });
  });

  test('while the AOF loads, commands are answered -LOADING and INFO reports the progress', async () => {
    const dir = tmp();
    // An AOF big enough to take many loading slices.
    const adir = aofDir(dir);
    mkdirSync(adir);
    writeFileSync(path.join(adir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const lines: string[] = [resp(['SELECT', '0'])];
    for (let i = 0; i < 150_000; i++) lines.push(resp(['SET', `key:${i}`, `value:${i}`]));
    writeFileSync(path.join(adir, 'appendonly.aof.1.base.aof'), lines.join(''), 'latin1');
    writeFileSync(path.join(adir, 'appendonly.aof.1.incr.aof'), resp(['DEL', 'key:0']));
    const server = new Server([['port', '0'], ['bind', '127.0.0.1'], ['dir', dir], ['appendonly', 'yes'], ['loglevel', 'warning']], { destination: new LogCapture() });
    const port = await server.listen();
    defer(() => server.close());
    expect(server.loading).toBe(true);
    const c = await RespClient.connect(port);
    defer(() => c.close());
    expect(await c.call('GET', 'key:1')).toEqual({ t: 'error', v: 'LOADING Redis is loading the dataset in memory' });
    const info = await c.call('INFO', 'persistence');
    expect((info as { v: string }).v).toMatch(/loading:1\r\n[\s\S]*loading_total_bytes:\d+\r\nloading_rdb_used_mem:0\r\nloading_loaded_bytes:\d+/);
    await server.persistence.ready;
    expect(await c.call('GET', 'key:1')).toEqual(bulk('value:1'));
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '149999' });
    expect(await infoField(c, 'loading')).toBe('0');
    expect(await infoField(c, 'aof_base_size')).toBe(String(statSync(path.join(adir, 'appendonly.aof.1.base.aof')).size));
  });

  // Redis's own suite, "AOF+EXPIRE: List should be empty": nothing expires while loading, so the second RPUSH extends the list that expires.
  test('a replayed command finds a key whose deadline passed as it was, and the key expires once loaded', async () => {
    const dir = tmp();
    const adir = aofDir(dir);
    mkdirSync(adir);
    writeFileSync(path.join(adir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    writeFileSync(path.join(adir, 'appendonly.aof.1.base.aof'), '');
    writeFileSync(
      path.join(adir, 'appendonly.aof.1.incr.aof'),
      resp(['SELECT', '0'], ['RPUSH', 'list', 'foo'], ['PEXPIREAT', 'list', '1000'], ['RPUSH', 'list', 'bar'], ['SET', 'other', 'v'], ['PEXPIREAT', 'other', '1000'], ['GETSET', 'other', 'w']),
    );
    const { c } = await start(dir);
    expect(await c.call('LLEN', 'list')).toEqual({ t: 'int', v: '0' });
    // GETSET replaced the value, and with it the deadline, before the load was over.
    expect(await c.call('GET', 'other')).toEqual(bulk('w'));
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '1' });
  });

  test('an old single-file AOF (dir/appendonly.aof) is moved into the AOF directory', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'appendonly.aof'), resp(['SELECT', '0'], ['SET', 'old', 'style']));
    const { c } = await start(dir);
    expect(await c.call('GET', 'old')).toEqual(bulk('style'));
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
  });

  test('a move that a crash interrupted (the manifest names the old file, still outside the directory) is finished', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'appendonly.aof'), resp(['SELECT', '0'], ['SET', 'old', 'style']));
    mkdirSync(aofDir(dir));
    writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof seq 1 type b\n');
    const { c } = await start(dir);
    expect(await c.call('GET', 'old')).toEqual(bulk('style'));
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
  });
});

describe('BGREWRITEAOF', () => {
  test('writes a new base of rebuild commands, switches the manifest and deletes the old files', async () => {
    const dir = tmp();
    const { s, c } = await start(dir, { 'aof-use-rdb-preamble': 'no' });
    for (let i = 0; i < 10; i++) await c.call('INCR', 'counter');
    await c.call('SET', 't', 'v', 'PX', '500000');
    await c.call('RPUSH', 'list', ...Array.from({ length: 100 }, (_, i) => `e${i}`));
    await c.call('SELECT', '3');
    await c.call('SET', 'other', 'db');
    const before = await dumpAll(c);
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    await rewriteDone(c);
    await waitFor(() => readdirSync(aofDir(dir)).length === 3, 5000, 'history files to be removed');
    expect(readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const when = (before['0:t'] ?? '').split(' ')[1];
    const elements = Array.from({ length: 100 }, (_, i) => `e${i}`);
    expect(readAof(dir, 'appendonly.aof.2.base.aof')).toBe(
      resp(
        // The walk goes from the dictionary's last key down (KeyTable.nextDown).
        ['SELECT', '0'],
        ['RPUSH', 'list', ...elements.slice(0, 64)],
        ['RPUSH', 'list', ...elements.slice(64)],
        ['SET', 't', 'v'],
        ['PEXPIREAT', 't', when],
        ['SET', 'counter', '10'],
        ['SELECT', '3'],
        ['SET', 'other', 'db'],
      ),
    );
    expect(await infoField(c, 'aof_rewrites')).toBe('1');
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(await infoField(c, 'aof_base_size')).toBe(String(s.server.persistence.writer!.currentSize));
    await c.call('SET', 'later', '1');
    // dumpAll ends on database 0.
    expect(readAof(dir, 'appendonly.aof.2.incr.aof')).toBe(resp(['SELECT', '0'], ['SET', 'later', '1']));
    await stop({ s, c });
    const again = await start(dir);
    expect(await dumpAll(again.c)).toEqual({ ...before, '0:later': 'string -1 1' });
  });

  test('a second BGREWRITEAOF while one runs is refused; inside MULTI it is scheduled', async () => {
    const dir = tmp();
    const { s, c } = await start(dir);
    for (let i = 0; i < 20000; i++) void c.call('SET', `k${i}`, 'v');
    await c.call('PING');
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'error', v: 'ERR Background append only file rewriting already in progress' });
    await rewriteDone(c);
    await c.call('MULTI');
    await c.call('BGREWRITEAOF');
    // Read inside the transaction: after EXEC the cron may start the scheduled rewrite before another request arrives.
    await c.call('INFO', 'persistence');
    const replies = await c.call('EXEC');
    expect(replies.t === 'array' && replies.v![0]).toEqual({ t: 'simple', v: 'Background append only file rewriting scheduled' });
    const info = replies.t === 'array' ? String(replies.v![1].v) : '';
    expect(/^aof_rewrite_scheduled:(\d)/m.exec(info)?.[1]).toBe('1');
    await rewriteDone(c);
    expect(s.server.persistence.rewrites).toBe(2);
  });

  test('with the AOF off it writes a base from the data all the same, and lists only that', async () => {
    const dir = tmp();
    const { c } = await start(dir, { appendonly: 'no' });
    await c.call('SET', 'a', '1');
    expect(existsSync(aofDir(dir))).toBe(false);
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe('file appendonly.aof.1.base.rdb seq 1 type b\n');
    expect(readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.manifest']);
    expect(readAof(dir, 'appendonly.aof.1.base.rdb')).toMatch(/^REDIS0011[^]*\x08aof-base\xc0\x01[^]*\x01a\xc0\x01\xff/);
  });

  test('the AOF is rewritten automatically once it grows past auto-aof-rewrite-min-size by the percentage', async () => {
    const dir = tmp();
    const { c } = await start(dir, { 'auto-aof-rewrite-min-size': '4kb', 'auto-aof-rewrite-percentage': '100' });
    // Overwrites of one key: the log grows, the data does not.
    for (let i = 0; i < 200; i++) void c.call('SET', 'k', 'x'.repeat(40));
    await c.call('PING');
    await waitFor(async () => (await infoField(c, 'aof_rewrites')) === '1', 5000, 'an automatic rewrite');
    await rewriteDone(c);
    expect(Number(await infoField(c, 'aof_current_size'))).toBeLessThan(200);
  });
});

describe('strings modified in place', () => {
  /** Every byte value, so that a byte written wrong shows. */
  const bytes = (n: number, seed: number) => Array.from({ length: n }, (_, i) => String.fromCharCode((i * 37 + seed) & 0xff)).join('');

  test('come back byte for byte from the incremental file and from a rewritten base', async () => {
    const dir = tmp();
    const first = await start(dir);
    const a = first.c;
    await a.call('SETRANGE', 'big', String(2 * BYTES_FROM), bytes(100, 1));
    let big = '\0'.repeat(2 * BYTES_FROM) + bytes(100, 1);
    for (let i = 0; i < 8; i++) {
      await a.call('APPEND', 'big', bytes(1000, i));
      big += bytes(1000, i);
    }
    await a.call('SETRANGE', 'big', '10', bytes(50, 9));
    big = big.slice(0, 10) + bytes(50, 9) + big.slice(60);
    await a.call('EXPIRE', 'big', '1000');
    await a.call('SET', 'small', 'ab');
    await a.call('APPEND', 'small', '\x00\r\n');
    expect(await a.call('GET', 'big')).toEqual(bulk(big));
    const before = await dumpAll(a);
    await stop(first);

    // A base of commands first, whose text is checked; then one in RDB form (the default).
    const second = await start(dir, { 'aof-use-rdb-preamble': 'no' });
    expect(await dumpAll(second.c)).toEqual(before);
    expect(await second.c.call('OBJECT', 'ENCODING', 'big')).toEqual(bulk('raw'));
    expect(await second.c.call('OBJECT', 'ENCODING', 'small')).toEqual(bulk('raw'));
    await second.c.call('BGREWRITEAOF');
    await rewriteDone(second.c);
    const when = before['0:big'].split(' ')[1];
    expect(readAof(dir, 'appendonly.aof.2.base.aof')).toBe(
      resp(['SELECT', '0'], ['SET', 'small', 'ab\x00\r\n'], ['SET', 'big', big], ['PEXPIREAT', 'big', when]),
    );
    await stop(second);

    const third = await start(dir);
    expect(await dumpAll(third.c)).toEqual(before);
    await third.c.call('BGREWRITEAOF');
    await rewriteDone(third.c);
    expect(readdirSync(aofDir(dir))).toContain('appendonly.aof.3.base.rdb');
    await stop(third);

    const fourth = await start(dir);
    expect(await dumpAll(fourth.c)).toEqual(before);
  });
});

describe('CONFIG SET appendonly', () => {
  test('yes at run time writes a base from the current data and starts appending; no stops', async () => {
    const dir = tmp();
    const { s, c } = await start(dir, { appendonly: 'no' });
    await c.call('SET', 'before', '1');
    expect(await c.call('CONFIG', 'SET', 'appendonly', 'yes')).toEqual(OK);
    expect(await infoField(c, 'aof_enabled')).toBe('1');
    await c.call('SET', 'during', '2');
    await rewriteDone(c);
    await c.call('SET', 'after', '3');
    expect(readdirSync(aofDir(dir))).toContain('appendonly.aof.1.base.rdb');
    expect(await c.call('CONFIG', 'SET', 'appendonly', 'no')).toEqual(OK);
    await c.call('SET', 'off', '4');
    expect(s.server.persistence.state).toBe('off');
    await stop({ s, c });
    const again = await start(dir);
    expect(await dumpAll(again.c)).toEqual({ '0:before': 'string -1 1', '0:during': 'string -1 2', '0:after': 'string -1 3' });
  });

  test('appendfsync changes at run time; bad values get Redis errors', async () => {
    const dir = tmp();
    const { s, c } = await start(dir);
    expect(await c.call('CONFIG', 'SET', 'appendfsync', 'always')).toEqual(OK);
    expect(s.server.persistence.writer!.policy).toBe('always');
    expect(await c.call('CONFIG', 'SET', 'appendfsync', 'sometimes')).toEqual({
      t: 'error',
      v: "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no",
    });
    expect(await c.call('CONFIG', 'SET', 'appenddirname', 'x')).toEqual({
      t: 'error',
      v: "ERR CONFIG SET failed (possibly related to argument 'appenddirname') - can't set immutable config",
    });
  });

  test('appendfilename must be a file name', async () => {
    await expect(startSluice({ config: { appendfilename: 'a/b' } })).rejects.toThrow("appendfilename can't be a path, just a filename");
  });
});

describe('appendfsync always', () => {
  test('a write is in the file and fdatasynced, within its turn, before any byte of its reply is written', async () => {
    const dir = tmp();
    const { s, c } = await start(dir, { appendfsync: 'always' });
    await c.call('PING');
    const seen: { file: string; output: number }[] = [];
    let inThreadPool = 0;
    s.server.persistence.io = {
      ...nodeIo,
      fsync: (fd) => {
        seen.push({ file: readAof(dir, 'appendonly.aof.1.incr.aof'), output: s.server.stats.netOutputBytes });
        nodeIo.fsync(fd);
      },
      fsyncAsync: (fd, done) => {
        inThreadPool++;
        nodeIo.fsyncAsync(fd, done);
      },
    };
    const before = s.server.stats.netOutputBytes;
    expect(await c.call('SET', 'k', 'v')).toEqual(OK);
    expect(seen).toEqual([{ file: resp(['SELECT', '0'], ['SET', 'k', 'v']), output: before }]);
    expect(s.server.stats.netOutputBytes).toBe(before + '+OK\r\n'.length);
    expect(inThreadPool).toBe(0);
    expect(s.server.persistence.writer!.fsyncedSize).toBe(s.server.persistence.writer!.currentSize);
  });

  test('a write that arrives while a writing turn runs is served before that turn\'s fsync, and shares it', { timeout: 15000 }, async () => {
    const dir = tmp();
    const { s, c } = await start(dir, { appendfsync: 'always', 'enable-debug-command': 'yes' });
    const other = await connect(s);
    const filesAtFsync: string[] = [];
    s.server.persistence.io = {
      ...nodeIo,
      fsync: (fd) => {
        filesAtFsync.push(readAof(dir, 'appendonly.aof.1.incr.aof'));
        nodeIo.fsync(fd);
      },
    };
    // The sleep holds the turn that wrote a for a second; b's SET arrives meanwhile.
    c.writeRaw(resp(['SET', 'a', '1'], ['DEBUG', 'SLEEP', '1']));
    await new Promise((r) => setTimeout(r, 50));
    const b = other.call('SET', 'b', '2');
    expect([await c.read(), await c.read(), await b]).toEqual([OK, OK, OK]);
    expect(filesAtFsync).toEqual([resp(['SELECT', '0'], ['SET', 'a', '1'], ['SET', 'b', '2'])]);
  });

  test('DEBUG AOF-FLUSH-SLEEP stalls each write of the AOF that has something to write, before writing it', async () => {
    const dir = tmp();
    const { c } = await start(dir, { appendfsync: 'always', 'enable-debug-command': 'yes' });
    await c.call('SET', 'k', 'v');
    const stalls: { ms: number | undefined; file: string }[] = [];
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation((_array, _index, _value, ms) => {
      stalls.push({ ms, file: readAof(dir, 'appendonly.aof.1.incr.aof') });
      return 'timed-out';
    });
    try {
      expect(await c.call('DEBUG', 'AOF-FLUSH-SLEEP', '250000')).toEqual(OK);
      expect(await c.call('SET', 'k2', 'v2')).toEqual(OK);
      expect(await c.call('GET', 'k2')).toEqual(bulk('v2'));
      expect(stalls).toEqual([{ ms: 250, file: resp(['SELECT', '0'], ['SET', 'k', 'v']) }]);
      expect(await c.call('DEBUG', 'AOF-FLUSH-SLEEP', '0')).toEqual(OK);
      expect(await c.call('SET', 'k3', 'v3')).toEqual(OK);
      expect(stalls.length).toBe(1);
    } finally {
      wait.mockRestore();
    }
  });

  test('the writes of one turn share one fsync, and a turn that wrote nothing needs none', async () => {
    const dir = tmp();
    const { s, c } = await start(dir, { appendfsync: 'always' });
    await c.call('SET', 'k', 'v');
    let fsyncs = 0;
    s.server.persistence.io = {
      ...nodeIo,
      fsync: (fd) => {
        fsyncs++;
        nodeIo.fsync(fd);
      },
    };
    // Five writes in one chunk are read and served in one turn.
    c.writeRaw(resp(...[0, 1, 2, 3, 4].map((i) => ['SET', `k${i}`, String(i)])));
    for (let i = 0; i < 5; i++) expect(await c.read()).toEqual(OK);
    expect(fsyncs).toBe(1);
    expect(await c.call('GET', 'k4')).toEqual(bulk('4'));
    expect(fsyncs).toBe(1);
  });
});

describe('INFO persistence', () => {
  test('reports the AOF fields in Redis order', async () => {
    const dir = tmp();
    const { c } = await start(dir);
    await c.call('SET', 'a', '1');
    const text = (await c.call('INFO', 'persistence') as { v: string }).v;
    const names = text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
    expect(names.filter((n) => n.startsWith('aof_'))).toEqual([
      'aof_enabled', 'aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec',
      'aof_current_rewrite_time_sec', 'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures',
      'aof_last_write_status', 'aof_last_cow_size', 'aof_current_size', 'aof_base_size', 'aof_pending_rewrite', 'aof_buffer_length',
      'aof_pending_bio_fsync', 'aof_delayed_fsync',
    ]);
    const size = (name: string) => statSync(path.join(aofDir(dir), name)).size;
    expect(await infoField(c, 'aof_current_size')).toBe(String(size('appendonly.aof.1.base.rdb') + size('appendonly.aof.1.incr.aof')));
  });
});

describe('an appended file keeps growing across restarts', () => {
  test('a restart appends to the last incremental file', async () => {
    const dir = tmp();
    const first = await start(dir);
    await first.c.call('SET', 'a', '1');
    await stop(first);
    const size = statSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size;
    const second = await start(dir);
    await second.c.call('SET', 'b', '2');
    await stop(second);
    const text = readAof(dir, 'appendonly.aof.1.incr.aof');
    expect(text.length).toBeGreaterThan(size);
    expect(text.slice(size)).toBe(resp(['SELECT', '0'], ['SET', 'b', '2']));
  });
});
