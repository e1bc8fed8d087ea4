// The consumer-group load: one producer pipelining XADD of five-field
// entries, consumers looping on XREADGROUP … BLOCK 0 and XACKing what they
// got, over raw sockets. Each entry carries its send time in its first
// field; the delivery latency is XADD sent → XREADGROUP reply read.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { encode } from './resp.mjs';

const SELF = fileURLToPath(import.meta.url);

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * The load generator shares a core with nothing but itself, and it must
 * not be what limits the rate: a reply of ten entries has about 130
 * headers and bulks, and Buffer#latin1Slice, a call into C++, cost about
 * 120 ns each (the generator's core was 99% busy, a quarter of it here).
 * Headers are read byte by byte and short bulks built with
 * String.fromCharCode.
 */
function readInt(buf, from, to) {
  let i = from;
  const neg = buf[i] === 0x2d;
  if (neg) i++;
  let n = 0;
  for (; i < to; i++) n = n * 10 + buf[i] - 48;
  return neg ? -n : n;
}

function bulkText(buf, from, to) {
  const n = to - from;
  if (n > 16) return buf.latin1Slice(from, to);
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** A RESP2 reply at `at`, as [value, end] (arrays nested, bulks as latin1 strings, errors as Error), or null when incomplete. */
function parse(buf, at) {
  const nl = buf.indexOf(13, at);
  if (nl === -1 || nl + 1 >= buf.length) return null;
  const type = buf[at];
  let p = nl + 2;
  if (type === 0x24 /* $ */) {
    const n = readInt(buf, at + 1, nl);
    if (n < 0) return [null, p];
    return p + n + 2 <= buf.length ? [bulkText(buf, p, p + n), p + n + 2] : null;
  }
  if (type === 0x2a /* * */) {
    const n = readInt(buf, at + 1, nl);
    if (n < 0) return [null, p];
    const items = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = parse(buf, p);
      if (r === null) return null;
      items[i] = r[0];
      p = r[1];
    }
    return [items, p];
  }
  if (type === 0x3a /* : */) return [readInt(buf, at + 1, nl), p];
  const head = buf.latin1Slice(at + 1, nl);
  return [type === 0x2d /* - */ ? new Error(head) : head, p];
}

/** Calls `onReply(value)` for each complete reply in the chunks fed to the returned function. */
function replyReader(onReply) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let at = 0;
    while (at < buf.length) {
      const r = parse(buf, at);
      if (r === null) break;
      onReply(r[0]);
      at = r[1];
    }
    buf = at >= buf.length ? Buffer.alloc(0) : buf.subarray(at);
  };
}

/** Sends one command and resolves to its reply; rejects on an error reply. */
function call(sock, argv) {
  return new Promise((resolve, reject) => {
    const onData = replyReader((v) => {
      sock.off('data', onData);
      if (v instanceof Error) reject(new Error(`${argv[0]}: ${v.message}`));
      else resolve(v);
    });
    sock.on('data', onData);
    sock.write(encode(argv), 'latin1');
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Sends `messages` entries through a new group on a new stream `key` (deleted
 * first and at the end): the producer keeps at most `window` entries sent but
 * not yet delivered, in pipelined writes of up to `batch` XADDs; each of
 * `consumers` consumers reads up to `count` entries a call. Resolves, once
 * every entry is acknowledged, to { rate, p50Ms, p99Ms, errors } (rate in
 * messages per second from the first XADD to the last XACK reply).
 */
export async function runStreamGroupLoad(port, { messages, consumers = 10, count = 10, window = 200, batch = 20, key = 'bench:group', timeoutMs = 120000 }) {
  const producer = await connect(port);
  const sockets = [producer];
  for (let i = 0; i < consumers; i++) sockets.push(await connect(port));
  await call(producer, ['DEL', key]);
  await call(producer, ['XGROUP', 'CREATE', key, 'g', '$', 'MKSTREAM']);
  const waits = new Float64Array(messages);
  const reads = sockets.slice(1).map((_, i) => encode(['XREADGROUP', 'GROUP', 'g', `c${i}`, 'COUNT', String(count), 'BLOCK', '0', 'STREAMS', key, '>']));
  const xaddHead = `*13\r\n$4\r\nXADD\r\n$${key.length}\r\n${key}\r\n$1\r\n*\r\n$2\r\nts\r\n`;
  const xaddTail = (n) => {
    const v = String(n);
    return `$4\r\nuser\r\n$4\r\nu${String(n % 997).padStart(3, '0')}\r\n$4\r\ntype\r\n$5\r\nemail\r\n$5\r\nstate\r\n$6\r\nqueued\r\n$1\r\nn\r\n$${v.length}\r\n${v}\r\n`;
  };
  let sent = 0;
  let delivered = 0;
  let acked = 0;
  let errors = 0;
  let start = 0;

  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`stream group load timed out: ${delivered} delivered, ${acked} acknowledged of ${messages}`)), timeoutMs);
      const finish = (err) => {
        clearTimeout(timer);
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
          const ts = performance.now().toFixed(3);
          out += `${xaddHead}$${ts.length}\r\n${ts}\r\n${xaddTail(sent)}`;
        }
        producer.write(out, 'latin1');
      };
      producer.on('data', replyReader((v) => {
        if (v instanceof Error) errors++;
      }));
      sockets.slice(1).forEach((s, i) => {
        s.on('data', replyReader((v) => {
          if (v instanceof Error) {
            errors++;
            return;
          }
          if (typeof v === 'number') {
            acked += v;
            if (acked >= messages) finish(null);
            return;
          }
          if (v === null) {
            s.write(reads[i]);
            return;
          }
          // [[key, [[id, [ts, <time>, …]], …]]]
          const now = performance.now();
          const entries = v[0][1];
          const ids = new Array(entries.length);
          for (let j = 0; j < entries.length; j++) {
            ids[j] = entries[j][0];
            if (delivered < messages) waits[delivered] = now - Number(entries[j][1][1]);
            delivered++;
          }
          s.write(encode(['XACK', key, 'g', ...ids]) + reads[i], 'latin1');
          pump();
        }));
      });
      for (const s of sockets) s.on('error', (e) => finish(e));
      start = performance.now();
      for (let i = 1; i < sockets.length; i++) sockets[i].write(reads[i - 1]);
      pump();
    });
  } finally {
    for (const s of sockets) s.destroy();
    const cleanup = await connect(port);
    await call(cleanup, ['DEL', key]).catch(() => {});
    cleanup.destroy();
  }
}

/**
 * runStreamGroupLoad in a node process of its own (on the driver's core:
 * a child keeps its parent's affinity), resolving to the same result. The
 * driver has run other sections before this one, and its heap by then made
 * it the limit: in a full run both servers read 110,000-114,000 messages/s
 * through it, against 190,000-207,000 when the section ran alone.
 */
export function runStreamGroupLoadInChild(port, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, String(port), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`stream group load exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

if (process.argv[1] === SELF) {
  const result = await runStreamGroupLoad(Number(process.argv[2]), JSON.parse(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
}
