// The tracking section's load: readers with CLIENT TRACKING on (RESP3) that
// GET random keys in pipelined batches, while a writer SETs random keys of
// the same set, so that invalidation pushes flow to the readers all along.
import net from 'node:net';
import { encode, pipelineLoad } from './resp.mjs';

/**
 * Counts the top-level RESP3 frames of a stream, telling pushes from
 * replies. Lines are read whole (they may span chunks); bulk payloads are
 * skipped by length.
 */
class FrameCounter {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.partial = '';
    this.skip = 0;
    this.open = [];
    this.push = false;
  }

  feed(buf) {
    let i = 0;
    while (i < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.element();
        continue;
      }
      const nl = buf.indexOf(10, i);
      if (nl === -1) {
        this.partial += buf.toString('latin1', i);
        return;
      }
      const line = (this.partial + buf.toString('latin1', i, nl)).slice(0, -1);
      this.partial = '';
      i = nl + 1;
      this.header(line);
    }
  }

  header(line) {
    const type = line[0];
    const n = Number(line.slice(1));
    if (type === '$' || type === '=' || type === '!') {
      if (n < 0) this.element();
      else this.skip = n + 2;
    } else if (type === '*' || type === '>' || type === '~' || type === '%') {
      if (this.open.length === 0) this.push = type === '>';
      const items = type === '%' ? 2 * n : n;
      if (items <= 0) this.element();
      else this.open.push(items);
    } else {
      this.element();
    }
  }

  /** An element ended: the aggregates it completes end too, and a frame ends when none is open. */
  element() {
    while (this.open.length !== 0) {
      const top = this.open.length - 1;
      if (--this.open[top] > 0) return;
      this.open.pop();
    }
    this.onFrame(this.push);
    this.push = false;
  }
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/**
 * A closed loop on one connection: `setup` commands first (their replies
 * awaited), then batches of `pipeline` commands from `make()`, the next
 * batch once every reply of the last is in. Counts replies and pushes.
 */
async function loop(port, setup, make, pipeline) {
  const s = await connect(port);
  const stats = { replies: 0, pushes: 0, running: true, socket: s };
  let owed = setup.length;
  const send = () => {
    let chunk = '';
    for (let i = 0; i < pipeline; i++) chunk += make();
    owed = pipeline;
    s.write(chunk, 'latin1');
  };
  const counter = new FrameCounter((push) => {
    if (push) {
      stats.pushes++;
      return;
    }
    stats.replies++;
    if (--owed === 0 && stats.running) send();
  });
  s.on('data', (d) => counter.feed(d));
  s.on('error', () => {});
  if (setup.length === 0) send();
  else s.write(setup.map(encode).join(''), 'latin1');
  return stats;
}

/**
 * Runs the load for warmup + measure ms; resolves to GETs, SETs and
 * invalidation pushes per second over the measured part.
 */
export async function runTrackingLoad(port, { readers, keys, pipeline, warmupMs, measureMs }) {
  const errors = await pipelineLoad(port, keys, (i) => encode(['SET', `key:${i}`, 'xxx']));
  if (errors !== 0) throw new Error(`${errors} SETs failed while loading`);
  const key = () => `key:${Math.floor(Math.random() * keys)}`;
  const tracking = ['HELLO', '3'];
  const loops = [];
  for (let i = 0; i < readers; i++) {
    loops.push(await loop(port, [tracking, ['CLIENT', 'TRACKING', 'ON']], () => encode(['GET', key()]), pipeline));
  }
  const writer = await loop(port, [], () => encode(['SET', key(), 'yyy']), pipeline);
  await new Promise((r) => setTimeout(r, warmupMs));
  const snapshot = () => ({
    gets: loops.reduce((n, l) => n + l.replies, 0),
    pushes: loops.reduce((n, l) => n + l.pushes, 0),
    sets: writer.replies,
  });
  const before = snapshot();
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, measureMs));
  const after = snapshot();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const l of [...loops, writer]) {
    l.running = false;
    l.socket.destroy();
  }
  return {
    getRps: (after.gets - before.gets) / seconds,
    setRps: (after.sets - before.sets) / seconds,
    pushesPerSec: (after.pushes - before.pushes) / seconds,
  };
}
