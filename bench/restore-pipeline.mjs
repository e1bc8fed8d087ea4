// node bench/restore-pipeline.mjs: the target side of MIGRATE on its own.
// A server (cluster-enabled, all slots its own) is given keys and DUMPs
// them; a fresh one of the same kind then takes them as MIGRATE sends
// them: RESTORE-ASKING key 0 payload, in batches of 100 (redis-cli
// --cluster-pipeline 100), a few batches in flight. Sluice and redis-server
// take turns, each round on fresh servers, the server on core 0 and this
// driver on core 1; the figure is the server's CPU (INFO used_cpu_user +
// used_cpu_sys) across the RESTOREs, with the wall time and the server's
// minor page faults beside it.
//
//   node bench/restore-pipeline.mjs [--keys 500000] [--rounds 3] [--mix strings|mixed]
//     [--port 34100] [--sluice dist/cli.js ...] [--no-redis]
//
// SLUICE_BENCH_REDIS_SERVER names the redis-server (a 7.2 build), as for npm run bench.
//
// strings: keys {tag}:i with values value-i, as bench/cluster.mjs's
// reshard loads; mixed: 7 in 10 such strings, 2 small hashes, 1 small
// sorted set. Each --sluice is a variant (a build's cli.js).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { encode } from './lib/resp.mjs';
import { freePort, pinned, pinSelf, REDIS_SERVER, scratchDir, SLUICE_CLI } from './lib/servers.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : argv[i + 1];
};
const KEYS = Number(opt('--keys', 500_000));
const ROUNDS = Number(opt('--rounds', 3));
const MIX = opt('--mix', 'strings');
const BATCH = 100;
const IN_FLIGHT = 4;
const sluices = argv.flatMap((a, i) => (a === '--sluice' ? [argv[i + 1]] : []));
const variants = [
  ...(sluices.length === 0 ? [SLUICE_CLI] : sluices).map((cli, i) => ({ name: sluices.length > 1 ? `sluice${i + 1}` : 'sluice', file: process.execPath, args: [cli] })),
  ...(REDIS_SERVER === null || argv.includes('--no-redis') ? [] : [{ name: 'redis', file: REDIS_SERVER, args: [] }]),
];

/** A connection that reads whole replies: simple, error, integer, bulk (as latin1 text) and arrays of them. */
class Conn {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.replies = [];
    this.waiters = [];
    socket.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.parse();
    });
  }

  parse() {
    let at = 0;
    for (;;) {
      const r = this.one(at);
      if (r === null) break;
      this.replies.push(r[0]);
      at = r[1];
    }
    this.buf = this.buf.subarray(at);
    while (this.waiters.length > 0 && this.replies.length >= this.waiters[0].n) {
      const w = this.waiters.shift();
      w.resolve(this.replies.splice(0, w.n));
    }
  }

  one(at) {
    const b = this.buf;
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) return null;
    const kind = b[at];
    const line = b.toString('latin1', at + 1, eol);
    if (kind === 0x2b || kind === 0x3a) return [line, eol + 2];
    if (kind === 0x2d) return [new Error(line), eol + 2];
    if (kind === 0x24) {
      const n = Number(line);
      if (n < 0) return [null, eol + 2];
      if (b.length < eol + 4 + n) return null;
      return [b.toString('latin1', eol + 2, eol + 2 + n), eol + 4 + n];
    }
    if (kind === 0x2a) {
      const out = [];
      let next = eol + 2;
      for (let i = 0; i < Number(line); i++) {
        const r = this.one(next);
        if (r === null) return null;
        out.push(r[0]);
        next = r[1];
      }
      return [out, next];
    }
    throw new Error(`unexpected reply type ${String.fromCharCode(kind)}`);
  }

  replies_(n) {
    return new Promise((resolve) => {
      this.waiters.push({ n, resolve });
      this.parse();
    });
  }

  async call(...args) {
    this.socket.write(encode(args), 'latin1');
    const [r] = await this.replies_(1);
    if (r instanceof Error) throw r;
    return r;
  }

  /** Sends `requests` (encoded) and resolves to their replies. */
  send(requests) {
    this.socket.write(requests.join(''), 'latin1');
    return this.replies_(requests.length);
  }
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)));
    s.on('error', reject);
  });
}

const keyOf = (i) => `{t${i % 1000}}:${i}`;

function loadCommand(i) {
  const kind = MIX === 'strings' || i % 10 < 7 ? 's' : i % 10 < 9 ? 'h' : 'z';
  if (kind === 's') return ['SET', keyOf(i), `value-${i}`];
  if (kind === 'h') return ['HSET', keyOf(i), 'name', `n${i}`, 'age', String(i % 90), 'city', 'somewhere', 'score', String(i * 7), 'flag', 'yes'];
  return ['ZADD', keyOf(i), '1', 'a', '2', `b${i}`, '3.5', 'c'];
}

