import type { Client } from './client.js';
import { clientInfoLine } from './commands/client-list.js';
import { quoteRepr } from './monitor.js';

/** Redis's short names for the protocol errors (networking.c setProtocolError), by Sluice's reply text. */
const REDIS_REASON: Record<string, string> = {
  'Protocol error: unbalanced quotes in request': 'unbalanced quotes in inline request',
  'Protocol error: invalid multibulk length': 'invalid mbulk count',
  'Protocol error: unauthenticated multibulk length': 'unauth mbulk count',
  'Protocol error: unauthenticated bulk length': 'unauth bulk length',
};

const DUMP_LEN = 128;

/** What setProtocolError samples of the query buffer: all of it under 128 bytes, else both ends; unprintable bytes as dots, at most 255 characters. */
function querySample(unread: Buffer): string {
  const text = (b: Buffer) => b.toString('latin1');
  const line = unread.length < DUMP_LEN
    ? `Query buffer during protocol error: '${text(unread)}'`
    : `Query buffer during protocol error: '${text(unread.subarray(0, DUMP_LEN / 2))}' (... more ${unread.length - DUMP_LEN} bytes ...) '${text(unread.subarray(unread.length - DUMP_LEN / 2))}'`;
  return line.slice(0, 255).replace(/[^\x20-\x7e]/g, '.');
}

/** Redis's verbose line for a client closed on a protocol error. */
export function protocolErrorLine(c: Client, message: string): string {
  const reason = REDIS_REASON[message] ?? (message.startsWith("Protocol error: expected '$'") ? 'expected $ but got something else' : message.replace(/^Protocol error: /, ''));
  const unread = c.conn?.parser.unread ?? Buffer.alloc(0);
  return `Protocol error (${reason}) from client: ${clientInfoLine(c, Date.now())}. ${querySample(unread)}`;
}

/** Redis's warning for a client whose query buffer went over client-query-buffer-limit. */
export function queryBufferLine(c: Client): string {
  const head = c.conn?.parser.unread.subarray(0, 64).toString('latin1') ?? '';
  return `Closing client that reached max query buffer length: ${clientInfoLine(c, Date.now())} (qbuf initial bytes: ${quoteRepr(head)})`;
}
