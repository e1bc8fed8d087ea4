import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AofReader } from '../../src/persistence/aof-reader.js';
import type { Server } from '../../src/server/server.js';
import { isString } from '../../src/keyspace/value.js';
import { stringText } from '../../src/store/string/string-access.js';
import type { RespClient, Resp } from './resp-client.js';

/** A scratch directory, removed by the returned function. */
export function scratch(prefix = 'sluice-aof-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function aofDir(dir: string): string {
  return path.join(dir, 'appendonlydir');
}

export function readAof(dir: string, name: string): string {
  return readFileSync(path.join(aofDir(dir), name), 'latin1');
}

/** The commands of one file of the AOF directory, in order; throws unless the file ends cleanly. */
export function aofCommands(dir: string, name: string): string[][] {
  const fd = openSync(path.join(aofDir(dir), name), 'r');
  try {
    const reader = new AofReader(fd);
    const out: string[][] = [];
    for (;;) {
      const step = reader.next();
      if (step.kind === 'eof') return out;
      if (step.kind !== 'command') throw new Error(`${name}: ${JSON.stringify(step)}`);
      out.push(step.argv);
    }
  } finally {
    closeSync(fd);
  }
}

/** RESP text of commands, as an AOF file holds them. */
export function resp(...commands: string[][]): string {
  let out = '';
  for (const argv of commands) {
    out += `*${argv.length}\r\n`;
    for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  }
  return out;
}

function str(r: Resp): string {
  if (r.t === 'bulk' || r.t === 'simple' || r.t === 'int') return String(r.v);
  if (r.t === 'error') throw new Error(r.v);
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

/** The values of an array reply. */
function items(r: Resp): string[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  return r.v.map(str);
}

/**
 * Everything the databases hold, as comparable text: per database, each key
 * with its type, value and absolute deadline (PEXPIRETIME), sorted. Works
 * against Sluice and real Redis alike.
 */
export async function dumpAll(c: RespClient, databases = 16): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let db = 0; db < databases; db++) {
    await c.call('SELECT', String(db));
    const entries: [string, string][] = [];
    const seen = new Set<string>();
    let cursor = '0';
    for (let rounds = 0; rounds < 1_000_000; rounds++) {
      const r = await c.call('SCAN', cursor, 'COUNT', '1000');
      if (r.t !== 'array' || r.v === null) throw new Error(`SCAN answered ${JSON.stringify(r)}`);
      cursor = str(r.v[0]);
      // Pipelined a batch at a time: the type of each key, then its value and deadline.
      const keys = items(r.v[1]).filter((k) => !seen.has(k));
      for (const k of keys) seen.add(k);
      const types = (await Promise.all(keys.map((k) => c.call('TYPE', k)))).map(str);
      const values = await Promise.all(
        keys.map((k, i) => (types[i] === 'list' ? c.call('LRANGE', k, '0', '-1') : types[i] === 'string' ? c.call('GET', k) : c.call('PING'))),
      );
      const deadlines = await Promise.all(keys.map((k) => c.call('PEXPIRETIME', k)));
      keys.forEach((key, i) => {
        const type = types[i];
        const value = type === 'list' ? JSON.stringify(items(values[i])) : type === 'string' ? str(values[i]) : `(${type})`;
        entries.push([`${db}:${key}`, `${type} ${str(deadlines[i])} ${value}`]);
      });
      if (cursor === '0') break;
    }
    entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [k, v] of entries) out[k] = v;
  }
  await c.call('SELECT', '0');
  return out;
}

/** Polls `check` every 20 ms until it is true, for at most `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One field of INFO's text, from `section` (persistence unless given). */
export async function infoField(c: RespClient, field: string, section = 'persistence'): Promise<string | undefined> {
  const r = await c.call('INFO', section);
  const text = str(r);
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(text);
  return m?.[1]?.trim();
}

/** Waits until no rewrite is in progress or scheduled. */
export async function rewriteDone(c: RespClient, timeoutMs = 20000): Promise<void> {
  await waitFor(
    async () => (await infoField(c, 'aof_rewrite_in_progress')) === '0' && (await infoField(c, 'aof_rewrite_scheduled')) === '0',
    timeoutMs,
    'the AOF rewrite to finish',
  );
}

/**
 * The keyspace of an in-process server as comparable text, read directly
 * (fast for large datasets): each live key with its deadline and its value
 * as the rebuild commands the AOF rewrite would write.
 */
export function keyspaceSnapshot(server: Server): Map<string, string> {
  const out = new Map<string, string>();
  const now = Date.now();
  for (const db of server.keyspace.dbs) {
    for (const [key, value] of db.dict.entries()) {
      const deadline = db.expires.get(key) ?? -1;
      if (deadline !== -1 && deadline <= now) continue;
      let text: string;
      if (isString(value)) {
        text = stringText(value);
      } else {
        const parts: string[] = [value.type];
        const it = value.snapshot!().rebuildCommands(key);
        for (let r = it.next(); !r.done; r = it.next()) parts.push(JSON.stringify(r.value.slice(2)));
        text = parts.join(' ');
      }
      out.set(`${db.index}:${key}`, `${deadline} ${text}`);
    }
  }
  return out;
}
