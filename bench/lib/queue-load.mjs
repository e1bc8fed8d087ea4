// The list-queue load: one producer pipelining LPUSH of fixed-size messages,
// consumers looping on BRPOP, over raw sockets so the driver stays cheap.
// Each message carries its send time; the wait is send → delivery.
import net from 'node:net';

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

const CRLF = 13;

/**
 * Splits a stream of replies into complete top-level replies, calling
 * `onReply(buf, start, end)` for each. Handles the shapes this load gets:
 * integers, errors, and arrays of bulks (BRPOP's [key, message]).
 */
function replyReader(onReply) {
  let buf = Buffer.alloc(0);
  const lineEnd = (at) => {
    const i = buf.indexOf(CRLF, at);
    return i === -1 || i + 1 >= buf.length ? -1 : i;
  };
  /** The end (exclusive) of the reply starting at `at`, or -1 when incomplete. */
  const replyEnd = (at) => {
    const nl = lineEnd(at);
    if (nl === -1) return -1;
    const type = buf[at];
    const n = Number(buf.latin1Slice(at + 1, nl));
    if (type === 0x24 /* $ */) {
      if (n < 0) return nl + 2;
      const end = nl + 2 + n + 2;
      return end <= buf.length ? end : -1;
    }
    if (type === 0x2a /* * */) {
      let p = nl + 2;
      for (let i = 0; i < n; i++) {
        p = replyEnd(p);
        if (p === -1) return -1;
      }
      return p;
    }
    return nl + 2;
  };
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let at = 0;
    for (;;) {
      if (at >= buf.length) break;
      const end = replyEnd(at);
      if (end === -1) break;
      onReply(buf, at, end);
      at = end;
    }
    buf = at >= buf.length ? Buffer.alloc(0) : buf.subarray(at);
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Sends `messages` messages of `size` bytes through the list `key`: the
 * producer keeps at most `window` messages sent but not yet delivered, in
 * pipelined writes of up to `batch` LPUSHes. Resolves to { rate, p50Ms,
 * p99Ms, errors } (rate in messages per second, waits in milliseconds).
 */
export async function runQueueLoad(port, { messages, size = 128, consumers = 10, window = 256, batch = 32, key = 'bench:queue', timeoutMs = 120000 }) {
  const producer = await connect(port);
  const sockets = [producer];
  for (let i = 0; i < consumers; i++) sockets.push(await connect(port));
  const waits = new Float64Array(messages);
  const brpop = Buffer.from(`*3\r\n$5\r\nBRPOP\r\n$${key.length}\r\n${key}\r\n$1\r\n0\r\n`, 'latin1');
  const pad = 'x'.repeat(size);
  let sent = 0;
  let delivered = 0;
  let errors = 0;
  let start = 0;

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`queue load timed out after ${delivered} of ${messages} messages`)), timeoutMs);
    const finish = (err) => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      if (err) {
        reject(err);
        return;
      }
      const seconds = (performance.now() - start) / 1000;
      const sorted = Float64Array.from(waits).sort();
      resolve({ rate: messages / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), errors });
    };
    const pump = () => {
      if (sent >= messages || sent - delivered >= window) return;
      let out = '';
      for (let i = 0; i < batch && sent < messages && sent - delivered < window; i++, sent++) {
        const head = `${sent}:${performance.now().toFixed(3)}:`;
        const body = head + pad.slice(head.length);
        out += `*3\r\n$5\r\nLPUSH\r\n$${key.length}\r\n${key}\r\n$${body.length}\r\n${body}\r\n`;
      }
      producer.write(out, 'latin1');
    };
    producer.on('data', replyReader((buf, at) => {
      if (buf[at] === 0x2d /* - */) errors++;
    }));
    for (const s of sockets.slice(1)) {
      s.on('data', replyReader((buf, at, end) => {
        if (buf[at] !== 0x2a) {
          errors++;
          return;
        }
        // [key, message]: the message, `size` bytes, ends the reply; its head holds the send time.
        const body = buf.latin1Slice(end - 2 - size, end - 2);
        const t = Number(body.split(':')[1]);
        waits[delivered] = performance.now() - t;
        delivered++;
        if (delivered === messages) {
          finish(null);
          return;
        }
        s.write(brpop);
        pump();
      }));
    }
    for (const s of sockets) s.on('error', (e) => finish(e));
    start = performance.now();
    for (const s of sockets.slice(1)) s.write(brpop);
    pump();
  });
}