function cpuSeconds(info) {
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
}

function minorFaults(pid) {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
}

let started = 0;
/** Servers not yet stopped: none outlives the driver, whatever ends it. */
const live = new Set();
process.on('exit', () => {
  for (const server of live) server.kill('SIGKILL');
});

/** Starts `variant` on `port`, a new cluster-enabled node with every slot its own; resolves to the server and a connection. */
async function start(variant, port, dir) {
  const args = [...variant.args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${started++}.conf`, '--cluster-port', String(port + 1)];
  const [file, fileArgs] = pinned(0, variant.file, args);
  const server = spawn(file, fileArgs, { stdio: 'ignore' });
  live.add(server);
  const exited = new Promise((r) => server.once('exit', r)).then(() => live.delete(server));
  const stop = async () => {
    server.kill('SIGKILL');
    await exited;
  };
  try {
    let c = null;
    for (let i = 0; c === null; i++) {
      try {
        c = await connect(port);
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    while (!String(await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) await new Promise((r) => setTimeout(r, 50));
    return { server, c, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The keys' DUMP payloads, made by a server of the same kind (Sluice's are Redis 7.2's, byte for byte). */
async function payloadsFrom(variant, port, dir) {
  const { c, stop } = await start(variant, port, dir);
  try {
    const payloads = [];
    for (let i = 0; i < KEYS; i += 1000) {
      const n = Math.min(1000, KEYS - i);
      await c.send(Array.from({ length: n }, (_, j) => encode(loadCommand(i + j))));
      payloads.push(...(await c.send(Array.from({ length: n }, (_, j) => encode(['DUMP', keyOf(i + j)])))));
    }
    c.socket.destroy();
    return payloads;
  } finally {
    await stop();
  }
}

/** The RESTOREs into a fresh server, as a reshard's target takes them. */
async function measure(variant) {
  const scratch = scratchDir('sluice-bench-restore-');
  const port = opt('--port', null) === null ? await freePort() : Number(opt('--port'));
  try {
    const payloads = await payloadsFrom(variant, port, scratch.dir);
    const batches = [];
    for (let i = 0; i < KEYS; i += BATCH) batches.push(payloads.slice(i, i + BATCH).map((p, j) => encode(['RESTORE-ASKING', keyOf(i + j), '0', p])));
    const { server, c, stop } = await start(variant, port, scratch.dir);
    try {
      const faults = minorFaults(server.pid);
      const cpu = cpuSeconds(String(await c.call('INFO', 'cpu')));
      const begin = performance.now();
      let errors = 0;
      const pending = [];
      const settle = (replies) => {
        for (const r of replies) {
          if (r === 'OK') continue;
          if (errors++ === 0) console.error(`${variant.name}: unexpected reply ${JSON.stringify(r instanceof Error ? r.message : r).slice(0, 200)}`);
        }
      };
      for (const batch of batches) {
        pending.push(c.send(batch));
        if (pending.length >= IN_FLIGHT) settle(await pending.shift());
      }
      for (const p of pending) settle(await p);
      const seconds = (performance.now() - begin) / 1000;
      const used = cpuSeconds(String(await c.call('INFO', 'cpu'))) - cpu;
      const keys = Number(await c.call('DBSIZE'));
      if (errors !== 0 || keys !== KEYS) throw new Error(`${variant.name}: ${errors} errors, ${keys} of ${KEYS} keys`);
      c.socket.destroy();
      return { cpu: used, seconds, faults: minorFaults(server.pid) - faults };
    } finally {
      await stop();
    }
  } finally {
    scratch.remove();
  }
}

pinSelf(1);
const results = new Map(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
    const r = await measure(v);
    results.get(v.name).push(r);
    console.log(`round ${round + 1} ${v.name}: cpu ${r.cpu.toFixed(3)} s, wall ${r.seconds.toFixed(3)} s, ${r.faults} minor faults`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.get(variants[variants.length - 1].name).map((r) => r.cpu));
for (const [name, rs] of results) {
  const cpu = median(rs.map((r) => r.cpu));
  console.log(`${name}: ${KEYS} RESTORE-ASKING (${MIX}), server CPU median ${cpu.toFixed(3)} s (min ${Math.min(...rs.map((r) => r.cpu)).toFixed(3)}), ${(cpu / base).toFixed(2)}x of ${variants[variants.length - 1].name}`);
}
