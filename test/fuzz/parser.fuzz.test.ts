import { describe, expect, test } from 'vitest';
import { RequestParser, type RequestSink } from '../../src/protocol/request-parser.js';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, RespClient } from '../helpers/resp-client.js';
import { runCampaign } from './campaign.js';
import { chunked, mutate } from './mutate.js';
import { Rng } from './rng.js';

/**
 * Well-formed requests to mutate. Only commands that are harmless whatever
 * their arguments become: nothing that shuts down, pauses, sleeps, blocks or
 * reconfigures the server.
 */
const SEEDS: Buffer[] = [
  ...[
    ['PING'], ['PING', 'hello'], ['ECHO', 'x'.repeat(40)], ['SELECT', '3'], ['DBSIZE'], ['MULTI'], ['EXEC'],
    ['DISCARD'], ['WATCH', 'k1', 'k2'], ['UNWATCH'], ['HELLO', '3'], ['HELLO', '2'], ['FLUSHDB'], ['SET', 'k', 'v'],
    ['GET', 'k'], ['AUTH', 'a', 'b'], ['SWAPDB', '0', '1'], ['ECHO', '\0\r\n\xff'], ['NOSUCH', 'arg'],
    ['PUBLISH', 'ch', 'm'.repeat(70)], ['SPUBLISH', 'ch', '\0\r\n\xff'],
  ].map((argv) => encodeCommand(argv)),
  ...['PING\r\n', 'ECHO "a\\x41 b" \'c\\\'d\'\r\n', 'SELECT 2\n', '  DBSIZE\t\r\n', '\r\n', 'MULTI\r\nPING\r\nEXEC\r\n'].map((s) =>
    Buffer.from(s, 'latin1'),
  ),
];

/** One random or mutated input; never longer than a few kilobytes. */
function makeInput(rng: Rng): Buffer {
  const kind = rng.int(10);
  if (kind === 0) return rng.bytes(rng.int(200));
  // Some inputs stay valid so that connections live long enough to reach command execution.
  if (kind <= 3) return rng.pick(SEEDS);
  return mutate(rng, rng.pick(SEEDS), SEEDS);
}

type Event = string;

/** Arguments a sink of `frame` takes as bytes, by command name as sent. */
const BYTES_ARGUMENTS = new Map([['PUBLISH', 2], ['SPUBLISH', 2], ['ECHO', 1], ['SET', 2]]);

/**
 * What a bare parser makes of a sequence of chunks, as comparable strings.
 * With `takesBytes` its sink takes an argument of some commands as bytes,
 * and records that argument from the span the parser lends, when it does.
 */
function frame(chunks: Buffer[], takesBytes = false): Event[] {
  const events: Event[] = [];
  let failed = false;
  let parser!: RequestParser;
  const sink: RequestSink = {
    command: (argv) => {
      const i = BYTES_ARGUMENTS.get(argv[0]) ?? -1;
      const span = i < 0 ? null : parser.unreadArg(argv, i);
      const args = [...argv];
      if (span !== null) args[i] = span.buf.latin1Slice(span.start, span.start + span.length);
      events.push('cmd ' + JSON.stringify(args));
      return true;
    },
    ...(takesBytes ? { bytesArgument: (name: string) => BYTES_ARGUMENTS.get(name) ?? -1, mayLeaveUnread: () => true } : {}),
    protocolError: (message) => {
      failed = true;
      events.push('error ' + message);
    },
    queryBufferOverflow: () => {
      failed = true;
      events.push('overflow');
    },
  };
  parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
  for (const c of chunks) {
    if (failed) break;
    parser.feed(c);
  }
  return events;
}

describe('request parser fuzzing', () => {
  test('20,000 mutated inputs never throw and frame the same however they are chunked, with arguments taken as bytes or not', () => {
    const rng = new Rng(0x5eed1);
    for (let i = 0; i < 20000; i++) {
      // Several inputs back to back, so each starts in whatever state the previous one left.
      const input = Buffer.concat(Array.from({ length: 1 + rng.int(3) }, () => makeInput(rng)));
      const whole = frame([input]);
      const label = `input #${i}: ${JSON.stringify(input.toString('latin1'))}`;
      const pieces = chunked(rng, input);
      expect(frame(pieces), label).toEqual(whole);
      expect(frame(pieces, true), label).toEqual(whole);
      expect(frame([input], true), label).toEqual(whole);
    }
  });
});

describe('server fuzzing over sockets', () => {
  const sluice = useSluice();

  const INPUTS = 12000;
  const WORKERS = 8;
  const INPUTS_PER_CONNECTION = 12;
  /** A connection the server has not closed by then is destroyed by the client: nothing can hang the test. */
  const CONNECTION_DEADLINE_MS = 3000;

  test(`${INPUTS} random and mutated inputs leave the server running and answering`, async () => {
    const commandsBefore = sluice.server.stats.commandsProcessed;
    // Inputs that end their connection in a protocol error leave the rest of its batch unread: the parser-level fuzz above covers every input from a fresh state.
    await runCampaign({
      port: sluice.port,
      requests: INPUTS,
      workers: WORKERS,
      perConnection: INPUTS_PER_CONNECTION,
      seed: 0xc0ffee,
      request: makeInput,
      damaged: 0,
      connectionDeadlineMs: CONNECTION_DEADLINE_MS,
    });
    // The inputs did reach command execution, not only the parser.
    expect(sluice.server.stats.commandsProcessed - commandsBefore).toBeGreaterThan(INPUTS / 20);
    // Every connection, however its input ended, is released (a liveness bound, not a speed check).
    for (let i = 0; i < 1000 && sluice.server.clients.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sluice.server.clients.size).toBe(0);

    const c = await RespClient.connect(sluice.port);
    try {
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(await c.call('ECHO', 'still here')).toEqual({ t: 'bulk', v: 'still here' });
    } finally {
      c.close();
    }
  });
});
