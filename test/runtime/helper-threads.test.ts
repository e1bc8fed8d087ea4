import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { freshNodeOutput, lastJsonLine } from '../helpers/fresh-node.js';

const MODULE = path.resolve(import.meta.dirname, '../../dist/runtime/helper-threads.js');
const SWEEPING = path.resolve(import.meta.dirname, '../../dist/runtime/sweeping.js');
/** Linux's scheduling policies as /proc's stat gives them. */
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/**
 * Per thread of the process running it, in order of thread id: its id, its
 * nice value, its scheduling policy (5: SCHED_IDLE), where the kernel has
 * it waiting (wchan) and the first argument of the system call it is in (a
 * futex's address).
 */
const THREADS = `
  const threads = () => fs.readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b).map((tid) => {
    const dir = '/proc/self/task/' + tid;
    const stat = fs.readFileSync(dir + '/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const syscall = fs.readFileSync(dir + '/syscall', 'utf8').trim().split(' ');
    return { tid, nice: Number(fields[16]), policy: Number(fields[38]), stime: Number(fields[12]), wchan: fs.readFileSync(dir + '/wchan', 'utf8'), arg: syscall[1] };
  });
  const idle = () => new Promise((resolve) => setTimeout(resolve, 200));
`;

/** Runs `body` as an ES module in a fresh node (with `prefix` before it, taskset for one), helper-threads' functions and THREADS in scope; returns what it logged last, parsed. */
function inFreshNode(body: string, nodeFlags: string[] = [], prefix: string[] = []): any {
  const script = `
    import fs from 'node:fs';
    import { platformThreads, yieldBackgroundThreads } from ${JSON.stringify(MODULE)};
    import { sweepOnMainThread } from ${JSON.stringify(SWEEPING)};
    ${THREADS}
    ${body}
  `;
  return lastJsonLine(freshNodeOutput(script, nodeFlags, prefix));
}

describe("V8's background threads on one core", () => {
  beforeAll(() => ensureBuild(), 120_000);

  test("platformThreads names node's delayed-task scheduler, waiting in epoll, and the four workers that wait on one task queue", () => {
    const { found, all, main } = inFreshNode(`
      const found = platformThreads();
      await idle();
      console.log(JSON.stringify({ found, all: threads(), main: process.pid }));
    `);
    const byTid = new Map(all.map((t: any) => [t.tid, t]));
    const [scheduler, ...workers] = found.map((tid: number) => byTid.get(tid));
    expect(workers).toHaveLength(4);
    expect(scheduler.wchan).toContain('epoll');
    for (const w of workers) expect(w.wchan).toContain('futex');
    expect(new Set(workers.map((w: any) => w.arg)).size).toBe(1);
    const queue = workers[0].arg;
    const othersOnQueue = all.filter((t: any) => t.arg === queue && !found.includes(t.tid));
    expect(othersOnQueue).toEqual([]);
    expect(found).not.toContain(main);
  });

  test("yieldBackgroundThreads on one core gives those five threads nice 19 and Linux's idle policy, and leaves the main thread and the others as they were", () => {
    const { yielded, found, all } = inFreshNode(`
      const yielded = yieldBackgroundThreads(1);
      console.log(JSON.stringify({ yielded, found: platformThreads(), all: threads() }));
    `);
    expect(yielded).toBe('idle');
    const niced = all.filter((t: any) => t.nice === 19).map((t: any) => t.tid);
    expect(niced).toEqual(found);
    const idle = all.filter((t: any) => t.policy === SCHED_IDLE).map((t: any) => t.tid);
    expect(idle).toEqual(found);
    const others = all.filter((t: any) => !found.includes(t.tid));
    expect(others.every((t: any) => t.nice === 0 && t.policy === SCHED_OTHER)).toBe(true);
    expect(all.length).toBeGreaterThan(found.length + 1);
  });

  test('where chrt cannot be run, the threads yield at nice 19 alone', () => {
    const { yielded, found, all } = inFreshNode(`
      process.env.PATH = '/nonexistent';
      const yielded = yieldBackgroundThreads(1);
      console.log(JSON.stringify({ yielded, found: platformThreads(), all: threads() }));
    `);
    expect(yielded).toBe('nice');
    expect(all.filter((t: any) => t.nice === 19).map((t: any) => t.tid)).toEqual(found);
    expect(all.every((t: any) => t.policy === SCHED_OTHER)).toBe(true);
  });

  test('with more than one core, or a pool size given to node, no thread is touched', () => {
    const cores = inFreshNode(`console.log(JSON.stringify([yieldBackgroundThreads(2), threads().map((t) => t.nice)]));`);
    expect(cores[0]).toBe(false);
    expect(cores[1].every((n: number) => n === 0)).toBe(true);
    const pool = inFreshNode(`console.log(JSON.stringify([platformThreads(), yieldBackgroundThreads(1), threads().map((t) => t.nice)]));`, ['--v8-pool-size=2']);
    expect(pool[0]).toBe(null);
    expect(pool[1]).toBe(false);
    expect(pool[2].every((n: number) => n === 0)).toBe(true);
  });

  /**
   * Three times, 256 MB of buffers become garbage and a full collection
   * finds them: the system time of returning their pages to the kernel
   * (munmap) lands on the thread that frees them. In ticks of 1/100 s.
   */
  const FREE_BIG_BUFFERS = `
    const found = platformThreads();
    const spent = { main: 0, helpers: 0 };
    for (let round = 0; round < 3; round++) {
      let buffers = Array.from({ length: 2 }, (_, i) => Buffer.alloc(128 * 1024 * 1024, i + 1));
      await idle();
      const before = threads();
      buffers = null;
      gc();
      await idle();
      for (const t of threads()) {
        const was = before.find((b) => b.tid === t.tid);
        if (!was) continue;
        if (t.tid === process.pid) spent.main += t.stime - was.stime;
        if (found.includes(t.tid)) spent.helpers += t.stime - was.stime;
      }
    }
    console.log(JSON.stringify(spent));
  `;

  test("on one core with the background threads yielded, a dead buffer's memory goes back to the kernel on a platform thread, not in the main thread's collection", () => {
    const yielded = inFreshNode(`yieldBackgroundThreads(1);${FREE_BIG_BUFFERS}`, ['--expose-gc'], ['taskset', '-c', '0']);
    expect(yielded.helpers).toBeGreaterThanOrEqual(2);
    expect(yielded.main).toBeLessThanOrEqual(yielded.helpers / 2);
  });

  test('with sweeping on the main thread instead, the same memory goes back inside the collection, on the main thread', () => {
    const onMain = inFreshNode(`sweepOnMainThread(1);${FREE_BIG_BUFFERS}`, ['--expose-gc'], ['taskset', '-c', '0']);
    expect(onMain.main).toBeGreaterThanOrEqual(2);
    expect(onMain.helpers).toBeLessThanOrEqual(onMain.main / 2);
  });
});
