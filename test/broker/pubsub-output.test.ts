import { describe, expect, test } from 'vitest';
import { encodeTail, FrameArena, writeMessage, messageSize } from '../../src/broker/messages.js';
import { RespWriter } from '../../src/protocol/reply.js';

/** What a writer would put on the wire, in order. */
function wire(w: RespWriter): string {
  const out = w.take();
  if (out === null) return '';
  return (Array.isArray(out) ? Buffer.concat(out) : out).toString('latin1');
}

describe('message frames', () => {
  test('message, smessage and pmessage frames in RESP2 and RESP3', () => {
    const arena = new FrameArena();
    const frame = () => arena.frame.toString('latin1', arena.start, arena.end);
    arena.message('message', 2, 'ch', 'hi');
    expect(frame()).toBe('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
    arena.message('smessage', 3, '', 'x'.repeat(40));
    expect(frame()).toBe(`>3\r\n$8\r\nsmessage\r\n$0\r\n\r\n$40\r\n${'x'.repeat(40)}\r\n`);
    arena.pmessage(3, 'c*', encodeTail('ch', '\x00\xff'));
    expect(frame()).toBe('>4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\n\x00\xff\r\n');
    const buf = Buffer.alloc(messageSize('message', 'c', 'm'));
    expect(writeMessage(buf, 0, 'message', 2, 'c', 'm')).toBe(buf.length);
  });

  test('an arena never rewrites a frame it handed out, across blocks', () => {
    const arena = new FrameArena();
    const frames: [Buffer, number, number, string][] = [];
    const payload = 'p'.repeat(1000);
    for (let i = 0; i < 300; i++) {
      arena.message('message', 2, `c${i}`, payload);
      frames.push([arena.frame, arena.start, arena.end, `c${i}`]);
    }
    expect(new Set(frames.map((f) => f[0])).size).toBeGreaterThan(1);
    for (const [buf, start, end, ch] of frames) {
      expect(buf.toString('latin1', start, end)).toBe(`*3\r\n$7\r\nmessage\r\n$${ch.length}\r\n${ch}\r\n$1000\r\n${payload}\r\n`);
    }
  });
});

describe('RespWriter shared bytes', () => {
  const src = Buffer.from('AAAABBBBCCCCDDDD', 'latin1');

  test('contiguous shared frames become one piece, written by reference', () => {
    const w = new RespWriter();
    w.shared(src, 0, 4);
    w.shared(src, 4, 8);
    w.shared(src, 8, 12);
    expect(w.pending).toBe(12);
    const out = w.take() as Buffer[];
    expect(out).toHaveLength(1);
    expect(out[0].buffer).toBe(src.buffer);
    expect(out[0].toString('latin1')).toBe('AAAABBBBCCCC');
    expect(w.pending).toBe(0);
    expect(w.take()).toBeNull();
  });

  test('private output written in between keeps its place', () => {
    const w = new RespWriter();
    w.simple('first');
    w.shared(src, 0, 4);
    w.shared(src, 4, 8);
    w.integer(7);
    w.shared(src, 8, 12);
    w.bulk('last');
    expect(w.pending).toBe('+first\r\n'.length + 8 + ':7\r\n'.length + 4 + '$4\r\nlast\r\n'.length);
    expect(wire(w)).toBe('+first\r\nAAAABBBB:7\r\nCCCC$4\r\nlast\r\n');
  });

  test('frames that are not contiguous are copied in order', () => {
    const w = new RespWriter();
    w.shared(src, 0, 4);
    w.shared(src, 8, 12);
    w.shared(src, 4, 8);
    expect(wire(w)).toBe('AAAACCCCBBBB');
  });

  test('a growing region continues in the next block', () => {
    const next = Buffer.from('EEEEFFFF', 'latin1');
    const w = new RespWriter();
    w.shared(src, 0, 4);
    w.shared(src, 4, 8);
    w.shared(next, 0, 4);
    w.shared(next, 4, 8);
    const out = w.take() as Buffer[];
    expect(out.map((b) => b.toString('latin1'))).toEqual(['AAAABBBB', 'EEEEFFFF']);
  });

  test('rewinding the private part after shared bytes leaves the shared bytes alone', () => {
    const w = new RespWriter();
    w.shared(src, 0, 4);
    const mark = w.mark();
    w.simple('dropped');
    w.rewind(mark);
    w.simple('kept');
    expect(wire(w)).toBe('AAAA+kept\r\n');
  });
});
