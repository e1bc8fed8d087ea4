import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { encodeCommand, RespClient, type Resp } from './resp-client.js';
import { redisServerPath, startRedis, startSluice, type RealRedis } from './servers.js';

/**
 * Differential scripts for pub/sub, where one command can answer with many
 * replies and other connections receive messages. A step sends a command on
 * one connection; then every connection is read up to a barrier (a PING with
 * a marker, the one command every mode accepts), so the transcript holds
 * exactly what each connection received because of that step, in order.
 */
export interface Step {
  conn: number;
  /** Commands sent together before the barrier (several for MULTI … EXEC, where a PING would be queued). */
  cmds: string[][];
  /**
   * 'exact' by default; 'unordered' compares what each connection received
   * in this step as a multiset (Redis walks its pattern table in hash
   * order); 'items' sorts the items of each array reply (PUBSUB CHANNELS);
   * 'shape' keeps only the reply types (HELLO carries versions and ids).
   */
  compare?: 'exact' | 'unordered' | 'items' | 'shape';
  /** Wait this long (ms) after sending, before reading: lets deadlines pass. */
  waitMs?: number;
}

/** Waits, then reads every connection (what expired meanwhile shows up). */
export const sleep = (waitMs: number): Step => ({ conn: 0, cmds: [], waitMs });
/** A command on connection `conn`. */
export const on = (conn: number, ...cmd: string[]): Step => ({ conn, cmds: [cmd] });
/** Several commands on connection `conn`, pipelined. */
export const pipeline = (conn: number, ...cmds: string[][]): Step => ({ conn, cmds });
/** The same, what every connection received in this step compared in any order. */
export const onUnordered = (conn: number, ...cmd: string[]): Step => ({ conn, cmds: [cmd], compare: 'unordered' });
/** The same, the items of array replies compared in any order. */
export const onItems = (conn: number, ...cmd: string[]): Step => ({ conn, cmds: [cmd], compare: 'items' });
/** The same, only the types of the replies compared. */
export const onShape = (conn: number, ...cmd: string[]): Step => ({ conn, cmds: [cmd], compare: 'shape' });

function normalise(replies: Resp[], compare: Step['compare']): unknown[] {
  switch (compare) {
    case 'unordered':
      return replies.map((r) => JSON.stringify(r)).sort();
    case 'items':
      return replies.map((r) => (r.t === 'array' && r.v !== null ? r.v.map((x) => JSON.stringify(x)).sort() : r));
    case 'shape':
      return replies.map((r) => r.t);
    default:
      return replies;
  }
}

const MARKER = 'barrier-5d1c';

function isBarrier(r: Resp): boolean {
  if (r.t === 'bulk') return r.v === MARKER;
  if (r.t === 'array' && r.v !== null && r.v.length === 2) {
    const [a, b] = r.v;
    return a.t === 'bulk' && a.v === 'pong' && b.t === 'bulk' && b.v === MARKER;
  }
  return false;
}

/** Everything a connection receives up to the barrier's reply. */
async function drain(conn: RespClient): Promise<Resp[]> {
  conn.writeRaw(`*2\r\n$4\r\nPING\r\n$${MARKER.length}\r\n${MARKER}\r\n`);
  const out: Resp[] = [];
  for (let i = 0; i < 100_000; i++) {
    const r = await conn.read();
    if (isBarrier(r)) return out;
    out.push(r);
  }
  throw new Error('no barrier reply after 100000 replies');
}

/** What every connection received, step by step; a closed connection records 'closed'. */
export async function runScript(port: number, connections: number, steps: Step[]): Promise<unknown[]> {
  const conns = await Promise.all(Array.from({ length: connections }, () => RespClient.connect(port)));
  const closed = new Set<number>();
  const transcript: unknown[] = [];
  try {
    await conns[0].call('FLUSHALL');
    await conns[0].call('CONFIG', 'SET', 'notify-keyspace-events', '');
    for (const step of steps) {
      const got: unknown[] = [step.cmds.map((cmd) => cmd.join(' ')).join(' | ')];
      if (step.cmds.length > 0) conns[step.conn].writeRaw(Buffer.concat(step.cmds.map((cmd) => encodeCommand(cmd))));
      if (step.waitMs !== undefined) await new Promise((resolve) => setTimeout(resolve, step.waitMs));
      for (let i = 0; i < connections; i++) {
        const n = (step.conn + i) % connections;
        if (closed.has(n)) continue;
        let replies: unknown[];
        try {
          replies = normalise(await drain(conns[n]), step.compare);
        } catch {
          closed.add(n);
          replies = ['closed'];
        }
        got.push([n, replies]);
      }
      transcript.push(got);
    }
  } finally {
    for (const c of conns) c.close();
  }
  return transcript;
}

/**
 * Declares tests that run each script against Sluice and a real
 * redis-server and require identical transcripts. `config` is given to
 * both servers. Skipped, with a note, where redis-server is not installed.
 */
export function pubsubDifferential(
  title: string,
  connections: number,
  scripts: Record<string, Step[]>,
  config: Record<string, string> = {},
): void {
  describe.skipIf(redisServerPath === null)(`${title} (differential vs redis-server)`, () => {
    let sluice: RunningServer;
    let redis: RealRedis;
    beforeAll(async () => {
      const redisArgs = Object.entries(config).flatMap(([name, value]) => [`--${name}`, value]);
      [sluice, redis] = await Promise.all([startSluice({ config }), startRedis(redisArgs)]);
    });
    afterAll(async () => {
      await Promise.all([sluice?.close(), redis?.stop()]);
    });
    for (const [name, steps] of Object.entries(scripts)) {
      test(name, async () => {
        const theirs = await runScript(redis.port, connections, steps);
        const ours = await runScript(sluice.port, connections, steps);
        expect(ours).toEqual(theirs);
      });
    }
  });
}
