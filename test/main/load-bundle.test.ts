import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

/**
 * The bundle's loader (src/main/load-bundle.ts, built to
 * dist/main/load-bundle.js) and V8's code cache for Sluice's own code, kept
 * beside the user's script store. Each case runs fresh node processes, as a
 * user's processes follow one another.
 */
const LOADER = path.resolve(import.meta.dirname, '../../dist/main/load-bundle.js');

/**
 * Runs a fresh process that loads Sluice through the loader, then (unless
 * `serve` is false) starts a server and sends it one PING; prints what the
 * loader says of the code cache.
 */
function run(storeDir: string, serve = true): string {
  const script = `
    (async () => {
      const { sluice } = await import(${JSON.stringify(LOADER)});
      const state = sluice[Symbol.for('sluice.codeCache')];
      if (${serve}) {
        const s = await sluice.startServer({ port: 0, bind: '127.0.0.1', config: { appendonly: 'no', save: '' } });
        const net = await import('node:net');
        await new Promise((resolve, reject) => {
          const c = net.connect(s.port, '127.0.0.1', () => c.write('PING\\r\\n'));
          c.once('data', (d) => { c.destroy(); d.toString() === '+PONG\\r\\n' ? resolve() : reject(new Error(String(d))); });
          c.once('error', reject);
        });
        await s.close();
      }
      console.log(state);
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', SLUICE_SCRIPT_CACHE_DIR: storeDir } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const caches = (dir: string) => readdirSync(dir).filter((n) => /^code-[0-9a-f]{16}\.v8$/.test(n));

describe("V8's code cache for the bundle", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-code-cache-')));

  test('the first process is compiled from the cache the build shipped and leaves its own at exit; the next is compiled from that', () => {
    const store = path.join(fresh(), 'store');
    // The build made dist/bundle/sluice.v8 with this node, so V8 takes it.
    expect(run(store)).toBe('shipped');
    const [file] = caches(store);
    expect(file).toBeDefined();
    // Like the script store: the user's own, readable by no one else.
    expect(statSync(store).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(store, file)).mode & 0o777).toBe(0o600);
    expect(run(store)).toBe('accepted');
    expect(run(store)).toBe('accepted');
  });

  test('a process that served no command leaves no cache: it would hold only start-up code', () => {
    const store = fresh();
    expect(run(store, false)).toBe('shipped');
    expect(caches(store)).toEqual([]);
  });

  test('a damaged cache is refused by V8, the process runs from source and replaces it', () => {
    const store = fresh();
    run(store);
    const [file] = caches(store);
    writeFileSync(path.join(store, file), Buffer.alloc(4096, 7), { mode: 0o600 });
    expect(run(store)).toBe('rejected');
    expect(run(store)).toBe('accepted');
  });

  test('a cache another user could have written is not read', () => {
    const store = fresh();
    run(store);
    const [file] = caches(store);
    chmodSync(path.join(store, file), 0o666);
    expect(run(store)).toBe('shipped');
    chmodSync(path.join(store, file), 0o600);
    chmodSync(store, 0o777);
    expect(run(store)).toBe('shipped');
  });

  test('SLUICE_SCRIPT_CACHE_DIR=off turns the user\'s cache off with the script store; the shipped one stays, part of the package', () => {
    fresh();
    // Never 'accepted': no process of the two left a cache of its own.
    expect(run('off')).toBe('shipped');
    expect(run('off')).toBe('shipped');
  });
});
