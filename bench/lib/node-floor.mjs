// Node's floor: a server that does, per request, only what any Node server
// must. It reads through Sluice's own read path (every connection's reads
// into one shared buffer, src/server/socket-reader.ts), frames the RESP
// requests just far enough to count them, and answers each with a fixed
// +OK through Sluice's handle writer (src/server/socket-writer.ts), at the
// end of the event loop's turn as Sluice writes its replies (one setImmediate
// for every connection read in the turn). What it costs per request is what
// Node's event loop, its call into JavaScript per read and its write path
// cost before any command runs; Sluice's cost above it is Sluice's own.
// Answering each read at once instead, its unpipelined p99 spread further
// (0.47-0.98 ms over six runs of SET and GET, against 0.41-0.55) and it
// would not model the server it is compared with.
//
// Given a second argument, it also busies itself that many µs on every
// request before answering: the same CPU a request as a server with that
// much work of its own, spent evenly and without garbage. Its latency
// percentiles then say what a Node server with Sluice's CPU a request
// reaches when nothing else differs.
//
// Given `keep`, it keeps what it is sent: the second and third argument of
// every request (a SET's key and value) as byte strings in a Map, the least
// a Node server keeping its data on V8's heap must hold, on V8's defaults as
// sluice-server runs. Its collections while a million keys arrive are then
// what V8 costs any such server under that load.
// Given `keep-bytes`, it keeps them as bytes outside V8's heap instead
// (byte-table.mjs): what a keyspace there would leave to the collector.
// Usage:
// node bench/lib/node-floor.mjs <port> [work µs a request] [keep | keep-bytes]
import net from 'node:net';
import { acceptDirectly, readChunks } from '../../dist/server/socket-reader.js';
import { SocketWriter } from '../../dist/server/socket-writer.js';
import { ByteTable } from './byte-table.mjs';

const MAX_REPLIES = 64;
const WORK_MICROS = Number(process.argv[3] ?? 0);
const KEEP = process.argv[4] === 'keep';
const KEEP_BYTES = process.argv[4] === 'keep-bytes';
/** What the floor keeps given `keep`: key → value. */
const kept = new Map();
/** What it keeps given `keep-bytes`: room for 3,145,728 keys and 64 MiB of entries, more than the floor section sends. */
const keptBytes = KEEP_BYTES ? new ByteTable(22, 64 * 1024 * 1024) : null;
const OKS = Buffer.from('+OK\r\n'.repeat(MAX_REPLIES));
/** redis-benchmark reads `save` and `appendonly` with CONFIG GET before it starts: an empty value for each. */
const CONFIG_VALUE = Buffer.from('*2\r\n$0\r\n\r\n$0\r\n\r\n');
/** The end of a connection: nothing to let go of here, the socket's own close does it. */
function ignoreEnd() {}

/** Where the line after the last number read by `number` starts. */
let lineEnd = 0;

/** The decimal number at `p` up to its CR (setting lineEnd), or -1 when the line is not all here. */
function number(buf, p) {
  let n = 0;
  for (; p < buf.length; p++) {
    const b = buf[p];
    if (b === 13) {
      if (p + 1 >= buf.length) return -1;
      lineEnd = p + 2;
      return n;
    }
    n = n * 10 + (b - 48);
  }
  return -1;
}

let sink = 0;

/** The connections whose replies wait for the end of this turn, in the order they were read. */
let toFlush = [];

function flushTurn() {
  const list = toFlush;
  toFlush = [];
  for (const flush of list) flush();
}

/** Iterations of spin()'s loop a µs takes on this machine: the last of three 50 ms measurements, by when the loop is compiled. */
function iterationsPerMicro() {
  let rate = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < 50) n += spin(10_000);
    rate = n / ((performance.now() - start) * 1000);
  }
  return rate;
}

/** `iterations` rounds of integer arithmetic: CPU only, no allocation, no clock. */
function spin(iterations) {
  let x = sink;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
  sink = x;
  return iterations;
}

const WORK_ITERATIONS = WORK_MICROS > 0 ? Math.round(WORK_MICROS * iterationsPerMicro()) : 0;

function serve(socket) {
  let rest = null;
  let writer = null;
  const write = (b) => {
    if (writer === null || !writer.write(b)) socket.write(b);
  };
  let oks = 0;
  let queued = false;
  const flushOks = () => {
    queued = false;
    while (oks > 0) {
      const n = Math.min(oks, MAX_REPLIES);
      write(OKS.subarray(0, n * 5));
      oks -= n;
    }
  };
  // Walks the complete multibulk requests of a read, counting each for the turn's answer; keeps an incomplete one for the next read.
  socket = readChunks(socket, (chunk) => {
    const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
    let p = 0;
    frames: while (p < buf.length) {
      const start = p;
      const args = number(buf, p + 1);
      if (args === -1) break;
      p = lineEnd;
      let config = false;
      let key = '';
      let keyAt = 0;
      let keyLength = 0;
      for (let i = 0; i < args; i++) {
        const len = number(buf, p + 1);
        if (len === -1 || lineEnd + len + 2 > buf.length) {
          p = start;
          break frames;
        }
        if (i === 0) config = buf[lineEnd] === 67 || buf[lineEnd] === 99;
        else if (KEEP && i === 1) key = buf.latin1Slice(lineEnd, lineEnd + len);
        else if (KEEP && i === 2) kept.set(key, buf.latin1Slice(lineEnd, lineEnd + len));
        else if (KEEP_BYTES && i === 1) {
          keyAt = lineEnd;
          keyLength = len;
        }
        else if (KEEP_BYTES && i === 2) keptBytes.set(buf, keyAt, keyLength, lineEnd, len);
        p = lineEnd + len + 2;
      }
      if (config) {
        flushOks();
        write(CONFIG_VALUE);
      } else {
        oks++;
        if (WORK_ITERATIONS > 0) spin(WORK_ITERATIONS);
      }
    }
    if (!queued) {
      queued = true;
      toFlush.push(flushOks);
      if (toFlush.length === 1) setImmediate(flushTurn);
    }
    rest = p < buf.length ? Buffer.from(buf.subarray(p)) : null;
  }, ignoreEnd);
  writer = SocketWriter.for(socket);
  socket.on('error', () => socket.destroy());
}

const server = net.createServer({ noDelay: true }, serve);
server.listen(Number(process.argv[2]), '127.0.0.1', () => acceptDirectly(server, true, serve));
