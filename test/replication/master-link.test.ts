import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterLink, type MasterLinkOptions, type MasterLinkState } from '../../src/replication/master-link.js';
import { encodeCommand, parseReply, RespClient, type Resp } from '../helpers/resp-client.js';
import { makeCerts, type TestCerts } from '../helpers/tls-certs.js';
import { freePort, redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

/** Everything a link reported, and promises for the moments the tests wait for. */
class Recorder {
  states: MasterLinkState[] = [];
  logs: string[] = [];
  full: { replid: string; offset: number } | null = null;
  partial: (string | null)[] = [];
  size: number | null | undefined = undefined;
  payload: Buffer[] = [];
  ended = false;
  commands: { argv: string[]; bytes: number; raw: Buffer }[] = [];
  failures: string[] = [];
  /** Runs on each command after it is recorded (an owner answering GETACK, say). */
  onCommand: ((argv: string[]) => void) | null = null;
  link: MasterLink;
  private waiters: (() => void)[] = [];

  constructor(opts: Partial<MasterLinkOptions> & { port: number }, onEnd?: (r: Recorder) => void) {
    this.link = new MasterLink(
      { host: '127.0.0.1', listeningPort: 6380, cached: null, timeoutMs: 5000, ...opts },
      {
        state: (s) => this.note(() => this.states.push(s)),
        log: (_level, line) => this.note(() => this.logs.push(line)),
        fullSync: (replid, offset) => this.note(() => (this.full = { replid, offset })),
        partialSync: (id) => this.note(() => this.partial.push(id)),
        payloadStart: (size) => this.note(() => (this.size = size)),
        payloadChunk: (c) => this.note(() => this.payload.push(Buffer.from(c))),
        payloadEnd: () =>
          this.note(() => {
            this.ended = true;
            onEnd?.(this);
          }),
        command: (argv, bytes, raw, at) =>
          this.note(() => {
            this.commands.push({ argv, bytes, raw: Buffer.from(raw.subarray(at, at + bytes)) });
            this.onCommand?.(argv);
          }),
        failed: (reason) => this.note(() => this.failures.push(reason)),
      },
    );
  }

  private note(f: () => unknown): void {
    f();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `cond` holds, rejects after `ms`. */
  until(cond: () => boolean, ms = 8000, what = 'condition'): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; logs: ${this.logs.join(' | ')}`)), ms);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  get rdb(): Buffer {
    return Buffer.concat(this.payload);
  }

  get streamBytes(): number {
    return this.commands.reduce((n, c) => n + c.bytes, 0);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function text(r: Resp): string {
  if (r.t === 'bulk' || r.t === 'simple' || r.t === 'error' || r.t === 'verbatim') return r.v ?? '';
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

async function infoField(c: RespClient, field: string): Promise<string> {
  const info = text(await c.call('INFO', 'all'));
  const m = new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(info);
  return m === null ? '' : m[1].trim();
}

async function masterOffset(c: RespClient): Promise<number> {
  return Number(await infoField(c, 'master_repl_offset'));
}

/** Writes on the master, then waits until the replica got every byte of it (the master's offset). */
async function writeAndFollow(c: RespClient, rec: Recorder, base: number, tag: string): Promise<number> {
  await c.call('SET', `k:${tag}`, 'v'.repeat(100));
  await c.call('INCR', `n:${tag}`);
  await c.call('RPUSH', `l:${tag}`, 'a', 'b', 'c');
  await c.call('SET', `big:${tag}`, 'x'.repeat(200_000));
  await c.call('DEL', `k:${tag}`);
  const target = await masterOffset(c);
  await rec.until(() => base + rec.streamBytes >= target, 8000, `stream to reach offset ${target}`);
  expect(base + rec.streamBytes).toBe(target);
  return target;
}

const withRedis = redisServerPath === null ? describe.skip : describe;

withRedis('MasterLink against a real master', () => {
  for (const diskless of ['no', 'yes'] as const) {
    describe(`repl-diskless-sync ${diskless}`, () => {
      let redis: RealRedis;
      let client: RespClient;
      beforeAll(async () => {
        redis = await startRedis(['--repl-diskless-sync', diskless, '--repl-diskless-sync-delay', '0', '--enable-debug-command', 'yes']);
        client = await RespClient.connect(redis.port);
        for (let i = 0; i < 50; i++) await client.call('SET', `pre:${i}`, `value-${i}`);
        // Enough data for a payload of many reads.
        expect(text(await client.call('DEBUG', 'POPULATE', '20000', 'pop', '32'))).toBe('OK');
      });
      afterAll(async () => {
        client?.close();
        await redis?.stop();
      });

      it('full sync, then an exact command stream, ACKs and a partial resync', async () => {
        const rec = new Recorder({ port: redis.port }, (r) => r.link.sendAck(r.full!.offset));
        rec.link.start();
        await rec.until(() => rec.ended, 8000, 'payload end');
        expect(rec.failures).toEqual([]);
        expect(rec.full).not.toBeNull();
        expect(rec.full!.replid).toMatch(/^[0-9a-f]{40}$/);
        expect(rec.logs).toContain(`Full resync from master: ${rec.full!.replid}:${rec.full!.offset}`);
        expect(rec.logs).toContain('Partial resynchronization not possible (no cached master)');
        const rdb = rec.rdb;
        expect(rdb.subarray(0, 5).toString('latin1')).toBe('REDIS');
        // The RDB's EOF opcode and its 8-byte checksum end it: the EOF mark was not passed on.
        expect(rdb[rdb.length - 9]).toBe(0xff);
        if (diskless === 'no') {
          expect(rec.size).toBe(rdb.length);
          expect(rec.logs).toContain(`MASTER <-> REPLICA sync: receiving ${rdb.length} bytes from master to disk`);
        } else {
          expect(rec.size).toBeNull();
          expect(rec.logs).toContain('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
        }
        expect(rec.states).toEqual(['connecting', 'handshake', 'sync', 'connected']);
        expect(rec.payload.length).toBeGreaterThan(1);
        expect(rdb.length).toBeGreaterThan(500_000);
        expect(rdb.includes(Buffer.from('value-49'))).toBe(true);

        const base = rec.full!.offset;
        // As the owner does, an ACK every second (here faster): after an $EOF payload the master starts the
        // stream on the first ACK it gets once it has seen the transfer end, which may be after ours above.
        let ticker = setInterval(() => rec.link.sendAck(base + rec.streamBytes), 100);
        let applied = await writeAndFollow(client, rec, base, 'a').finally(() => clearInterval(ticker));
        const set = rec.commands.find((c) => c.argv[0] === 'SET' && c.argv[1] === 'k:a')!;
        expect(set.raw.toString('latin1')).toBe(`*3\r\n$3\r\nSET\r\n$3\r\nk:a\r\n$100\r\n${'v'.repeat(100)}\r\n`);
        // Each command's bytes are exactly its canonical encoding (the 200 kB SET spans many reads).
        for (const c of rec.commands) expect(c.raw.equals(encodeCommand(c.argv))).toBe(true);
        expect(rec.commands.some((c) => c.bytes > 200_000)).toBe(true);

        rec.link.sendAck(applied);
        await expect.poll(async () => infoField(client, 'slave0'), { timeout: 5000 }).toContain(`offset=${applied},`);

        // WAIT makes the master send REPLCONF GETACK *: a command like any other, answered by the owner.
        rec.onCommand = (argv) => {
          if (argv[0] === 'REPLCONF' && argv[1].toUpperCase() === 'GETACK') rec.link.sendAck(base + rec.streamBytes);
        };
        await client.call('SET', 'before-wait', '1');
        expect(await client.call('WAIT', '1', '5000')).toEqual({ t: 'int', v: '1' });
        expect(rec.commands.at(-1)!.argv).toEqual(['REPLCONF', 'GETACK', '*']);
        applied = base + rec.streamBytes;
        expect(applied).toBe(await masterOffset(client));

        // Reconnect with the cached master: the master continues from its backlog.
        rec.link.close();
        expect(rec.failures).toEqual([]);
        const partialOk = Number(await infoField(client, 'sync_partial_ok'));
        await client.call('SET', 'while-away', '1');
        const rec2 = new Recorder({ port: redis.port, cached: { replid: rec.full!.replid, offset: applied } });
        rec2.link.start();
        await rec2.until(() => rec2.partial.length === 1, 8000, 'partial sync');
        expect(rec2.partial).toEqual([null]);
        expect(rec2.full).toBeNull();
        expect(rec2.logs).toContain(`Trying a partial resynchronization (request ${rec.full!.replid}:${applied + 1}).`);
        expect(rec2.logs).toContain('Successful partial resynchronization with master.');
        expect(Number(await infoField(client, 'sync_partial_ok'))).toBe(partialOk + 1);
        const base2 = applied;
        ticker = setInterval(() => rec2.link.sendAck(base2 + rec2.streamBytes), 100);
        applied = await writeAndFollow(client, rec2, applied, 'b').finally(() => clearInterval(ticker));
        expect(rec2.commands.some((c) => c.argv[0] === 'SET' && c.argv[1] === 'while-away')).toBe(true);
        rec2.link.sendAck(applied, applied);
        await expect.poll(async () => infoField(client, 'slave0'), { timeout: 5000 }).toContain(`offset=${applied},`);
        rec2.link.close();
        expect(rec2.failures).toEqual([]);
      });
    });
  }

  describe('masterauth', () => {
    let redis: RealRedis;
    beforeAll(async () => {
      redis = await startRedis(['--requirepass', 'sekret', '--repl-diskless-sync', 'no']);
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('syncs with the right password', async () => {
      const rec = new Recorder({ port: redis.port, auth: { pass: 'sekret' } });
      rec.link.start();
      await rec.until(() => rec.ended, 8000, 'payload end');
      expect(rec.logs).toContain('Master replied to PING, replication can continue...');
      expect(rec.failures).toEqual([]);
      rec.link.close();
    });

    it('fails once with a wrong password', async () => {
      const rec = new Recorder({ port: redis.port, auth: { user: 'default', pass: 'wrong' } });
      rec.link.start();
      await rec.until(() => rec.failures.length > 0, 8000, 'failure');
      await sleep(100);
      expect(rec.failures).toHaveLength(1);
      expect(rec.failures[0]).toMatch(/^Unable to AUTH to MASTER: -WRONGPASS/);
      expect(rec.link.state).toBe('connect');
    });
  });
});

withRedis('MasterLink over TLS (tls-replication)', () => {
  let certs: TestCerts;
  let redis: RealRedis;
  let tlsPort: number;
  beforeAll(async () => {
    certs = makeCerts();
    tlsPort = await freePort();
    redis = await startRedis([
      '--tls-port', String(tlsPort), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey,
      '--tls-ca-cert-file', certs.caCert, '--tls-auth-clients', 'no', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
    ]);
  });
  afterAll(async () => {
    await redis?.stop();
    certs?.remove();
  });

  it('syncs and streams over TLS', async () => {
    const rec = new Recorder({ port: tlsPort, tls: { ca: readFileSync(certs.caCert) } });
    rec.link.start();
    await rec.until(() => rec.ended, 8000, 'payload end');
    expect(rec.rdb.subarray(0, 5).toString()).toBe('REDIS');
    const client = await RespClient.connect(redis.port);
    const base = rec.full!.offset;
    const ticker = setInterval(() => rec.link.sendAck(base + rec.streamBytes), 100);
    try {
      await writeAndFollow(client, rec, base, 'tls');
    } finally {
      clearInterval(ticker);
      client.close();
      rec.link.close();
    }
    expect(rec.failures).toEqual([]);
  });
});

/** A fake master: answers the handshake, then runs `after` with the socket once PSYNC (or SYNC) arrives. */
async function fakeMaster(after: (s: net.Socket, cmd: string[]) => void): Promise<{ port: number; closed: Promise<void>; close(): void; seen: string[][] }> {
  const seen: string[][] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const server = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('close', () => resolveClosed());
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.subarray(0, 6).toString() === 'SYNC\r\n') {
          buf = buf.subarray(6);
          seen.push(['SYNC']);
          after(s, ['SYNC']);
          continue;
        }
        const r = parseReply(buf, 0);
        if (r === null) return;
        buf = buf.subarray(r[1]);
        const argv = (r[0] as { v: Resp[] }).v.map(text);
        seen.push(argv);
        const name = argv[0].toUpperCase();
        if (name === 'PING') s.write('+PONG\r\n');
        else if (name === 'REPLCONF' || name === 'AUTH') s.write('+OK\r\n');
        else after(s, argv);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    closed,
    seen,
    close: () => server.close(),
  };
}

const REPLID = 'a'.repeat(40);
const MARK = '0123456789abcdef0123456789abcdef01234567';

describe('MasterLink against fake masters', () => {
  it('reads the handshake, a split $EOF payload, keepalives and the stream, with exact sizes', async () => {
    const payload = Buffer.from('REDIS0011' + 'p'.repeat(100));
    const stream = '*1\r\n$4\r\nPING\r\n\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n';
    const fake = await fakeMaster((s) => {
      const all = Buffer.concat([
        Buffer.from(`\n\n+FULLRESYNC ${REPLID} 1000\r\n\n$EOF:${MARK}\r\n`),
        payload,
        Buffer.from(MARK),
        Buffer.from(stream),
      ]);
      // Byte pieces of varying size, so marks and commands straddle reads.
      let at = 0;
      const step = (): void => {
        if (at >= all.length || s.destroyed) return;
        const n = 1 + (at % 7);
        s.write(all.subarray(at, at + n));
        at += n;
        setTimeout(step, 1);
      };
      step();
    });
    const rec = new Recorder({ port: fake.port, announceIp: '10.0.0.1', auth: { user: 'u', pass: 'p' }, cached: { replid: REPLID, offset: 5 } });
    rec.link.start();
    await rec.until(() => rec.commands.length === 3, 8000, 'three commands');
    expect(fake.seen.slice(0, 6)).toEqual([
      ['PING'],
      ['AUTH', 'u', 'p'],
      ['REPLCONF', 'listening-port', '6380'],
      ['REPLCONF', 'ip-address', '10.0.0.1'],
      ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'],
      ['PSYNC', REPLID, '6'],
    ]);
    expect(rec.full).toEqual({ replid: REPLID, offset: 1000 });
    expect(rec.rdb.equals(payload)).toBe(true);
    expect(rec.commands.map((c) => c.argv)).toEqual([['PING'], ['SET', 'k', 'abc'], ['REPLCONF', 'GETACK', '*']]);
    // The keepalive newline is neither counted nor passed on.
    expect(rec.streamBytes).toBe(stream.length - 1);
    expect(Buffer.concat(rec.commands.map((c) => c.raw)).toString()).toBe(stream.replace('\n*3', '*3'));
    expect(rec.link.bytesRead).toBeGreaterThan(payload.length + stream.length);
    rec.link.close();
    fake.close();
  });

  it('hands every argument over as its bytes (a char per byte), ASCII or not, however the stream is cut', async () => {
    const cmd = (...args: Buffer[]): Buffer =>
      Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap((a) => [Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n')])]);
    const b = (s: string): Buffer => Buffer.from(s, 'latin1');
    const big = Buffer.alloc(70_000, 0x61);
    big[35_000] = 0xe9;
    // Its one byte past ASCII arrives after the parser was left holding the value's start.
    const lateByte = Buffer.alloc(70_000, 0x61);
    lateByte[69_500] = 0xff;
    const commands = [
      [b('SET'), b('ascii'), b('plain')],
      [b('SET'), b('k\xe9'), Buffer.from([0xc3, 0xa9, 0xff, 0x00, 0x80])],
      [b('SET'), b('after'), b('plain again')],
      [b('SET'), b('big'), big],
      [b('SET'), b('bigascii'), Buffer.alloc(70_000, 0x62)],
      [b('SET'), b('late'), lateByte],
      [b('RPUSH'), b('l'), b('x'), Buffer.from([0xf0, 0x9f, 0x98, 0x80]), b('y')],
      // Values longer than the bytes first joined to a cut command, shorter than what the parser is left to hold, amid small commands.
      ...Array.from({ length: 300 }, (_, i) => [b('SET'), b(`k${i}`), i % 50 === 7 ? Buffer.alloc(6000 + i * 20, i % 3 === 0 ? 0xe9 : 0x63) : b(`v${i}`)]),
      // Every length up to past the short strings made in JS, bytes of both halves.
      [b('RPUSH'), b('lengths'), ...Array.from({ length: 21 }, (_, n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n * 101) & 0xff)))],
    ];
    const stream = Buffer.concat(commands.map((c) => cmd(...c)));
    for (const pieces of [1, 7, 4096, 9000, 30_000, stream.length]) {
      const fake = await fakeMaster((s) => {
        const all = Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID} 1000\r\n$3\r\nabc`), stream]);
        let at = 0;
        const step = (): void => {
          if (at >= all.length || s.destroyed) return;
          // Small pieces for the first commands, then bigger ones, so each parser state meets each kind of byte.
          const n = at < 200 ? pieces : Math.max(pieces, 4096);
          s.write(all.subarray(at, at + n));
          at += n;
          setImmediate(step);
        };
        step();
      });
      const rec = new Recorder({ port: fake.port });
      rec.link.start();
      await rec.until(() => rec.commands.length === commands.length, 15_000, `all commands (pieces of ${pieces})`);
      expect(rec.commands.map((c) => c.argv), `pieces of ${pieces}`).toEqual(commands.map((c) => c.map((a) => a.toString('latin1'))));
      expect(Buffer.concat(rec.commands.map((c) => c.raw)).equals(stream)).toBe(true);
      rec.link.close();
      fake.close();
    }
  });

  it('falls back to SYNC when PSYNC is an error, and reads a $len payload', async () => {
    const fake = await fakeMaster((s, argv) => {
      if (argv[0] === 'PSYNC') s.write('-ERR unknown command \'PSYNC\'\r\n');
      else s.write('\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n');
    });
    const rec = new Recorder({ port: fake.port });
    rec.link.start();
    await rec.until(() => rec.commands.length === 1, 8000, 'a command');
    expect(rec.full).toBeNull();
    expect(rec.size).toBe(5);
    expect(rec.rdb.toString()).toBe('REDIS');
    expect(rec.logs).toContain('Retrying with SYNC...');
    expect(fake.seen.at(-1)).toEqual(['SYNC']);
    rec.link.close();
    fake.close();
  });

  it('PSYNC … FAILOVER: a refusal fails the link instead of falling back to SYNC', async () => {
    const fake = await fakeMaster((s) => s.write('-ERR PSYNC FAILOVER replid must match my replid.\r\n'));
    const rec = new Recorder({ port: fake.port, cached: { replid: REPLID, offset: 99 }, failover: true });
    rec.link.start();
    await rec.until(() => rec.failures.length > 0, 5000, 'failure');
    expect(fake.seen.at(-1)).toEqual(['PSYNC', REPLID, '100', 'FAILOVER']);
    expect(rec.failures).toEqual(['PSYNC FAILOVER refused: -ERR PSYNC FAILOVER replid must match my replid.']);
    // Redis's line for an -ERR reply to PSYNC; the failover's end is its owner's to log.
    expect(rec.logs).toContain('Master does not support PSYNC or is in error state (reply: -ERR PSYNC FAILOVER replid must match my replid.)');
    fake.close();
  });

  it('+CONTINUE with a new replid reports it', async () => {
    const fake = await fakeMaster((s) => s.write(`+CONTINUE ${'b'.repeat(40)}\r\n*1\r\n$4\r\nPING\r\n`));
    const rec = new Recorder({ port: fake.port, cached: { replid: REPLID, offset: 10 } });
    rec.link.start();
    await rec.until(() => rec.commands.length === 1, 8000, 'a command');
    expect(rec.partial).toEqual(['b'.repeat(40)]);
    expect(rec.states.at(-1)).toBe('connected');
    rec.link.close();
    fake.close();
  });

  it('an exception in an owner callback fails the link once, and close() in one stops everything', async () => {
    const fake = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n`));
    const rec = new Recorder({ port: fake.port });
    rec.onCommand = () => {
      throw new Error('boom');
    };
    rec.link.start();
    await rec.until(() => rec.failures.length > 0, 5000, 'failure');
    await fake.closed;
    expect(rec.failures).toEqual(['Replication link internal error: boom']);
    fake.close();

    const fake2 = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n`));
    const rec2 = new Recorder({ port: fake2.port }, (r) => r.link.close());
    rec2.link.start();
    await fake2.closed;
    await sleep(50);
    expect(rec2.ended).toBe(true);
    expect(rec2.commands).toEqual([]);
    expect(rec2.failures).toEqual([]);
    expect(rec2.link.dead).toBe(true);
    fake2.close();
  });

  it('pause holds back payload and commands until resume', async () => {
    const fake = await fakeMaster((s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n`));
    const rec = new Recorder({ port: fake.port }, (r) => r.link.pause());
    rec.link.start();
    await rec.until(() => rec.ended, 8000, 'payload end');
    await sleep(100);
    expect(rec.commands).toHaveLength(0);
    rec.link.resume();
    expect(rec.commands).toHaveLength(1);
    rec.link.close();
    fake.close();
  });

  const failures: [string, (s: net.Socket) => void, RegExp, number?][] = [
    ['garbage in the stream', (s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n+garbage\r\n`), /^Protocol error from MASTER: a reply that is not an array/],
    ['non-canonical lengths', (s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$5\r\nREDIS*1\r\n$04\r\nPING\r\n`), /^Protocol error from MASTER: .*not canonical/],
    ['a nested array', (s) => s.write(`+CONTINUE\r\n*1\r\n*1\r\n$1\r\na\r\n`), /^Protocol error from MASTER: an array that is not of bulk strings/],
    ['a bad first byte', (s) => s.write(`+CONTINUE\r\n\n\n@oops\r\n`), /^Protocol error from MASTER: a byte that starts no command \(0x40\)/],
    ['a bad payload header', (s) => s.write(`+FULLRESYNC ${REPLID} 0\r\nHELLO\r\n`), /^Bad protocol from MASTER, the first byte is not '\$' \(we received 'HELLO'\)/],
    ['an error instead of the payload', (s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n-ERR nope\r\n`), /^MASTER aborted replication with an error: ERR nope/],
    ['-LOADING to PSYNC', (s) => s.write('-LOADING Redis is loading the dataset in memory\r\n'), /^Master is currently unable to PSYNC/],
    ['a truncated $len payload', (s) => s.end(`+FULLRESYNC ${REPLID} 0\r\n$100\r\nREDIS0011`), /^I\/O error trying to sync with MASTER: connection lost/],
    ['a truncated $EOF payload', (s) => s.end(`+FULLRESYNC ${REPLID} 0\r\n$EOF:${MARK}\r\nREDIS0011`), /^I\/O error trying to sync with MASTER/],
    ['a reset in the stream', (s) => { s.write(`+CONTINUE\r\n*1\r\n$4\r\nPING\r\n`); setTimeout(() => s.resetAndDestroy(), 50); }, /^Connection with master lost/],
    ['silence after PSYNC', () => {}, /^Timeout connecting to the MASTER\.\.\./],
    ['silence in the payload', (s) => s.write(`+FULLRESYNC ${REPLID} 0\r\n$100\r\nREDIS`), /^Timeout receiving bulk data from MASTER/],
    ['silence in the stream', (s) => s.write(`+CONTINUE\r\n`), /^MASTER timeout: no data nor PING received\.\.\./],
  ];
  for (const [name, behave, reason] of failures) {
    it(`fails once on ${name}`, async () => {
      const fake = await fakeMaster((s, argv) => {
        if (argv[0] === 'PSYNC') behave(s);
      });
      const rec = new Recorder({ port: fake.port, timeoutMs: 300 });
      rec.link.start();
      await rec.until(() => rec.failures.length > 0, 5000, 'failure');
      await fake.closed; // the link destroyed its socket
      await sleep(50);
      expect(rec.failures).toHaveLength(1);
      expect(rec.failures[0]).toMatch(reason);
      expect(rec.logs.at(-1)).toBe(rec.failures[0]);
      expect(rec.states.at(-1)).toBe('connect');
      fake.close();
    });
  }

  it('fails once when the master refuses the connection', async () => {
    const port = await freePort();
    const rec = new Recorder({ port });
    rec.link.start();
    await rec.until(() => rec.failures.length > 0, 5000, 'failure');
    await sleep(50);
    expect(rec.failures).toEqual(['Error condition on socket for SYNC: Connection refused']);
    expect(rec.logs.slice(0, 2)).toEqual([`Connecting to MASTER 127.0.0.1:${port}`, 'MASTER <-> REPLICA sync started']);
  });

  it('fails once when PING gets an error other than NOAUTH', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', () => s.write('-ERR something odd\r\n'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const rec = new Recorder({ port: (server.address() as net.AddressInfo).port });
    rec.link.start();
    await rec.until(() => rec.failures.length > 0, 5000, 'failure');
    await sleep(50);
    expect(rec.failures).toEqual(["Error reply to PING from master: '-ERR something odd'"]);
    server.close();
  });
});
