import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { nodeIo, type AofIo } from '../../src/persistence/io.js';
import { aofDir, infoField, readAof, resp, rewriteDone, scratch, waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { startSluice } from '../helpers/servers.js';

const { tmp, start, stop, defer, connect } = perTest();

const MANIFEST = 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

/** An AOF directory written by hand: a manifest and files. */
function writeAofDir(dir: string, files: Record<string, string>, manifest = MANIFEST): void {
  mkdirSync(aofDir(dir), { recursive: true });
  writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), manifest);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(aofDir(dir), name), text, 'latin1');
}

/** Every file of the AOF directory with its bytes, to show that nothing was changed. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(aofDir(dir))) out[name] = readFileSync(path.join(aofDir(dir), name), 'latin1');
  return out;
}

const bulk = (v: string | null) => ({ t: 'bulk', v });
const OK = { t: 'simple', v: 'OK' };

describe('loading damaged files', () => {
  test('a truncated last command is cut off, and the data before it loads', async () => {
    const dir = tmp();
    const good = resp(['SELECT', '0'], ['SET', 'a', '1'], ['SET', 'b', '2']);
    writeAofDir(dir, { 'appendonly.aof.1.base.aof': '', 'appendonly.aof.1.incr.aof': good + '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhel' });
    const { c } = await start(dir);
    expect(await c.call('MGET', 'a', 'b', 'c')).toEqual({ t: 'array', v: [bulk('1'), bulk('2'), bulk(null)] });
    // Cut back to the last whole command, then appended to again.
    await c.call('SET', 'd', '4');
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toBe(good + resp(['SELECT', '0'], ['SET', 'd', '4']));
  });

  test('a transaction cut off at the end is left out as a whole', async () => {
    const dir = tmp();
    const good = resp(['SELECT', '0'], ['SET', 'a', '1']);
    writeAofDir(dir, {
      'appendonly.aof.1.base.aof': '',
      'appendonly.aof.1.incr.aof': good + resp(['MULTI'], ['SET', 'x', '1'], ['SET', 'y', '2']),
    });
    const { c } = await start(dir);
    expect(await c.call('MGET', 'a', 'x', 'y')).toEqual({ t: 'array', v: [bulk('1'), bulk(null), bulk(null)] });
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toBe(good);
  });

  const head = resp(['SELECT', '0'], ['SET', 'a', '1']);
  const refusals: { name: string; files: Record<string, string>; config?: Record<string, string>; error: string | RegExp }[] = [
    {
      name: 'with aof-load-truncated no, a truncated file stops the start and is left as it is',
      files: { 'appendonly.aof.1.base.aof': '', 'appendonly.aof.1.incr.aof': resp(['SET', 'a', '1']) + '*2\r\n$3\r\nDEL' },
      config: { 'aof-load-truncated': 'no' },
      error: /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof \(the last complete command ends at offset 27\)/,
    },
    {
      name: 'corruption in the middle stops the start, naming the file, the offset and the reason; nothing is changed',
      files: { 'appendonly.aof.1.base.aof': '', 'appendonly.aof.1.incr.aof': head + 'garbage\r\n' + resp(['SET', 'b', '2']) },
      error: `Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${head.length}: expected '*' at the start of a command, found 'g'`,
    },
    {
      name: 'a bad argument length in the middle of a command is reported where it is',
      files: { 'appendonly.aof.1.base.aof': '*2\r\n$6\r\nSELECT\r\n$x\r\n0\r\n', 'appendonly.aof.1.incr.aof': '' },
      error: "Bad file format reading the append only file appendonly.aof.1.base.aof at offset 16: invalid argument length '$x'",
    },
    {
      name: 'a truncated file that is not the last one stops the start',
      files: { 'appendonly.aof.1.base.aof': resp(['SET', 'a', '1']) + '*3\r\n$3', 'appendonly.aof.1.incr.aof': resp(['SET', 'b', '1']) },
      error: 'Fatal error: the truncated file appendonly.aof.1.base.aof (cut at offset 27) is not the last file',
    },
    {
      name: 'a file named in the manifest but missing stops the start',
      files: { 'appendonly.aof.1.base.aof': resp(['SET', 'a', '1']) },
      error: 'Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory',
    },
    {
      name: 'an unknown command stops the start',
      files: { 'appendonly.aof.1.base.aof': '', 'appendonly.aof.1.incr.aof': resp(['NOSUCHCMD', 'x']) },
      error: "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof at offset 0",
    },
  ];
  for (const { name, files, config, error } of refusals) {
    test(name, async () => {
      const dir = tmp();
      writeAofDir(dir, files);
      const before = contents(dir);
      await expect(startSluice({ config: { dir, ...config } })).rejects.toThrow(error);
      expect(contents(dir)).toEqual(before);
    });
  }

  test('a malformed manifest stops the start with Redis\'s reason', async () => {
    const dir = tmp();
    writeAofDir(dir, {}, 'file appendonly.aof.1.base.aof seq 1\n');
    await expect(startSluice({ config: { dir } })).rejects.toThrow('Invalid AOF manifest file format');
    writeAofDir(dir, {}, 'file appendonly.aof.1.base.aof seq 1 type b\nfile b seq 1 type b\n');
    await expect(startSluice({ config: { dir } })).rejects.toThrow('Found duplicate base file information');
  });
});

/** A disk that fails on demand: writes or fsyncs throw the given error while `failing` is set. */
function faultyIo(): AofIo & { failing: string | null; fsyncFailing: string | null; partial: boolean } {
  const err = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  const io = {
    failing: null as string | null,
    fsyncFailing: null as string | null,
    partial: false,
    write(fd: number, buf: Buffer, off: number, len: number): number {
      if (io.failing === null) return nodeIo.write(fd, buf, off, len);
      if (io.partial && len > 1) {
        io.partial = false;
        return nodeIo.write(fd, buf, off, Math.floor(len / 2));
      }
      throw err(io.failing);
    },
    writeAsync(fd: number, buf: Buffer, off: number, len: number, done: (e: NodeJS.ErrnoException | null, n: number) => void): void {
      if (io.failing === null) {
        nodeIo.writeAsync(fd, buf, off, len, done);
        return;
      }
      const code = io.failing;
      setImmediate(() => done(err(code), 0));
    },
    fsync(fd: number): void {
      if (io.fsyncFailing !== null) throw err(io.fsyncFailing);
      nodeIo.fsync(fd);
    },
    fsyncAsync(fd: number, done: (e: NodeJS.ErrnoException | null) => void): void {
      if (io.fsyncFailing !== null) {
        const code = io.fsyncFailing;
        setImmediate(() => done(err(code)));
        return;
      }
      nodeIo.fsyncAsync(fd, done);
    },
    truncate: (fd: number, len: number) => nodeIo.truncate(fd, len),
  };
  return io;
}

