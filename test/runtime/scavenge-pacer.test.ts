import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { freshNodeOutput } from '../helpers/fresh-node.js';
import { useSluice } from '../helpers/fixture.js';

const PACER = path.resolve(import.meta.dirname, '../../dist/runtime/scavenge-pacer.js');
const YOUNG = path.resolve(import.meta.dirname, '../../dist/runtime/young-generation.js');
const MIB = 1024 * 1024;

/**
 * Runs `load` in a fresh node with the young generation presized as
 * sluice-server has it and --trace-gc-nvp on, with `poll(now)` standing
 * for the start of a server turn (the pacer's when `paced`, nothing
 * otherwise) and the clock advancing 1 ms a turn; answers the pacer's
 * state as `load` logged it, and what each scavenge copied (survivors
 * kept in the new space plus those promoted), in order.
 */
function run(load: string, paced: boolean): { state: Record<string, unknown>; copied: number[] } {
  const output = freshNodeOutput(`
    import { scavengePacer } from ${JSON.stringify(PACER)};
    import { presizeYoungGeneration } from ${JSON.stringify(YOUNG)};
    presizeYoungGeneration();
    const pacer = ${paced ? 'scavengePacer()' : 'null'};
    let clock = 1000;
    const poll = () => { clock += 1; if (pacer !== null) pacer.poll(clock); };
    const idle = (ms) => { clock += ms; };
    console.log('load starts');
    ${load}
  `, ['--trace-gc-nvp']);
  const lines = output.split('\n');
  const start = lines.indexOf('load starts');
  const copied = lines.slice(start).filter((l) => l.includes('gc=s ')).map((l) => {
    const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(l)![1]);
    return field('new_space_survived') + field('promoted');
  });
  return { state: JSON.parse(lines.filter((l) => l.startsWith('{')).pop()!), copied };
}

/** A load that keeps a fifth of what it allocates: 400 turns of 2,000 small objects, one in five kept. */
const KEEPING = `
  const kept = [];
  for (let turn = 0; turn < 400; turn++) {
    poll();
    for (let i = 0; i < 2000; i++) { const o = { turn, i, s: 'v' + i }; if (i % 5 === 0) kept.push(o); }
  }
  console.log(JSON.stringify({ pacing: pacer?.pacing, scavenges: pacer?.scavenges, kept: kept.length }));
`;

/** A load that keeps nothing, in two bursts with an idle gap between them. */
const GARBAGE = `
  let sink = null;
  const burst = () => { for (let turn = 0; turn < 400; turn++) { poll(); for (let i = 0; i < 2000; i++) sink = { turn, i, s: 'v' + i }; } };
  burst();
  const afterFirst = { pacing: pacer.pacing, scavenges: pacer.scavenges };
  idle(100);
  burst();
  console.log(JSON.stringify({ afterFirst, pacing: pacer.pacing, scavenges: pacer.scavenges, sink: sink.turn }));
`;

/** A load whose objects live for the ten turns after their own (about 1 MB in flight at any time), then die: nothing is kept. */
const IN_FLIGHT = `
  const window = [];
  for (let turn = 0; turn < 800; turn++) {
    poll();
    const batch = [];
    for (let i = 0; i < 2000; i++) batch.push({ turn, i, s: 'v' + i });
    window.push(batch);
    if (window.length > 10) window.shift();
  }
  console.log(JSON.stringify({ pacing: pacer.pacing, scavenges: pacer.scavenges, inFlight: window.length }));
`;

describe("sluice-server's scavenge pacer", () => {
  beforeAll(() => ensureBuild(), 120_000);

  test('while a load keeps what it allocates, scavenges come early enough that none copies half of what the worst unpaced one did', () => {
    const unpaced = run(KEEPING, false);
    const paced = run(KEEPING, true);
    expect(paced.state).toMatchObject({ pacing: true, kept: 160000 });
    expect(paced.state.scavenges as number).toBeGreaterThan(5);
    const worstUnpaced = Math.max(...unpaced.copied);
    expect(worstUnpaced).toBeGreaterThan(4 * MIB);
    expect(Math.max(...paced.copied)).toBeLessThan(worstUnpaced / 2);
  });

  test('objects that are only in flight, alive at one scavenge and dead by the next, end the pacing within three scavenges of its own', () => {
    const { state } = run(IN_FLIGHT, true);
    expect(state).toMatchObject({ pacing: false, inFlight: 10 });
    expect(state.scavenges as number).toBeGreaterThanOrEqual(1);
    expect(state.scavenges as number).toBeLessThanOrEqual(3);
  });

  test('a load that keeps nothing gets one probe scavenge per burst of work and is never paced', () => {
    const { state } = run(GARBAGE, true);
    expect(state).toEqual({ afterFirst: { pacing: false, scavenges: 1 }, pacing: false, scavenges: 2, sink: 399 });
  });
});

describe('the turn hook', () => {
  const sluice = useSluice({ conn: 'shared' });

  test('is called as a turn starts, with the time, and then not before the time it answered', async () => {
    const calls: number[] = [];
    sluice.server.setTurnHook((now) => {
      calls.push(now);
      return now + 60_000;
    });
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThan(0);
    expect(calls[0]).toBeLessThanOrEqual(performance.now());
  });
});
