import { constants } from 'node:buffer';
import net from 'node:net';
import { describe, expect, test, vi } from 'vitest';
import { ARG_OVERHEAD, BIG_ARG_GROWTH, BIG_ARG_INITIAL_SIZE, bigArgRoom, MAX_MULTIBULK, type ParserLimits } from '../../src/protocol/limits.js';
import { MAX_BUFFER } from '../../src/protocol/reply.js';
import { type BigArg, RequestParser, type RequestSink } from '../../src/protocol/request-parser.js';
import { useSluice } from '../helpers/fixture.js';
import { transcript } from '../helpers/raw-session.js';
import { encodeCommand, RespClient, type Resp } from '../helpers/resp-client.js';

type Event = { cmd: string[] } | { error: string } | 'overflow';

/**
 * Feeds chunks to a bare parser and records what it frames. Each chunk goes
 * through one reused buffer that is scribbled over after the call, as the
 * server's shared read buffer is overwritten by the next read: the parser
 * must copy whatever it keeps.
 */
function frame(chunks: Buffer[], limits: Partial<ParserLimits> = {}): Event[] {
  const events: Event[] = [];
  let failed = false;
  const sink: RequestSink = {
    command: (argv) => {
      events.push({ cmd: [...argv] });
      return true;
    },
    protocolError: (message) => {
      failed = true;
      events.push({ error: message });
    },
    queryBufferOverflow: () => {
      failed = true;
      events.push('overflow');
    },
  };
  const parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024, ...limits });
  const readBuffer = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  for (const chunk of chunks) {
    if (failed) break;
    chunk.copy(readBuffer);
    parser.feed(readBuffer.subarray(0, chunk.length));
    readBuffer.fill('#');
  }
  return events;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Events with long arguments shown by length, so that a failing comparison stays readable (and quick to print). */
function brief(events: Event[]): Event[] {
  return events.map((e) => (typeof e === 'object' && 'cmd' in e ? { cmd: e.cmd.map((a) => (a.length > 100 ? `<${a.length} bytes>` : a)) } : e));
}

/** Deterministic bytes: a 32-bit xorshift stream. */
function pseudoRandomBytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const VALID_MIX = bytes(
  'PING\r\n' +
    'ECHO "a b\\x41" \'c\\\'d\'\n' +
    '\r\n' +
    '*0\r\n' +
    '*-1\r\n' +
    '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' +
    '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nv\r\n\0\xffz\r\n' +
    '  ping \t\r\n' +
    '*1\r\n$4\r\nPING\r\n',
);

const EXPECTED_MIX: Event[] = [
  { cmd: ['PING'] },
  { cmd: ['ECHO', 'a bA', "c'd"] },
  { cmd: ['ECHO', ''] },
  { cmd: ['SET', 'k', 'v\r\n\0\xffz'] },
  { cmd: ['ping'] },
  { cmd: ['PING'] },
];

