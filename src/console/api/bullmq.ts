import { clip, toBytes } from '../bytes.js';
import { arr, num, str, strOrNull } from '../replies.js';
import type { Session } from '../session.js';
import type { BullJob, BullJobSummary, BullQueue, BullState, Page } from '../web/types.js';
import { BadRequest, scanSlices } from './common.js';
import { PAUSE, REMOVE_FAILED, RETRY_FAILED } from './bullmq-scripts.js';

export const STATES: readonly BullState[] = ['wait', 'active', 'paused', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'];
const LISTS = new Set<BullState>(['wait', 'active', 'paused']);
const JOBS_PAGE = 50;
/** A job field's value is cut to this much for the page (data can be large); a reason in a listing, to less. */
const FIELD_BYTES = 64 * 1024;
const REASON_BYTES = 1024;
const LOG_LINES = 100;

/**
 * The BullMQ view's queues, found from BullMQ's own keys under any prefix:
 * a hash `<prefix>:<name>:meta` that BullMQ wrote (its `version` names
 * bullmq, or it holds `opts.maxLenEvents`). Each queue's counts are LLEN
 * and ZCARD of its state keys.
 */
export async function bullQueues(s: Session, cursor: string, db: number): Promise<Page<BullQueue>> {
  await s.select(db);
  const page = await scanSlices(s, cursor, ['MATCH', '*:meta', 'TYPE', 'hash'], 20);
  const items: BullQueue[] = [];
  for (const meta of page.keys) {
    const [version, maxLen, paused] = arr(await s.call('HMGET', meta, 'version', 'opts.maxLenEvents', 'paused')).map(strOrNull);
    if (!(version?.startsWith('bullmq') ?? false) && maxLen === null) continue;
    const base = meta.slice(0, -':meta'.length);
    const counts = {} as Record<BullState, number>;
    for (const state of STATES) counts[state] = num(await s.call(LISTS.has(state) ? 'LLEN' : 'ZCARD', `${base}:${state}`));
    items.push({ base: toBytes(base), paused: paused !== null, version, counts });
  }
  return { cursor: page.cursor, items };
}

function state(v: string | null): BullState {
  const st = STATES.find((x) => x === v);
  if (st === undefined) throw new BadRequest('unknown job state');
  return st;
}

/** A page of a queue's jobs in one state: newest first for the sorted sets, list order for the lists. */
export async function bullJobs(s: Session, base: string, stateName: string | null, start: number, db: number): Promise<{ total: number; jobs: BullJobSummary[] }> {
  await s.select(db);
  const st = state(stateName);
  const key = `${base}:${st}`;
  const stop = String(start + JOBS_PAGE - 1);
  const list = LISTS.has(st);
  const total = num(await s.call(list ? 'LLEN' : 'ZCARD', key));
  const ids = arr(await s.call(list ? 'LRANGE' : 'ZREVRANGE', key, String(start), stop)).map(str);
  const jobs: BullJobSummary[] = [];
  for (const id of ids) {
    const [name, timestamp, finishedOn, atm, failedReason, progress] = arr(
      await s.call('HMGET', `${base}:${id}`, 'name', 'timestamp', 'finishedOn', 'atm', 'failedReason', 'progress'),
    ).map(strOrNull);
    jobs.push({
      id: toBytes(id),
      name: clip(name ?? '', REASON_BYTES),
      timestamp: timestamp === null ? null : Number(timestamp),
      finishedOn: finishedOn === null ? null : Number(finishedOn),
      attemptsMade: Number(atm ?? 0),
      failedReason: failedReason === null ? null : clip(failedReason, REASON_BYTES),
      progress: progress === null ? null : clip(progress, REASON_BYTES),
    });
  }
  return { total, jobs };
}

/** One job: its hash (each value cut to FIELD_BYTES) and the last of its log lines. */
export async function bullJob(s: Session, base: string, id: string, db: number): Promise<BullJob> {
  await s.select(db);
  const jobKey = `${base}:${id}`;
  const names = arr(await s.call('HKEYS', jobKey)).map(str).sort();
  const fields: BullJob['fields'] = [];
  for (const f of names) {
    fields.push([toBytes(f), clip(str(await s.call('HGET', jobKey, f)), FIELD_BYTES)]);
  }
  const logKey = `${jobKey}:logs`;
  const logCount = num(await s.call('LLEN', logKey));
  const logs = arr(await s.call('LRANGE', logKey, String(-LOG_LINES), '-1')).map((l) => clip(str(l)));
  return { id: toBytes(id), fields, logs, logCount };
}

/** What a script's answer means, for the page. */
const OUTCOMES: Record<number, string> = {
  1: 'ok',
  0: 'the job is locked by a worker',
  [-1]: 'no such job',
  [-3]: 'the job is not in the failed set',
  [-4]: 'the job is part of a flow: remove it with BullMQ, which knows its parent and children',
};

function outcome(n: number): { ok: boolean; message: string } {
  return { ok: n === 1, message: OUTCOMES[n] ?? `BullMQ script answered ${n}` };
}

/** Retries a failed job as BullMQ's job.retry() does: back to wait (or prioritized), a marker for the workers, a waiting event. */
export async function bullRetry(s: Session, base: string, id: string, db: number): Promise<{ ok: boolean; message: string }> {
  await s.select(db);
  const jobKey = `${base}:${id}`;
  const opts = strOrNull(await s.call('HGET', jobKey, 'opts'));
  let lifo = false;
  try {
    lifo = opts !== null && (JSON.parse(opts) as { lifo?: boolean }).lifo === true;
  } catch {
    // Options BullMQ could not have written: pushed as a FIFO job.
  }
  const keys = [jobKey, ...['events', 'failed', 'wait', 'meta', 'active', 'marker', 'prioritized', 'pc'].map((k) => `${base}:${k}`)];
  return outcome(num(await s.call('EVAL', RETRY_FAILED, String(keys.length), ...keys, id, lifo ? 'RPUSH' : 'LPUSH')));
}

/** Removes a failed job (not one of a flow) with its logs, as BullMQ's job.remove() does. */
export async function bullRemove(s: Session, base: string, id: string, db: number): Promise<{ ok: boolean; message: string }> {
  await s.select(db);
  const keys = [`${base}:${id}`, `${base}:events`, `${base}:failed`];
  return outcome(num(await s.call('EVAL', REMOVE_FAILED, String(keys.length), ...keys, id, `${base}:`)));
}

/** Pauses or resumes a queue, as BullMQ's queue.pause() and resume() do. */
export async function bullPause(s: Session, base: string, pause: boolean, db: number): Promise<{ ok: boolean; message: string }> {
  await s.select(db);
  const keys = ['paused', 'wait', 'meta', 'prioritized', 'events', 'delayed', 'marker'].map((k) => `${base}:${k}`);
  return outcome(num(await s.call('EVAL', PAUSE, String(keys.length), ...keys, pause ? 'paused' : 'resumed')));
}
