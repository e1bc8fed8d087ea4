import { describe, expect, test } from 'vitest';
import { commandLength, commandsBytes } from '../../src/protocol/command-bytes.js';
import { resp } from '../helpers/aof.js';

/** Commands as Sluice sends them where it is the client (MIGRATE's RESTOREs, a replica's handshake). */
describe('commandsBytes', () => {
  test('RESP arrays of bulk strings, byte strings and bytes alike, lengths of every width, in a buffer of exactly their size', () => {
    const payload = Uint8Array.from([0, 0xff, 13, 10, 0x80]);
    const long = 'é'.repeat(1000);
    const commands = [['RESTORE', 'k', '0', payload, 'REPLACE'], ['SET', long, ''], Array.from({ length: 12 }, (_, i) => 'x'.repeat(i * 11))];
    const out = commandsBytes(commands);
    const asText = commands.map((c) => c.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'))));
    expect(out.toString('latin1')).toBe(resp(...asText));
    expect(out.length).toBe(commands.reduce((n, c) => n + commandLength(c), 0));
    // Its own memory, not a slice of Node's pool: a worker message would copy the whole pool.
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
  });
});
