// A request/reply RESP connection for latency probes: one request in flight,
// each call timed. It reads the reply types the probes use (simple, error,
// integer, bulk, and arrays of those) and nothing else.
import net from 'node:net';
import { encode } from './resp.mjs';

/** Length of the complete reply at the start of `buf`, or -1 when more bytes are needed. */
function replyLength(buf, at = 0) {
  const nl = buf.indexOf('\r\n', at);
  if (nl === -1) return -1;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString('latin1', at + 1, nl);
  if (type === '$') {
    const n = Number(head);
    if (n < 0) return nl + 2 - at;
    return buf.length >= nl + 2 + n + 2 ? nl + 2 + n + 2 - at : -1;
  }
  if (type === '*') {
    let end = nl + 2;
    for (let i = 0; i < Number(head); i++) {
      const len = replyLength(buf, end);
      if (len === -1) return -1;
      end += len;
    }
    return end - at;
  }
  return nl + 2 - at;
}

export class Probe {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        socket.off('error', reject);
        resolve(new Probe(socket));
      });
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    this.buf = Buffer.alloc(0);
    this.waiting = null;
    socket.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.deliver();
    });
    socket.on('error', (e) => this.waiting?.reject(e));
  }

  deliver() {
    if (this.waiting === null) return;
    const len = replyLength(this.buf);
    if (len === -1) return;
    const reply = this.buf.subarray(0, len);
    this.buf = this.buf.subarray(len);
    const w = this.waiting;
    this.waiting = null;
    w.resolve(reply);
  }

  /** Sends one command; resolves to its reply's bytes. */
  call(args) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(typeof args === 'string' ? args : encode(args), 'latin1');
    });
  }

  /** Sends one command; resolves to its latency in ms. Rejects on an error reply. */
  async timed(args) {
    const start = performance.now();
    const reply = await this.call(args);
    const ms = performance.now() - start;
    if (reply[0] === 0x2d) throw new Error(`${args[0]} failed: ${reply.toString('latin1').trim()}`);
    return ms;
  }

  close() {
    this.socket.destroy();
  }
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
