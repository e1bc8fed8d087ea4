import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild } from '../helpers/child-sluice.js';
import { RespClient } from '../helpers/resp-client.js';
import { plant } from './lua/helpers/plant.js';

/**
 * Server processes share compiled scripts through the user's script store
 * (compile-store.ts): the first process writes what it compiled, the next
 * one reads it (a read marks the file used) and runs it the same.
 */
describe('the script store across server processes', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-script-store-'));
  const saved = process.env.SLUICE_SCRIPT_CACHE_DIR;

  beforeAll(() => {
    ensureBuild();
    process.env.SLUICE_SCRIPT_CACHE_DIR = root;
  }, 120_000);
  afterAll(() => {
    process.env.SLUICE_SCRIPT_CACHE_DIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  // The compiled scripts, in the version directories (the root also holds V8's code cache of Sluice's bundle).
  const files = (): string[] =>
    fs
      .readdirSync(root, { withFileTypes: true })
      .filter((v) => v.isDirectory())
      .flatMap((v) => fs.readdirSync(path.join(root, v.name)).map((f) => path.join(root, v.name, f)));
  const script = `local n = redis.call('INCRBY', KEYS[1], ARGV[1]) return {n, 'store ${process.pid}'}`;

  async function evalIn(): Promise<unknown> {
    const server = await startChild(['--save', '', '--appendonly', 'no']);
    try {
      const c = await RespClient.connect(server.port);
      const reply = await c.call('EVAL', script, '1', 'k', '5');
      c.close();
      // The file is written in the background after the reply.
      for (let i = 0; i < 100 && files().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      return reply;
    } finally {
      await server.kill('SIGTERM');
      await server.exited;
    }
  }

  test('the first process stores the script it ran; the next reads it and answers the same', async () => {
    const expected = { t: 'array', v: [{ t: 'int', v: '5' }, { t: 'bulk', v: `store ${process.pid}` }] };
    expect(await evalIn()).toEqual(expected);
    const [file] = files();
    expect(files()).toHaveLength(1);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    // What the next process runs is the stored code: changed in the file (by this user), the answer changes.
    plant(file, (code) => code.replace(`store ${process.pid}`, `stored ${process.pid}`));
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(file, old, old);
    expect(await evalIn()).toEqual({ t: 'array', v: [{ t: 'int', v: '5' }, { t: 'bulk', v: `stored ${process.pid}` }] });
    expect(files()).toEqual([file]);
    // A read marks the file used, for the pruning.
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(old.getTime() + 60_000);
  }, 60_000);
});