describe('a disk that fails', () => {
  test('BGSAVE whose writes fail ends in error: its temporary file goes, dump.rdb stays as it was, and the next one succeeds', async () => {
    const dir = tmp();
    const x = await start(dir, { appendonly: 'no', save: '' });
    const { s, c } = x;
    await c.call('SET', 'old', '1');
    expect(await c.call('SAVE')).toEqual(OK);
    const saved = readFileSync(path.join(dir, 'dump.rdb'));
    await c.call('MSET', ...Array.from({ length: 30000 }, (_, i) => [`k${i}`, 'x'.repeat(40)]).flat());
    const io = faultyIo();
    s.server.persistence.io = io;
    io.failing = 'ENOSPC';
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    await waitFor(async () => (await infoField(c, 'rdb_bgsave_in_progress')) === '0', 5000, 'the BGSAVE to end');
    expect(await infoField(c, 'rdb_last_bgsave_status')).toBe('err');
    expect(readdirSync(dir).filter((f) => f.startsWith('temp-'))).toEqual([]);
    expect(readFileSync(path.join(dir, 'dump.rdb')).equals(saved)).toBe(true);
    await waitFor(async () => s.logs.messages('warning').includes('Write error saving DB on disk: No space left on device'), 2000, 'the log line');
    io.failing = null;
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    await waitFor(async () => (await infoField(c, 'rdb_bgsave_in_progress')) === '0', 5000, 'the second BGSAVE to end');
    expect(await infoField(c, 'rdb_last_bgsave_status')).toBe('ok');
    const again = await start(dir, { appendonly: 'no', save: '' });
    expect(await again.c.call('DBSIZE')).toEqual({ t: 'int', v: '30001' });
  });

  test('everysec: writes get MISCONF until the AOF can be written again; reads keep working; nothing acknowledged is lost', async () => {
    const dir = tmp();
    const x = await start(dir);
    const { s, c } = x;
    const io = faultyIo();
    s.server.persistence.io = io;
    await c.call('SET', 'before', '1');
    io.failing = 'ENOSPC';
    // Acknowledged: it stays in the buffer and is written once the disk works again.
    expect(await c.call('SET', 'kept', '2')).toEqual(OK);
    // Under everysec a write is postponed while a background fsync runs (as in Redis), so the failure may come a turn later.
    await waitFor(async () => (await infoField(c, 'aof_last_write_status')) === 'err', 5000, 'the AOF write to fail');
    const misconf = { t: 'error', v: 'MISCONF Errors writing to the AOF file: No space left on device' };
    expect(await c.call('SET', 'refused', '3')).toEqual(misconf);
    expect(await c.call('PING')).toEqual(misconf);
    expect(await c.call('GET', 'before')).toEqual(bulk('1'));
    await c.call('MULTI');
    expect(await c.call('INCR', 'n')).toEqual(misconf);
    expect(await c.call('EXEC')).toEqual({ t: 'error', v: 'EXECABORT Transaction discarded because of previous errors.' });
    // A script whose flags declare writes is a write, refused before it runs; one declaring none runs.
    expect(await c.call('EVAL', "#!lua\nreturn redis.call('get', 'before')", '0')).toEqual(misconf);
    expect(await c.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', 'before')", '0')).toEqual(bulk('1'));
    expect(await infoField(c, 'aof_last_write_status')).toBe('err');
    io.failing = null;
    await waitFor(async () => (await infoField(c, 'aof_last_write_status')) === 'ok', 5000, 'the AOF to recover');
    expect(await c.call('SET', 'after', '4')).toEqual(OK);
    await stop(x);
    const again = await start(dir);
    expect(await again.c.call('MGET', 'before', 'kept', 'refused', 'after')).toEqual({
      t: 'array',
      v: [bulk('1'), bulk('2'), bulk(null), bulk('4')],
    });
  });

  test('always: the reply to a write waits until the write is on disk; meanwhile others read, and writes get MISCONF', async () => {
    const dir = tmp();
    const x = await start(dir, { appendfsync: 'always' });
    const { s, c } = x;
    const io = faultyIo();
    s.server.persistence.io = io;
    const other = await connect(s);
    await c.call('SET', 'before', '1');
    io.fsyncFailing = 'EIO';
    let answered = false;
    const held = c.call('SET', 'held', '2').then((r) => {
      answered = true;
      return r;
    });
    // (Replies of the turn that wrote are all held; the reads below come in later turns.)
    await waitFor(() => s.server.persistence.writer!.error !== null, 5000, 'the failed fsync');
    expect(await infoField(other, 'aof_last_write_status')).toBe('err');
    expect(await other.call('GET', 'before')).toEqual(bulk('1'));
    expect(await other.call('SET', 'x', '1')).toEqual({ t: 'error', v: 'MISCONF Errors writing to the AOF file: Input/output error' });
    expect(answered).toBe(false);
    io.fsyncFailing = null;
    expect(await held).toEqual(OK);
    expect(await other.call('SET', 'x', '1')).toEqual(OK);
    await stop(x);
    const again = await start(dir);
    expect(await again.c.call('MGET', 'before', 'held', 'x')).toEqual({ t: 'array', v: [bulk('1'), bulk('2'), bulk('1')] });
  });

  test('a short write is taken back, so the file stays readable', async () => {
    const dir = tmp();
    const x = await start(dir);
    const { s, c } = x;
    const io = faultyIo();
    s.server.persistence.io = io;
    await c.call('SET', 'a', '1');
    io.failing = 'ENOSPC';
    io.partial = true;
    await c.call('SET', 'b', 'x'.repeat(1000));
    expect(await c.call('SET', 'c', '3')).toEqual({ t: 'error', v: 'MISCONF Errors writing to the AOF file: No space left on device' });
    expect(readAof(dir, 'appendonly.aof.1.incr.aof')).toBe(resp(['SELECT', '0'], ['SET', 'a', '1']));
    io.failing = null;
    await waitFor(async () => (await infoField(c, 'aof_last_write_status')) === 'ok', 5000, 'the AOF to recover');
    await stop(x);
    const again = await start(dir);
    expect(await again.c.call('STRLEN', 'b')).toEqual({ t: 'int', v: '1000' });
  });

  test('a failed background fsync (everysec) refuses writes until an fsync succeeds', async () => {
    const dir = tmp();
    const { s, c } = await start(dir);
    const io = faultyIo();
    s.server.persistence.io = io;
    io.fsyncFailing = 'EIO';
    await c.call('SET', 'a', '1');
    await waitFor(async () => (await c.call('SET', 'probe', '1')).t === 'error', 5000, 'the failed background fsync');
    expect(await c.call('SET', 'b', '1')).toEqual({ t: 'error', v: 'MISCONF Errors writing to the AOF file: Input/output error' });
    io.fsyncFailing = null;
    await waitFor(async () => (await c.call('SET', 'probe', '2')).t === 'simple', 5000, 'a successful fsync');
  });

  test('a rewrite that cannot write its base fails, keeps the old files, and the next one succeeds', async () => {
    const dir = tmp();
    const { s, c } = await start(dir);
    for (let i = 0; i < 100; i++) await c.call('SET', `k${i}`, String(i));
    const io = faultyIo();
    s.server.persistence.io = io;
    io.failing = 'ENOSPC';
    // The running writer keeps the healthy disk: only the rewrite's files fail.
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('err');
    expect(await infoField(c, 'aof_rewrites_consecutive_failures')).toBe('1');
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(MANIFEST.replace('base.aof', 'base.rdb'));
    // The temporary files are removed in the background, so that unlinking a big one never stalls the event loop.
    const temps = () => readdirSync(aofDir(dir)).filter((n) => n.startsWith('temp-'));
    await waitFor(async () => temps().length === 0, 5000, 'the temporary files to be removed');
    expect(temps()).toEqual([]);
    io.failing = null;
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '100' });
  });
});

