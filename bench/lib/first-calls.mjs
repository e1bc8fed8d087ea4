// The first EVAL of each of BullMQ's scripts on a server that has run none:
// what a test suite embedding Sluice pays on every fresh server, timed from
// the client, one request at a time.
import { createRequire } from 'node:module';
import path from 'node:path';
import Redis from 'ioredis';
import { median } from './table.mjs';
import { freePort, ROOT, scratchDir } from './servers.mjs';

const require = createRequire(import.meta.url);

/** BullMQ's scripts as it sends them (includes inlined), in its own order: { name, content, keys }. */
export function bullmqScripts() {
  return Object.values(require('bullmq/dist/cjs/scripts/index.js'));
}

/**
 * Milliseconds from sending to the reply of the first EVAL of each script,
 * its keys named and no arguments (most scripts then stop with an error at
 * their first argument: the time is the compile and a short run). PINGs
 * first, so that the client's own first requests are not in the figures.
 */
export async function firstCallTimes(port, scripts) {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await c.connect();
    for (let i = 0; i < 20; i++) await c.ping();
    const times = [];
    for (const s of scripts) {
      const keys = Array.from({ length: s.keys }, (_, i) => `bench:first-call:${i}`);
      const t0 = performance.now();
      try {
        await c.call('EVAL', s.content, String(s.keys), ...keys);
      } catch {
        // An error reply is still the script's first call.
      }
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    c.disconnect();
  }
}

/**
 * The first calls on Sluice servers embedded one after the other in this
 * process (which must not have imported Sluice before), over an empty
 * script store: { first, next }, `first` the times per script on the first
 * server, `next` those on each of `nextServers` more, which find the
 * scripts compiled (the process shares compiled chunks).
 */
export async function embeddedFirstCallTimes(scripts, nextServers) {
  // The process's script store (compile-store.ts) is chosen when Sluice is first imported: an empty one.
  const store = scratchDir('sluice-bench-embedded-scripts-');
  process.env.SLUICE_SCRIPT_CACHE_DIR = store.dir;
  const { startServer } = await import(path.join(ROOT, 'dist/index.js'));
  const quiet = { write: () => true };
  const run = async () => {
    const scratch = scratchDir('sluice-bench-first-call-');
    const server = await startServer({ port: await freePort(), bind: '127.0.0.1', config: { dir: scratch.dir, appendonly: 'no' }, logTo: quiet });
    try {
      return await firstCallTimes(server.port, scripts);
    } finally {
      await server.close();
      scratch.remove();
    }
  };
  try {
    const first = await run();
    const next = [];
    for (let i = 0; i < nextServers; i++) next.push(await run());
    return { first, next };
  } finally {
    store.remove();
  }
}

/** Per script, the median over rounds (arrays of times per script); then the worst and the median over scripts, and which script was the worst. */
export function summarize(rounds, scripts) {
  if (rounds.length === 0) return null;
  const perScript = scripts.map((_, i) => median(rounds.map((r) => r[i])));
  const worst = perScript.reduce((w, t, i) => (t > perScript[w] ? i : w), 0);
  return { worst: perScript[worst], worstScript: scripts[worst].name, median: median(perScript) };
}
