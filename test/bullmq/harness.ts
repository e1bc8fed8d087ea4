import type { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ConnectionOptions } from 'bullmq';

/** Something BullMQ opened (Queue, Worker, QueueEvents, FlowProducer) that the test must close. */
interface Closable {
  close(force?: boolean): Promise<void>;
}

export interface BullHarness {
  /** Connection options for the server under test (no retry limit, as BullMQ's workers need). */
  connection(): ConnectionOptions;
  /** A queue name no other test uses. */
  queueName(): string;
  /** Closes `x` after the test, whether it passed or not (workers forced: a processor may never resolve). */
  track<T extends Closable>(x: T): T;
  /** Every console.warn and process warning since the file began. */
  readonly warnings: string[];
}

/**
 * BullMQ objects against the server `port()` names, closed after each test;
 * BullMQ's own warnings (its version and eviction-policy checks print them
 * with console.warn) are collected for the file to assert on.
 */
export function bullHarness(port: () => number): BullHarness {
  const warnings: string[] = [];
  const open: Closable[] = [];
  let queues = 0;
  const realWarn = console.warn;
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  beforeAll(() => {
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      realWarn(...args);
    };
    process.on('warning', onWarning);
  });
  afterAll(() => {
    console.warn = realWarn;
    process.off('warning', onWarning);
  });
  afterEach(async () => {
    // Workers first, so none is left blocked on a connection a queue's close would cut.
    const all = open.splice(0).reverse();
    await Promise.all(all.filter(isWorker).map((w) => w.close(true)));
    await Promise.all(all.filter((x) => !isWorker(x)).map((x) => x.close()));
  });
  return {
    connection: () => ({ host: '127.0.0.1', port: port(), maxRetriesPerRequest: null }),
    queueName: () => `q${++queues}-${process.pid}`,
    track(x) {
      open.push(x);
      return x;
    },
    warnings,
  };
}

function isWorker(x: Closable): boolean {
  return x.constructor.name === 'Worker';
}

/** Polls `pred` every 20 ms until it holds; throws after `timeoutMs` (a generous bound, not a measurement). */
export async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The arguments of the first `event` from `emitter` that `accept` takes; rejects after `timeoutMs`. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as A);
    };
    emitter.on(event, listener);
  });
}

/** Resolves once `emitter` has emitted `event` `count` times; rejects after `timeoutMs`. */
export function events(emitter: EventEmitter, event: string, count: number, timeoutMs = 15_000): Promise<void> {
  let seen = 0;
  return nextEvent(emitter, event, () => ++seen === count, timeoutMs).then(() => undefined);
}