/** A tiny tmpfs, where the host lets this process mount one (root in a container that allows it). */
function mountTmpfs(dir: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

describe('a real full disk', () => {
  const probe = scratch('sluice-tmpfs-probe-');
  const canMount = mountTmpfs(probe.dir, '64k');
  if (canMount) spawnSync('umount', [probe.dir]);
  probe.remove();
  if (!canMount) console.warn('NOTE: cannot mount a tmpfs here (needs root and a permissive container): the real full-disk test is skipped; the injected-error tests cover the same paths.');

  test.skipIf(!canMount)('a full tmpfs turns writes away with MISCONF; freeing space lets them through again', async () => {
    const dir = tmp();
    expect(mountTmpfs(dir, '256k')).toBe(true);
    defer(() => {
      spawnSync('umount', [dir]);
    });
    const filler = path.join(dir, 'filler');
    writeFileSync(filler, Buffer.alloc(64 * 1024));
    const { c } = await start(dir);
    const value = 'v'.repeat(4096);
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      const r = await c.call('SET', `k${i}`, value);
      refused = r.t === 'error';
      if (refused) expect(r).toEqual({ t: 'error', v: 'MISCONF Errors writing to the AOF file: No space left on device' });
    }
    expect(refused).toBe(true);
    expect((await c.call('GET', 'k0')).t).toBe('bulk');
    rmSync(filler);
    await waitFor(async () => (await infoField(c, 'aof_last_write_status')) === 'ok', 5000, 'the AOF to recover');
    expect(await c.call('SET', 'after', '1')).toEqual(OK);
    expect(statSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size).toBeGreaterThan(64 * 1024);
  });
});
