// The pub/sub load generator: one publisher, N subscribers on raw sockets.
// Deliveries are counted from byte totals (every message frame of a
// subscriber has the same length) and publish-to-receive latency is read
// from timestamps in sampled payloads, so the generator does a few
// instructions per received chunk rather than parsing every reply.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export const PAYLOAD_BYTES = 64;
const TS_DIGITS = 16;
const FILLER = 'x'.repeat(PAYLOAD_BYTES - TS_DIGITS);

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.off('error', reject);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
  });
}

const bulk = (s) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const command = (...args) => `*${args.length}\r\n${args.map(bulk).join('')}`;

/** The payload: a microsecond timestamp (performance.now) in 16 digits, padded to 64 bytes. */
function payload(nowMs) {
  return String(Math.round(nowMs * 1000)).padStart(TS_DIGITS, '0') + FILLER;
}

/** Sends `cmd` and resolves once exactly `expected` has come back; rejects on anything else. */
function expectReply(sock, cmd, expected) {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d) => {
      got += d.toString('latin1');
      if (got.length < expected.length) return;
      sock.off('data', onData);
      if (!got.startsWith(expected)) reject(new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(got.slice(0, 200))}`));
      else resolve(Buffer.from(got.slice(expected.length), 'latin1'));
    };
    sock.on('data', onData);
    sock.write(cmd, 'latin1');
  });
}

/**
 * A subscriber: after its confirmation, every frame it receives is the same
 * length, so the n-th message's timestamp sits at a known stream offset.
 * Every `sampleEvery`-th message's timestamp is read, possibly across two
 * chunks.
 */
class Subscriber {
  constructor(sock, frameBytes, sampleEvery, sampleOffset, samples) {
    this.sock = sock;
    this.frameBytes = frameBytes;
    this.tsOffset = frameBytes - 2 - PAYLOAD_BYTES;
    this.sampleEvery = sampleEvery;
    this.samples = samples;
    this.bytes = 0;
    this.messages = 0;
    this.recording = false;
    // Stagger which messages each subscriber samples, so samples spread over the fan-out order.
    this.nextSample = sampleOffset % sampleEvery;
    this.partial = 0;
    this.partialDigits = 0;
  }

  /** Consumes a chunk: counts messages, reads due timestamps. */
  take(chunk, now) {
    const start = this.bytes;
    const end = start + chunk.length;
    for (;;) {
      const at = this.nextSample * this.frameBytes + this.tsOffset + this.partialDigits;
      if (at >= end) break;
      let v = this.partial;
      let i = at - start;
      let digits = this.partialDigits;
      while (digits < TS_DIGITS && i < chunk.length) {
        v = v * 10 + (chunk[i++] - 48);
        digits++;
      }
      if (digits < TS_DIGITS) {
        this.partial = v;
        this.partialDigits = digits;
        break;
      }
      if (this.recording) this.samples.push(now - v / 1000);
      this.partial = 0;
      this.partialDigits = 0;
      this.nextSample += this.sampleEvery;
    }
    this.bytes = end;
    this.messages = Math.floor(end / this.frameBytes);
  }
}

/**
 * Runs one fan-out case against a server and returns its measurements.
 * `subscriptions` lists, per subscriber, either { channel } or { pattern };
 * `idlePatterns` are registered by one more connection that receives
 * nothing (they must not match `channel`).
 */
export async function runFanout(port, { channel, subscriptions, idlePatterns = [], window, batch, warmupMs, measureMs }) {
  const sockets = [];
  try {
    const samples = [];
    const subscribers = [];
    const sampleEvery = Math.max(1, subscriptions.length * 2);
    for (let i = 0; i < subscriptions.length; i++) {
      const sub = subscriptions[i];
      const sock = await connect(port);
      sockets.push(sock);
      const isPattern = sub.pattern !== undefined;
      const name = isPattern ? sub.pattern : sub.channel;
      const confirm = `*3\r\n${bulk(isPattern ? 'psubscribe' : 'subscribe')}${bulk(name)}:1\r\n`;
      const rest = await expectReply(sock, command(isPattern ? 'PSUBSCRIBE' : 'SUBSCRIBE', name), confirm);
      if (rest.length !== 0) throw new Error('unexpected data after the subscription');
      const frame = isPattern
        ? `*4\r\n${bulk('pmessage')}${bulk(name)}${bulk(channel)}${bulk(payload(0))}`
        : `*3\r\n${bulk('message')}${bulk(channel)}${bulk(payload(0))}`;
      const s = new Subscriber(sock, Buffer.byteLength(frame, 'latin1'), sampleEvery, i * 2 + 1, samples);
      sock.on('data', (d) => {
        s.take(d, performance.now());
        pump();
      });
      subscribers.push(s);
    }
    if (idlePatterns.length > 0) {
      const idle = await connect(port);
      sockets.push(idle);
      let confirms = '';
      idlePatterns.forEach((p, i) => (confirms += `*3\r\n${bulk('psubscribe')}${bulk(p)}:${i + 1}\r\n`));
      await expectReply(idle, command('PSUBSCRIBE', ...idlePatterns), confirms);
    }

    const pub = await connect(port);
    sockets.push(pub);
    let sent = 0;
    let replies = 0;
    let badReply = null;
    const expectedReply = `:${subscriptions.length}\r\n`;
    pub.on('data', (d) => {
      if (replies === 0 && !d.toString('latin1').startsWith(expectedReply)) badReply = d.toString('latin1', 0, 40);
      for (let i = 0; i < d.length; i++) if (d[i] === 10) replies++;
    });

    // In flight: published but not yet received by every subscriber.
    let slowest = 0;
    let running = true;
    const prefix = `*3\r\n$7\r\nPUBLISH\r\n${bulk(channel)}$${PAYLOAD_BYTES}\r\n`;
    /** Fills the window, a batch per write. */
    function pump() {
      if (!running) return;
      if (sent - slowest > window - batch) {
        let min = Infinity;
        for (const s of subscribers) if (s.messages < min) min = s.messages;
        slowest = min;
      }
      while (sent - slowest <= window - batch) {
        const one = prefix + payload(performance.now()) + '\r\n';
        pub.write(one.repeat(batch), 'latin1');
        sent += batch;
      }
    }

    pump();
    await new Promise((r) => setTimeout(r, warmupMs));
    for (const s of subscribers) s.recording = true;
    const delivered = () => subscribers.reduce((n, s) => n + s.messages, 0);
    const d0 = delivered();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, measureMs));
    const d1 = delivered();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    running = false;
    for (const s of subscribers) s.recording = false;
    if (badReply !== null) throw new Error(`PUBLISH answered ${JSON.stringify(badReply)}, expected ${JSON.stringify(expectedReply)}`);
    if (d1 === d0) throw new Error('no message was delivered');
    const sorted = Float64Array.from(samples).sort();
    const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      deliveriesPerSec: ((d1 - d0) * 1000) / (t1 - t0),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      samples: sorted.length,
      generatorCpu: (cpu.user + cpu.system) / 1000 / (t1 - t0),
    };
  } finally {
    for (const s of sockets) s.destroy();
  }
}