describe('request framing is independent of how the bytes are chunked', () => {
  test('a mix of inline and multibulk requests frames as expected in one chunk', () => {
    expect(frame([VALID_MIX])).toEqual(EXPECTED_MIX);
  });

  test('inline lines of every length around the part the parser scans itself (128 bytes) frame whole and split in two', () => {
    for (let len = 100; len <= 300; len++) {
      const word = 'w'.repeat(len - 'ECHO '.length);
      const input = bytes(`ECHO ${word}\r\nPING\r\n`);
      const expected = [{ cmd: ['ECHO', word] }, { cmd: ['PING'] }];
      expect(frame([input]), `line of ${len}`).toEqual(expected);
      for (const at of [1, 127, 128, 129, len, len + 1]) {
        expect(frame([input.subarray(0, at), input.subarray(at)]), `line of ${len} split at ${at}`).toEqual(expected);
      }
    }
  });

  test('one byte at a time gives the same requests', () => {
    const chunks = [...VALID_MIX].map((b) => Buffer.from([b]));
    expect(frame(chunks)).toEqual(EXPECTED_MIX);
  });

  test('every two-way split gives the same requests', () => {
    for (let at = 1; at < VALID_MIX.length; at++) {
      expect(frame([VALID_MIX.subarray(0, at), VALID_MIX.subarray(at)]), `split at ${at}`).toEqual(EXPECTED_MIX);
    }
  });

  test('every three-way split of a short request gives the same request', () => {
    const req = bytes('*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n');
    for (let a = 1; a < req.length; a++) {
      for (let b = a + 1; b < req.length; b++) {
        expect(frame([req.subarray(0, a), req.subarray(a, b), req.subarray(b)]), `split at ${a},${b}`).toEqual([
          { cmd: ['ECHO', 'abc'] },
        ]);
      }
    }
  });

  test('a large bulk split anywhere, including byte by byte, arrives intact', () => {
    const value = pseudoRandomBytes(40000, 7);
    const req = Buffer.concat([bytes('*2\r\n$4\r\nECHO\r\n$40000\r\n'), value, bytes('\r\nPING\r\n')]);
    const expected: Event[] = [{ cmd: ['ECHO', value.toString('latin1')] }, { cmd: ['PING'] }];
    const points = new Set<number>();
    for (let i = 1; i < 64; i++) points.add(i);
    for (let i = 64; i < req.length - 64; i += 997) points.add(i);
    for (let i = req.length - 64; i < req.length; i++) points.add(i);
    for (const at of points) {
      expect(frame([req.subarray(0, at), req.subarray(at)]), `split at ${at}`).toEqual(expected);
    }
    expect(frame([...req].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  test("a big bulk's own buffer is lent for that request only: argBytes gives its bytes, then nothing once the next request is framed or the parser forgets", () => {
    const value = pseudoRandomBytes(40000, 3);
    const seen: { argv: string[]; bytes: (BigArg | null)[] }[] = [];
    let parser!: RequestParser;
    const sink: RequestSink = {
      command: (argv) => {
        seen.push({ argv, bytes: argv.map((_, i) => parser.argBytes(argv, i)) });
        return true;
      },
      protocolError: () => {},
      queryBufferOverflow: () => {},
    };
    parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
    const req = Buffer.concat([bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40000\r\n'), value, bytes('\r\n')]);
    parser.feed(req.subarray(0, 100));
    parser.feed(req.subarray(100));
    expect(seen[0].bytes[0]).toBeNull();
    expect(seen[0].bytes[1]).toBeNull();
    // The buffer holds the bulk, its CRLF and room to grow into.
    expect(seen[0].bytes[2]!.bytes.subarray(0, value.length).equals(value)).toBe(true);
    expect(seen[0].bytes[2]!.length).toBe(value.length);
    expect(seen[0].bytes[2]!.bytes.length).toBe(value.length + 2 + bigArgRoom(value.length));
    expect(parser.argBytes(seen[0].argv, 2)).toBe(seen[0].bytes[2]);
    // Its string is made when first read, from the same bytes.
    expect(seen[0].argv[2]).toBe(value.toString('latin1'));
    parser.feed(bytes('PING\r\n'));
    expect(parser.argBytes(seen[0].argv, 2)).toBeNull();

    parser.feed(req.subarray(0, 100));
    parser.feed(req.subarray(100));
    parser.forgetRequestBytes();
    expect(parser.argBytes(seen[2].argv, 2)).toBeNull();
    // A bulk that arrived within one read is sliced straight from it: no buffer of its own.
    parser.feed(req);
    expect(seen[3].bytes[2]).toBeNull();
  });

  describe('an argument the sink takes as bytes', () => {
    /** A sink taking PUB's argument 2 as bytes while `allow()` says so, recording each request's argv, span and the questions asked. */
    function bytesSink(allow: () => boolean) {
      const seen: { argv: string[]; text: string[]; span: string | null }[] = [];
      const asked: string[] = [];
      let parser!: RequestParser;
      const sink: RequestSink = {
        command: (argv) => {
          const span = parser.unreadArg(argv, 2);
          seen.push({ argv, text: [...argv], span: span === null ? null : span.buf.latin1Slice(span.start, span.start + span.length) });
          return true;
        },
        protocolError: () => {},
        queryBufferOverflow: () => {},
        bytesArgument: (name) => {
          asked.push(name);
          return name === 'PUB' ? 2 : -1;
        },
        mayLeaveUnread: allow,
      };
      parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
      return { parser, seen, asked };
    }
    const pub = (message: string) => encodeCommand(['PUB', 'ch', message]);

    test('is left unread in a request framed from one read: argv holds an empty string and the span the bytes, while its command runs', () => {
      const { parser, seen } = bytesSink(() => true);
      const message = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
      parser.feed(Buffer.concat([pub(message), pub(''), encodeCommand(['PING'])]));
      expect(seen.map((r) => [r.text, r.span])).toEqual([
        [['PUB', 'ch', ''], message],
        [['PUB', 'ch', ''], ''],
        [['PING'], null],
      ]);
      expect(parser.unreadArg(seen[0].argv, 2)).toBeNull();
      expect(parser.unreadArg(seen[1].argv, 2)).toBeNull();
    });

    test('readUnread makes it a string in argv, after which the span is gone', () => {
      let parser!: RequestParser;
      const got: { before: string[]; after: string[]; span: boolean }[] = [];
      parser = new RequestParser(
        {
          command: (argv) => {
            const before = [...argv];
            parser.readUnread(argv);
            got.push({ before, after: [...argv], span: parser.unreadArg(argv, 2) !== null });
            return true;
          },
          protocolError: () => {},
          queryBufferOverflow: () => {},
          bytesArgument: () => 2,
          mayLeaveUnread: () => true,
        },
        { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 },
      );
      parser.feed(pub('m'.repeat(100)));
      expect(got).toEqual([{ before: ['PUB', 'ch', ''], after: ['PUB', 'ch', 'm'.repeat(100)], span: false }]);
    });

    test('is a string like the others when the sink does not allow it, when its request spans reads or lacks it, or for another command', () => {
      let allow = false;
      const { parser, seen } = bytesSink(() => allow);
      parser.feed(pub('refused'));
      allow = true;
      const split = pub('split across reads');
      parser.feed(split.subarray(0, 20));
      parser.feed(split.subarray(20));
      parser.feed(Buffer.concat([encodeCommand(['PUB', 'ch']), encodeCommand(['PUB', 'ch', 'm', 'extra']), encodeCommand(['ECHO', 'ch', 'm'])]));
      expect(seen.map((r) => [r.text, r.span])).toEqual([
        [['PUB', 'ch', 'refused'], null],
        [['PUB', 'ch', 'split across reads'], null],
        [['PUB', 'ch'], null],
        [['PUB', 'ch', '', 'extra'], 'm'],
        [['ECHO', 'ch', 'm'], null],
      ]);
    });

    test('the sink is asked about a name once while it repeats, and whether to leave the argument unread at every such request', () => {
      let allowed = 0;
      const { parser, seen, asked } = bytesSink(() => (allowed++, true));
      parser.feed(Buffer.concat([pub('a'), pub('b'), pub('c'), encodeCommand(['PING']), pub('d')]));
      expect(seen.map((r) => r.span)).toEqual(['a', 'b', 'c', null, 'd']);
      expect(asked).toEqual(['PUB', 'PING', 'PUB']);
      expect(allowed).toBe(4);
    });
  });

  test('a protocol error is reported the same wherever the input is split, after the requests before it', () => {
    const inputs: [string, Event[]][] = [
      ['PING\r\n*1\r\nx\r\nPING\r\n', [{ cmd: ['PING'] }, { error: "Protocol error: expected '$', got 'x'" }]],
      ['PING\r\nECHO "a\r\nPING\r\n', [{ cmd: ['PING'] }, { error: 'Protocol error: unbalanced quotes in request' }]],
      ['*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\n', [{ cmd: ['PING'] }, { error: 'Protocol error: invalid bulk length' }]],
      ['PING\n*-0\r\n', [{ cmd: ['PING'] }, { error: 'Protocol error: invalid multibulk length' }]],
    ];
    for (const [text, expected] of inputs) {
      const input = bytes(text);
      for (let at = 1; at < input.length; at++) {
        expect(frame([input.subarray(0, at), input.subarray(at)]), `${JSON.stringify(text)} split at ${at}`).toEqual(expected);
      }
    }
  });

  test("names, keys and third arguments that repeat, or differ from the previous request's only in some bytes or in case, come out as sent", () => {
    const long = 'x'.repeat(70);
    const field = 'f'.repeat(24);
    const requests = [
      ['SET', 'k1', 'v'], ['SET', 'k1', 'v'], ['GET', 'k2'], ['set', 'K2', 'w'], ['SEt', 'k2'], ['SETNX', 'k1', 'v'], ['SET', '', ''],
      ['S\xffT', 'k\xff'], ['x'.repeat(40), long], ['x'.repeat(40), long], ['x'.repeat(39) + 'y', long.slice(1) + 'y'], ['PING'], ['PING', ''],
      ['HSET', 'h', field, 'v'], ['HSET', 'h', field, 'v'], ['HSET', 'h', 'g' + field.slice(1), 'v'], ['HSET', 'h', field.slice(1) + 'g', 'v'],
      ['HSET', 'h', field + 'f', 'v'], ['HSET', 'h', field + 'g', 'v'], ['HSET', 'h', field, 'v'], ['HSET', 'h', 'F', 'v'], ['HSET', 'h'],
    ];
    const input = bytes(requests.map((r) => `*${r.length}\r\n` + r.map((a) => `$${a.length}\r\n${a}\r\n`).join('')).join(''));
    const expected = requests.map((r) => ({ cmd: r }));
    expect(frame([input])).toEqual(expected);
    expect(frame([...input].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  test("a header is judged only once its line is complete, as Redis does", () => {
    expect(frame([bytes('*1\r\nx\r')])).toEqual([]);
    expect(frame([bytes('*1\r\nx\r'), bytes('\n')])).toEqual([{ error: "Protocol error: expected '$', got 'x'" }]);
    expect(frame([bytes('*x\r')])).toEqual([]);
  });

  test('header numbers follow string2ll: no leading zeros, no -0, 64-bit range', () => {
    expect(frame([bytes('*-9223372036854775808\r\nPING\r\n')])).toEqual([{ cmd: ['PING'] }]);
    expect(frame([bytes('*-9223372036854775809\r\n')])).toEqual([{ error: 'Protocol error: invalid multibulk length' }]);
    expect(frame([bytes('*1\r\n$9223372036854775808\r\n')])).toEqual([{ error: 'Protocol error: invalid bulk length' }]);
    expect(frame([bytes('*1\r\n$0\r\n\r\n')])).toEqual([{ cmd: [''] }]);
    expect(frame([bytes('*1\r\n$00\r\n\r\n')])).toEqual([{ error: 'Protocol error: invalid bulk length' }]);
  });

  test('an inline line of more than 64 KiB before its newline (a CR included) is refused whether or not the newline came in the same chunk', () => {
    const line = (n: number) => 'ECHO ' + 'a'.repeat(n - 5);
    expect(brief(frame([bytes(line(65536) + '\n')]))).toEqual([{ cmd: ['ECHO', '<65531 bytes>'] }]);
    expect(brief(frame([bytes(line(65535) + '\r\n')]))).toEqual([{ cmd: ['ECHO', '<65530 bytes>'] }]);
    expect(brief(frame([bytes(line(65536) + '\r\n')]))).toEqual([{ error: 'Protocol error: too big inline request' }]);
    const over = bytes(line(65537) + '\n');
    for (const at of [over.length, over.length - 1, 65537, 65536, 1000]) {
      expect(brief(frame([over.subarray(0, at), over.subarray(at)])), `split at ${at}`).toEqual([{ error: 'Protocol error: too big inline request' }]);
    }
  });

  test('the query buffer limit counts arguments already read of an unfinished request', () => {
    const limits = { queryBufferLimit: 100 + 2 * ARG_OVERHEAD };
    const arg = 'x'.repeat(60);
    const first = bytes(`*3\r\n$3\r\nSET\r\n$60\r\n${arg}\r\n`);
    expect(frame([first], limits)).toEqual([]);
    expect(frame([first, bytes(`$60\r\n${arg.slice(0, 50)}`)], limits)).toEqual(['overflow']);
  });
});

describe('a big bulk arriving over many reads', () => {
  const MIB = 1024 * 1024;

  /**
   * Feeds SET k <value of `len` bytes> in reads of 64 KiB, recording each
   * buffer the parser allocates and how many bytes had been fed by then.
   */
  function feedInReads(len: number): { argv: string[]; allocations: { size: number; fed: number }[] } {
    let argv: string[] = [];
    const parser = new RequestParser(
      { command: (a) => ((argv = a), true), protocolError: () => {}, queryBufferOverflow: () => {} },
      { maxBulkLen: 512 * MIB, queryBufferLimit: 1024 * MIB },
    );
    const req = Buffer.concat([bytes(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${len}\r\n`), Buffer.alloc(len, 'v'), bytes('\r\n')]);
    const allocations: { size: number; fed: number }[] = [];
    let fed = 0;
    const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
    const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size) => (allocations.push({ size, fed }), allocUnsafe(size)));
    try {
      for (let at = 0; at < req.length; at += 64 * 1024) {
        const read = req.subarray(at, at + 64 * 1024);
        fed += read.length;
        parser.feed(read);
      }
    } finally {
      spy.mockRestore();
    }
    return { argv, allocations };
  }

  test('is copied into a buffer of 1 MiB, then one eight times larger, then one of its whole length and room: 9 MiB outgrown for 24 MiB, where doubling left 31', () => {
    const len = 24 * MIB;
    const { argv, allocations } = feedInReads(len);
    expect(argv[2].length).toBe(len);
    expect(argv[2] === 'v'.repeat(len)).toBe(true);
    expect(allocations.map((a) => a.size)).toEqual([BIG_ARG_INITIAL_SIZE, BIG_ARG_GROWTH * BIG_ARG_INITIAL_SIZE, len + 2 + bigArgRoom(len)]);
  });

  test('never has more reserved than 16 times what has arrived, past the first 1 MiB: a header alone cannot reserve its length', () => {
    for (const len of [2 * MIB, 9 * MIB, 24 * MIB, 100 * MIB]) {
      const { argv, allocations } = feedInReads(len);
      expect(argv[2].length, `${len}`).toBe(len);
      expect(allocations[0].size, `${len}`).toBe(BIG_ARG_INITIAL_SIZE);
      for (const { size, fed } of allocations.slice(1)) expect(size, `${len}: ${size} after ${fed}`).toBeLessThanOrEqual(16 * fed);
      expect(allocations.at(-1)!.size, `${len}`).toBe(len + 2 + bigArgRoom(len));
    }
  });
});

describe('lengths V8 cannot hold are refused at their header', () => {
  const SET_K = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n';

  /** Feeds one chunk to a parser with proto-max-bulk-len at its maximum, recording the parser's Buffer allocations. */
  function feedWatchingAllocations(input: string): { events: Event[]; allocations: number[] } {
    const events: Event[] = [];
    const parser = new RequestParser(
      {
        command: (argv) => (events.push({ cmd: [...argv] }), true),
        protocolError: (message) => void events.push({ error: message }),
        queryBufferOverflow: () => void events.push('overflow'),
      },
      { maxBulkLen: Number.MAX_SAFE_INTEGER, queryBufferLimit: Number.MAX_SAFE_INTEGER },
    );
    const chunk = bytes(input);
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      parser.feed(chunk);
      return { events, allocations: alloc.mock.calls.map(([size]) => size) };
    } finally {
      alloc.mockRestore();
    }
  }

  test("V8's longest string is 536870888 chars, 24 below the default proto-max-bulk-len", () => {
    expect(constants.MAX_STRING_LENGTH).toBe(536870888);
  });

  test("a bulk one byte longer than V8's longest string is refused as an invalid bulk length, with nothing allocated for it", () => {
    const { events, allocations } = feedWatchingAllocations(SET_K + '$536870889\r\n');
    expect(events).toEqual([{ error: 'Protocol error: invalid bulk length' }]);
    expect(allocations).toEqual([]);
  });

  test("a bulk header at V8's longest string, or below, is accepted and only a first block is allocated for its data", () => {
    for (const len of [536870888, 536870887, 100000]) {
      const { events, allocations } = feedWatchingAllocations(SET_K + `$${len}\r\n`);
      expect(events, `$${len}`).toEqual([]);
      expect(allocations, `$${len}`).toEqual([Math.min(len + 2 + bigArgRoom(len), BIG_ARG_INITIAL_SIZE)]);
    }
  });

  test("before AUTH a bulk over V8's limit still gets the unauthenticated error first, as Redis orders its checks", () => {
    const events: Event[] = [];
    const parser = new RequestParser(
      { command: () => true, protocolError: (message) => void events.push({ error: message }), queryBufferOverflow: () => {} },
      { maxBulkLen: Number.MAX_SAFE_INTEGER, queryBufferLimit: Number.MAX_SAFE_INTEGER },
    );
    parser.authenticated = false;
    parser.feed(bytes('*2\r\n$4\r\nAUTH\r\n$536870889\r\n'));
    expect(events).toEqual([{ error: 'Protocol error: unauthenticated bulk length' }]);
  });
});

describe('input that arrives while the client cannot take a command', () => {
  /** A parser whose sink stops after each BLPOP, as the server stops a client that blocks; long arguments are recorded by length. */
  function stoppingParser(limits: Partial<ParserLimits> = {}): { parser: RequestParser; events: Event[]; feed(chunk: Buffer): void } {
    const events: Event[] = [];
    const parser = new RequestParser(
      {
        command: (argv) => {
          events.push({ cmd: argv.map((a) => (a.length > 100 ? `<${a.length} bytes>` : a)) });
          return argv[0] !== 'BLPOP';
        },
        protocolError: (message) => void events.push({ error: message }),
        queryBufferOverflow: () => void events.push('overflow'),
      },
      { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024, ...limits },
    );
    // Borrowed like the server's shared read buffer: scribbled over after each call.
    const feed = (chunk: Buffer) => {
      const readBuffer = Buffer.from(chunk);
      parser.feed(readBuffer);
      readBuffer.fill('#');
    };
    return { parser, events, feed };
  }

  test('is read in order once the client resumes, across held blocks, a large bulk and a second stop', () => {
    const { parser, events, feed } = stoppingParser();
    const big = pseudoRandomBytes(200000, 3).toString('latin1');
    const input = Buffer.concat([
      encodeCommand(['BLPOP', 'q', '0']),
      encodeCommand(['ECHO', big]),
      bytes('PING\r\n'),
      encodeCommand(['BLPOP', 'q', '0']),
      encodeCommand(['SET', 'k', 'v']),
      bytes('ECHO "a b"\r\n'),
    ]);
    for (let at = 0; at < input.length; at += 7000) feed(input.subarray(at, at + 7000));
    expect(events).toEqual([{ cmd: ['BLPOP', 'q', '0'] }]);
    parser.resume();
    expect(events.slice(1)).toEqual([{ cmd: ['ECHO', '<200000 bytes>'] }, { cmd: ['PING'] }, { cmd: ['BLPOP', 'q', '0'] }]);
    feed(bytes('PING\r\n'));
    expect(events).toHaveLength(4);
    parser.resume();
    expect(events.slice(4)).toEqual([{ cmd: ['SET', 'k', 'v'] }, { cmd: ['ECHO', 'a b'] }, { cmd: ['PING'] }]);
    expect(parser.pendingBytes).toBe(0);
  });

  test('is copied once, into blocks of 64 KiB, instead of being concatenated again at every read', () => {
    const { parser, feed } = stoppingParser();
    feed(encodeCommand(['BLPOP', 'q', '0']));
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      for (let i = 0; i < 1000; i++) feed(bytes('PING\r\n'.repeat(100)));
      expect(concat.mock.calls.length).toBe(0);
      expect(alloc.mock.calls.map(([size]) => size)).toEqual(Array.from({ length: Math.ceil(600000 / 65536) }, () => 65536));
    } finally {
      alloc.mockRestore();
      concat.mockRestore();
    }
    expect(parser.pendingBytes).toBe(600000);
  });

  test('counts toward client-query-buffer-limit', () => {
    const { events, feed } = stoppingParser({ queryBufferLimit: 100000 });
    feed(encodeCommand(['BLPOP', 'q', '0']));
    feed(bytes('PING\r\n'.repeat(10000)));
    expect(events).toEqual([{ cmd: ['BLPOP', 'q', '0'] }]);
    feed(bytes('PING\r\n'.repeat(10000)));
    expect(events).toEqual([{ cmd: ['BLPOP', 'q', '0'] }, 'overflow']);
  });
});

describe('a multibulk count argv could never reach is refused at its header', () => {
  test(`up to MAX_MULTIBULK (${MAX_MULTIBULK}) arguments are accepted; one more, or INT_MAX, is an invalid multibulk length`, () => {
    expect(MAX_MULTIBULK).toBeLessThan(112_000_000);
    expect(frame([bytes(`*${MAX_MULTIBULK}\r\n$4\r\nPING\r\n`)])).toEqual([]);
    expect(frame([bytes(`*${MAX_MULTIBULK + 1}\r\n`)])).toEqual([{ error: 'Protocol error: invalid multibulk length' }]);
    expect(frame([bytes('*2147483647\r\n')])).toEqual([{ error: 'Protocol error: invalid multibulk length' }]);
  });

  test('before AUTH such a count gets the unauthenticated error, as Redis gives for any count over 10 up to INT_MAX', () => {
    const events: Event[] = [];
    const parser = new RequestParser(
      { command: () => true, protocolError: (message) => void events.push({ error: message }), queryBufferOverflow: () => {} },
      { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 },
    );
    parser.authenticated = false;
    parser.feed(bytes('*2147483647\r\n'));
    expect(events).toEqual([{ error: 'Protocol error: unauthenticated multibulk length' }]);
  });
});

describe('every argument read counts toward client-query-buffer-limit', () => {
  const emptyBulks = (n: number) => bytes('$0\r\n\r\n'.repeat(n));

  test(`an unfinished request is charged ARG_OVERHEAD (${ARG_OVERHEAD}) bytes per argument on top of its bytes`, () => {
    const limits = { queryBufferLimit: 1000 * ARG_OVERHEAD };
    expect(frame([bytes(`*${MAX_MULTIBULK}\r\n`), emptyBulks(1000)], limits)).toEqual([]);
    expect(frame([bytes(`*${MAX_MULTIBULK}\r\n`), emptyBulks(1001)], limits)).toEqual(['overflow']);
    expect(frame([bytes(`*${MAX_MULTIBULK}\r\n`), emptyBulks(500), bytes('$2\r\nab\r\n'.repeat(500))], limits)).toEqual(['overflow']);
  });

  test('arguments are charged as they are read: a request whose arguments pass the limit is refused even when it arrives whole in one chunk', () => {
    const limits = { queryBufferLimit: 1000 * ARG_OVERHEAD };
    expect(frame([bytes('*1000\r\n'), emptyBulks(1000)], limits)).toHaveLength(1);
    expect(frame([Buffer.concat([bytes('*1001\r\n'), emptyBulks(1001)])], limits)).toEqual(['overflow']);
  });

  test('a finished request releases its charge: requests of many arguments pipelined past the limit are all served', () => {
    const one = bytes('*1000\r\n' + '$0\r\n\r\n'.repeat(1000));
    const events = frame(Array.from({ length: 5 }, () => one), { queryBufferLimit: 1000 * ARG_OVERHEAD });
    expect(events).toHaveLength(5);
    expect(events.every((e) => typeof e === 'object' && 'cmd' in e && e.cmd.length === 1000)).toBe(true);
  });

  test('input held while the client could not take a command is charged argument by argument when it is read', () => {
    const events: Event[] = [];
    const parser = new RequestParser(
      {
        command: (argv) => {
          events.push({ cmd: argv.length > 3 ? [`${argv.length} arguments`] : [...argv] });
          return argv[0] !== 'BLPOP';
        },
        protocolError: (message) => void events.push({ error: message }),
        queryBufferOverflow: () => void events.push('overflow'),
      },
      { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1000 * ARG_OVERHEAD },
    );
    parser.feed(bytes('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*5000\r\n'));
    // 30000 bytes: under the limit as bytes, but 5000 arguments are charged 200000.
    parser.feed(emptyBulks(5000));
    expect(events).toEqual([{ cmd: ['BLPOP', 'q', '0'] }]);
    parser.resume();
    expect(events).toEqual([{ cmd: ['BLPOP', 'q', '0'] }, 'overflow']);
  });
});

describe('protocol over sockets', () => {
  const sluice = useSluice();

  async function writeAll(c: RespClient, chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) await new Promise<void>((resolve) => c.socket.write(chunk, () => resolve()));
  }

  function readN(c: RespClient, n: number): Promise<Resp[]> {
    return Promise.all(Array.from({ length: n }, () => c.read()));
  }

  const MIX = bytes('PING\r\nECHO "x y"\r\n*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n\r\n*0\r\nPING hello\n*1\r\n$4\r\nPING\r\n');
  const MIX_REPLIES: Resp[] = [
    { t: 'simple', v: 'PONG' },
    { t: 'bulk', v: 'x y' },
    { t: 'bulk', v: 'a\r\nb' },
    { t: 'bulk', v: 'hello' },
    { t: 'simple', v: 'PONG' },
  ];

  test('requests written one byte per write get the same replies', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      c.socket.setNoDelay(true);
      const replies = readN(c, MIX_REPLIES.length);
      await writeAll(c, [...MIX].map((b) => Buffer.from([b])));
      expect(await replies).toEqual(MIX_REPLIES);
    } finally {
      c.close();
    }
  });

  test('requests split in two at every byte get the same replies', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      c.socket.setNoDelay(true);
      for (let at = 1; at < MIX.length; at++) {
        const replies = readN(c, MIX_REPLIES.length);
        await writeAll(c, [MIX.subarray(0, at)]);
        await new Promise((r) => setImmediate(r));
        await writeAll(c, [MIX.subarray(at)]);
        expect(await replies, `split at ${at}`).toEqual(MIX_REPLIES);
      }
    } finally {
      c.close();
    }
  });

  test('ten thousand pipelined requests in one write are all answered, in order', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      const n = 10000;
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) parts.push(i % 2 === 0 ? encodeCommand(['ECHO', String(i)]) : bytes(`ECHO ${i}\r\n`));
      const replies = readN(c, n);
      c.writeRaw(Buffer.concat(parts));
      const got = await replies;
      expect(got.map((r) => (r.t === 'bulk' ? r.v : r.t))).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    } finally {
      c.close();
    }
  });

  test('empty requests and lines are ignored, without replies', async () => {
    const t = await transcript(sluice.port, ['\r\n', '\n', '*0\r\n', '*-1\r\n', '   \r\n', 'PING\r\n']);
    expect(t).toEqual({ replies: [{ t: 'simple', v: 'PONG' }], closed: false, timedOut: false });
  });

  const ERRORS: [string, string][] = [
    ['*1\r\nx\r\n', "ERR Protocol error: expected '$', got 'x'"],
    ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'ERR Protocol error: invalid bulk length'],
    ['ECHO "abc\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ["ECHO 'a'b\r\n", 'ERR Protocol error: unbalanced quotes in request'],
    ['A'.repeat(64 * 1024 + 1), 'ERR Protocol error: too big inline request'],
    ['*' + '1'.repeat(64 * 1024), 'ERR Protocol error: too big mbulk count string'],
    ['*1\r\n$' + '1'.repeat(64 * 1024), 'ERR Protocol error: too big bulk count string'],
  ];
  for (const [input, error] of ERRORS) {
    test(`${error.slice(20)}: replied after the requests before it, then the connection closes`, async () => {
      const t = await transcript(sluice.port, ['PING\r\n' + input], { marker: null });
      expect(t).toEqual({ replies: [{ t: 'simple', v: 'PONG' }, { t: 'error', v: error }], closed: true, timedOut: false });
    });
  }

  test("a SET whose bulk is under proto-max-bulk-len but longer than V8's longest string: invalid bulk length at its header, the connection closes, the server goes on", async () => {
    const other = await RespClient.connect(sluice.port);
    try {
      const t = await transcript(sluice.port, ['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870896\r\n', 'x'.repeat(1024)], { marker: null });
      expect(t).toEqual({ replies: [{ t: 'error', v: 'ERR Protocol error: invalid bulk length' }], closed: true, timedOut: false });
      expect(await other.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    } finally {
      other.close();
    }
  });

  test('an inline line over 64 KiB that arrives while its client is blocked is refused once the client resumes, and the server goes on', async () => {
    const other = await RespClient.connect(sluice.port);
    try {
      const session = transcript(sluice.port, ['BLPOP held-line-q 0\r\n', 'ECHO ' + 'a'.repeat(200000) + '\r\n'], { marker: null });
      // The line must be held by the blocked client before its BLPOP is served.
      for (;;) {
        const list = await other.call('CLIENT', 'LIST');
        const qbuf = /qbuf=(\d+)[^\n]*cmd=blpop/.exec(list.t === 'bulk' ? list.v ?? '' : '');
        if (qbuf !== null && Number(qbuf[1]) === 200007) break;
      }
      expect(await other.call('LPUSH', 'held-line-q', 'x')).toEqual({ t: 'int', v: '1' });
      const t = await session;
      expect(t.replies.map((r) => (r.t === 'bulk' && r.v !== null && r.v.length > 100 ? `<${r.v.length} bytes>` : r))).toEqual([
        { t: 'array', v: [{ t: 'bulk', v: 'held-line-q' }, { t: 'bulk', v: 'x' }] },
        { t: 'error', v: 'ERR Protocol error: too big inline request' },
      ]);
      expect(t.closed).toBe(true);
      expect(await other.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    } finally {
      other.close();
    }
  });

  test('a 20 MB value round-trips intact across many chunks', async () => {
    const value = pseudoRandomBytes(20 * 1024 * 1024, 2024);
    const socket = net.connect({ port: sluice.port, host: '127.0.0.1' });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const header = bytes(`$${value.length}\r\n`);
      const expectedLength = header.length + value.length + 2;
      const received: Buffer[] = [];
      let total = 0;
      let chunks = 0;
      const reply = new Promise<Buffer>((resolve, reject) => {
        socket.on('data', (d: Buffer) => {
          received.push(d);
          total += d.length;
          chunks++;
          if (total >= expectedLength) resolve(Buffer.concat(received));
        });
        socket.once('close', () => reject(new Error('connection closed')));
      });
      socket.write(bytes(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n`));
      for (let at = 0; at < value.length; at += 64 * 1024) socket.write(value.subarray(at, at + 64 * 1024));
      socket.write(bytes('\r\n'));
      const out = await reply;
      expect(chunks).toBeGreaterThan(1);
      expect(out.length).toBe(expectedLength);
      expect(out.subarray(0, header.length).equals(header)).toBe(true);
      expect(out.subarray(header.length, header.length + value.length).equals(value)).toBe(true);
      expect(out.subarray(expectedLength - 2).toString()).toBe('\r\n');
    } finally {
      socket.destroy();
    }
  });
});

describe('replies larger than one buffer', () => {
  const sluice = useSluice();
  // Three values that together pass MAX_BUFFER, so the reply is sealed into pieces on its way out.
  const values = [1, 2, 3].map((seed) => pseudoRandomBytes(MAX_BUFFER / 2 + seed, seed));

  /** Sends raw bytes on a new connection and returns exactly `length` bytes of what comes back. */
  async function exchange(request: Buffer, length: number): Promise<Buffer> {
    const socket = net.connect({ port: sluice.port, host: '127.0.0.1' });
    try {
      const received: Buffer[] = [];
      let total = 0;
      const reply = new Promise<Buffer>((resolve, reject) => {
        socket.on('data', (d: Buffer) => {
          received.push(d);
          total += d.length;
          if (total >= length) resolve(Buffer.concat(received));
        });
        socket.once('close', () => reject(new Error(`connection closed after ${total} of ${length} bytes`)));
        socket.once('error', reject);
      });
      socket.write(request);
      const out = await reply;
      expect(out.length).toBe(length);
      return out;
    } finally {
      socket.destroy();
    }
  }

  test('an MGET whose reply passes MAX_BUFFER arrives whole, byte-exact and in order', async () => {
    const c = await sluice.connect();
    for (let i = 0; i < values.length; i++) expect(await c.call('SET', `big${i}`, values[i].toString('latin1'))).toEqual({ t: 'simple', v: 'OK' });
    const expected = Buffer.concat([
      bytes('*4\r\n'),
      ...values.flatMap((v, i) => (i === 1 ? [bytes('$-1\r\n'), bytes(`$${v.length}\r\n`), v, bytes('\r\n')] : [bytes(`$${v.length}\r\n`), v, bytes('\r\n')])),
      bytes('+PONG\r\n'),
    ]);
    const out = await exchange(Buffer.concat([encodeCommand(['MGET', 'big0', 'missing', 'big1', 'big2']), bytes('PING\r\n')]), expected.length);
    expect(out.equals(expected)).toBe(true);
  });

  test('CLIENT REPLY OFF and SKIP drop such a reply whole, and the replies after it come out intact', async () => {
    const c = await sluice.connect();
    for (let i = 0; i < values.length; i++) await c.call('SET', `big${i}`, values[i].toString('latin1'));
    const request = Buffer.concat([
      encodeCommand(['CLIENT', 'REPLY', 'OFF']),
      encodeCommand(['MGET', 'big0', 'big1', 'big2']),
      encodeCommand(['CLIENT', 'REPLY', 'ON']),
      encodeCommand(['CLIENT', 'REPLY', 'SKIP']),
      encodeCommand(['MGET', 'big2', 'big1', 'big0']),
      encodeCommand(['ECHO', 'after']),
    ]);
    const expected = bytes('+OK\r\n$5\r\nafter\r\n');
    expect((await exchange(request, expected.length)).toString('latin1')).toBe(expected.toString('latin1'));
  });
});

describe('size limits changed with CONFIG SET take effect at once', () => {
  const sluice = useSluice();

  async function configSet(name: string, value: string): Promise<void> {
    const c = await RespClient.connect(sluice.port);
    try {
      expect(await c.call('CONFIG', 'SET', name, value)).toEqual({ t: 'simple', v: 'OK' });
    } finally {
      c.close();
    }
  }

  test('proto-max-bulk-len: a bulk header above it gets the error and the connection closes', async () => {
    await configSet('proto-max-bulk-len', '1mb');
    try {
      const refused = await transcript(sluice.port, ['*2\r\n$4\r\nECHO\r\n$2097152\r\n'], { marker: null });
      expect(refused).toEqual({ replies: [{ t: 'error', v: 'ERR Protocol error: invalid bulk length' }], closed: true, timedOut: false });
      const accepted = await transcript(sluice.port, ['*2\r\n$4\r\nECHO\r\n$1048576\r\n', 'y'.repeat(1048576) + '\r\n']);
      expect(accepted).toEqual({ replies: [{ t: 'bulk', v: 'y'.repeat(1048576) }], closed: false, timedOut: false });
    } finally {
      await configSet('proto-max-bulk-len', '512mb');
    }
  });

  test('client-query-buffer-limit: an incomplete request beyond it closes the connection without a reply', async () => {
    await configSet('client-query-buffer-limit', '1mb');
    try {
      const before = sluice.server.stats.clientQueryBufferLimitDisconnections;
      const t = await transcript(sluice.port, ['*2\r\n$4\r\nECHO\r\n$2000000\r\n', 'z'.repeat(1500000)], { marker: null });
      expect(t).toEqual({ replies: [], closed: true, timedOut: false });
      expect(sluice.server.stats.clientQueryBufferLimitDisconnections).toBe(before + 1);
    } finally {
      await configSet('client-query-buffer-limit', '1gb');
    }
  });

  test('client-query-buffer-limit: pipelined complete requests adding up to more than it are all served', async () => {
    await configSet('client-query-buffer-limit', '1mb');
    try {
      const n = 3000;
      const one = encodeCommand(['ECHO', 'v'.repeat(1000)]);
      const t = await transcript(sluice.port, [Buffer.concat(Array.from({ length: n }, () => one))]);
      expect(t.closed).toBe(false);
      expect(t.replies.length).toBe(n);
    } finally {
      await configSet('client-query-buffer-limit', '1gb');
    }
  });
});

describe('one client cannot make the process abort', () => {
  const sluice = useSluice({ start: { config: { 'client-query-buffer-limit': '1mb' } } });

  test('a multibulk of empty bulks is closed at client-query-buffer-limit by its per-argument charge, and other clients are served', async () => {
    const other = await RespClient.connect(sluice.port);
    try {
      const before = sluice.server.stats.clientQueryBufferLimitDisconnections;
      // 1.2 MB of input, but 200000 arguments: the 1mb limit is passed after 26215 of them.
      const flood = bytes(`*${MAX_MULTIBULK}\r\n` + '$0\r\n\r\n'.repeat(200000));
      const t = await transcript(sluice.port, [flood], { marker: null });
      expect(t).toEqual({ replies: [], closed: true, timedOut: false });
      expect(sluice.server.stats.clientQueryBufferLimitDisconnections).toBe(before + 1);
      expect(await other.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
      expect(await other.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
    } finally {
      other.close();
    }
  });
});

describe('limits before authentication', () => {
  const sluice = useSluice({ start: { config: { requirepass: 'pw' } } });

  test('more than 10 arguments: unauthenticated multibulk length, then close', async () => {
    const t = await transcript(sluice.port, ['*11\r\n'], { marker: null });
    expect(t).toEqual({ replies: [{ t: 'error', v: 'ERR Protocol error: unauthenticated multibulk length' }], closed: true, timedOut: false });
  });

  test('a bulk over 16384 bytes: unauthenticated bulk length, then close', async () => {
    const t = await transcript(sluice.port, ['*2\r\n$4\r\nECHO\r\n$16385\r\n'], { marker: null });
    expect(t).toEqual({ replies: [{ t: 'error', v: 'ERR Protocol error: unauthenticated bulk length' }], closed: true, timedOut: false });
  });

  test('after AUTH the full limits apply', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      expect(await c.call('AUTH', 'pw')).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call('ECHO', 'q'.repeat(20000))).toEqual({ t: 'bulk', v: 'q'.repeat(20000) });
      expect(await c.call('PING', ...Array.from({ length: 10 }, () => 'a'))).toEqual({
        t: 'error',
        v: "ERR wrong number of arguments for 'ping' command",
      });
    } finally {
      c.close();
    }
  });
});
