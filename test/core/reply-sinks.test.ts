import { describe, expect, test } from 'vitest';
import { DiscardReply } from '../../src/core/discard-reply.js';
import type { Reply } from '../../src/protocol/reply.js';
import { CaptureReply } from '../../src/core/capture-reply.js';
import { Client } from '../../src/server/client.js';
import { Server } from '../../src/server/server.js';
import { LogCapture } from '../helpers/log-capture.js';

describe('the capture sink', () => {
  test('keeps each reply as a value, aggregates filled by the replies that follow', () => {
    const r = new CaptureReply();
    r.ok();
    r.array(3);
    r.bulk('a');
    r.array(2);
    r.integer(1);
    r.nullBulk();
    r.error('ERR nope');
    r.array(0);
    r.integer(7n);
    expect(r.take()).toEqual([
      { type: 'simple', value: 'OK' },
      ['a', [1, null], { type: 'error', message: 'ERR nope' }],
      [],
      7n,
    ]);
    expect(r.errors).toBe(1);
    expect(r.lastError).toBe('ERR nope');
    expect(r.take()).toEqual([]);
  });

  test('gives RESP2 shapes for maps, sets and pushes, and RESP3 types under protocol 3', () => {
    const write = (r: CaptureReply) => {
      r.map(1);
      r.bulk('k');
      r.set(2);
      r.bulk('x');
      r.double(1.5);
      r.push(1);
      r.boolean(true);
      r.bigNumber('123456789012345678901234567890');
      r.verbatim('text');
    };
    const two = new CaptureReply(2);
    write(two);
    expect(two.take()).toEqual([['k', ['x', { type: 'double', value: 1.5 }]], [true], '123456789012345678901234567890', 'text']);
    const three = new CaptureReply(3);
    write(three);
    expect(three.take()).toEqual([
      { type: 'map', entries: [['k', { type: 'set', items: ['x', { type: 'double', value: 1.5 }] }]] },
      { type: 'push', items: [true] },
      { type: 'big', digits: '123456789012345678901234567890' },
      { type: 'verbatim', format: 'txt', value: 'text' },
    ]);
  });

  test('the discard sink keeps only the error count', () => {
    const sink = new DiscardReply();
    const r: Reply = sink;
    r.array(2);
    r.bulk('x');
    r.error('WRONGTYPE x');
    expect([sink.errors, sink.lastError]).toEqual([1, 'WRONGTYPE x']);
  });
});

describe('commands without a connection', () => {
  test('run through the dispatcher for a detached client and reply into its sink', () => {
    const server = new Server([], { destination: new LogCapture() });
    const sink = new CaptureReply();
    const c = new Client(server, 0, null, sink, 'lua');
    const run = (...argv: string[]) => {
      server.dispatcher.call(c, server.dispatcher.lookup(argv)!, argv);
      return sink.take()[0];
    };
    expect(run('SET', 'k', 'v')).toEqual({ type: 'simple', value: 'OK' });
    expect(run('GET', 'k')).toBe('v');
    expect(run('RPUSH', 'l', 'a', 'b')).toBe(2);
    expect(run('LRANGE', 'l', '0', '-1')).toEqual(['a', 'b']);
    expect(run('INCR', 'l')).toEqual({ type: 'error', message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    expect(run('SELECT', '2')).toEqual({ type: 'simple', value: 'OK' });
    expect(run('EXISTS', 'k')).toBe(0);
    expect(server.keyspace.db(0).get('k')).toBe('v');
    expect(c.addr).toBe('lua');
  });
});
