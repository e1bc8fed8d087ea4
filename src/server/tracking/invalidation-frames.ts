import type { Protocol } from '../../protocol/reply.js';

/**
 * The bytes of tracking messages. An invalidation is a RESP3 push
 * `invalidate` with its payload, or, to a RESP2 client redirected to and
 * subscribed, a `message` on `__redis__:invalidate` with the same payload
 * (an array of keys, or a null meaning every key).
 */
const PUSH_HEAD = Buffer.from('>2\r\n$10\r\ninvalidate\r\n', 'latin1');
const MESSAGE_HEAD = Buffer.from('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n', 'latin1');
const NULL_PAYLOAD: Record<Protocol, Buffer> = {
  2: Buffer.from('$-1\r\n', 'latin1'),
  3: Buffer.from('_\r\n', 'latin1'),
};

export function frameHead(push: boolean): Buffer {
  return push ? PUSH_HEAD : MESSAGE_HEAD;
}

/** The array of keys an invalidation names (keys are byte strings). */
export function keysPayload(keys: readonly string[]): Buffer {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += `$${k.length}\r\n${k}\r\n`;
  return Buffer.from(s, 'latin1');
}

/** "Every key" after a flush, as a null in the protocol of the client that tracks (Redis's choice). */
export function flushPayload(proto: Protocol): Buffer {
  return NULL_PAYLOAD[proto];
}

/** Told to a RESP3 client whose redirect target has gone. */
export function redirectBrokenFrame(id: number): Buffer {
  return Buffer.from(`>2\r\n$21\r\ntracking-redir-broken\r\n:${id}\r\n`, 'latin1');
}
