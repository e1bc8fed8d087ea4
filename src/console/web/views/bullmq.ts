import { ApiFailure, get, post } from '../api.js';
import { bytes, errorBox, fill, h, num, queryBytes, table, td, tdNum, time } from '../dom.js';
import type { BullJob, BullJobSummary, BullQueue, BullState, Bytes } from '../types.js';
import type { ViewContext } from '../view.js';
import { pagedTable } from './paged.js';

const STATES: BullState[] = ['wait', 'active', 'paused', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'];

/** Completed and failed counts at the last look, per queue, for the rates. */
const seen = new Map<string, { t: number; completed: number; failed: number }>();

function rate(q: BullQueue): string {
  const id = JSON.stringify(q.base);
  const now = Date.now();
  const before = seen.get(id);
  seen.set(id, { t: now, completed: q.counts.completed, failed: q.counts.failed });
  if (before === undefined || now <= before.t) return '…';
  const mins = (now - before.t) / 60000;
  return `${((q.counts.completed - before.completed) / mins).toFixed(1)} / ${((q.counts.failed - before.failed) / mins).toFixed(1)}`;
}

/** Runs an action; `after` redraws, and is handed the outcome so that a redraw replacing `out` can show it again. */
async function act(path: string, body: unknown, out: HTMLElement, after: (done: Node) => Promise<void>): Promise<void> {
  try {
    const r = await post<{ ok: boolean; message: string }>(path, body);
    if (!r.ok) {
      fill(out, errorBox(r.message));
      return;
    }
    const done = h('div', { class: 'ok' }, 'Done.');
    fill(out, done);
    await after(done);
  } catch (e) {
    fill(out, errorBox(e instanceof ApiFailure ? `${e.denied ? 'Not permitted: ' : ''}${e.message}` : String(e)));
  }
}

async function job(ctx: ViewContext, q: BullQueue, state: BullState, id: Bytes, into: HTMLElement, reload: (done: Node) => Promise<void>): Promise<void> {
  const j = await get<BullJob>('bullmq/job', { queue: queryBytes(q.base), id: queryBytes(id), db: ctx.db });
  if (!ctx.live()) return;
  const out = h('div');
  const field = (name: string) => j.fields.find(([f]) => f === name)?.[1] ?? null;
  const stack = field('stacktrace');
  let traces: string[] = [];
  try {
    traces = typeof stack === 'string' ? (JSON.parse(stack) as string[]) : [];
  } catch {
    traces = [];
  }
  const actions = state === 'failed' ? h('div', { class: 'bar' },
    h('button', { type: 'button', onclick: () => void act('bullmq/retry', { queue: q.base, id, db: ctx.db }, out, reload) }, 'Retry'),
    h('button', { type: 'button', class: 'plain', onclick: () => void act('bullmq/remove', { queue: q.base, id, db: ctx.db }, out, reload) }, 'Remove')) : null;
  fill(
    into,
    h('h3', null, 'Job ', bytes(j.id), ' ', h('span', { class: 'pill' }, state)),
    actions,
    out,
    table(['Field', 'Value'], j.fields.filter(([f]) => f !== 'stacktrace').map(([f, v]) => h('tr', null, td(bytes(f)), td(h('div', { class: 'mono' }, bytes(v)))))),
    traces.length > 0 ? [h('h3', null, 'Stack traces'), traces.map((t) => h('pre', { class: 'mono error' }, t))] : null,
    h('h3', null, `Logs (${j.logCount})`),
    j.logs.length === 0 ? h('p', { class: 'muted' }, 'none') : h('pre', { class: 'mono card' }, j.logs.map((l) => [bytes(l), '\n'])),
  );
}

/** A queue's jobs in one state; `done` is the outcome of the action that led to this redraw, kept in sight. */
async function jobs(ctx: ViewContext, q: BullQueue, state: BullState, into: HTMLElement, reloadQueues: () => Promise<void>, done: Node | null = null): Promise<void> {
  const detail = h('div');
  const list = await get<{ total: number; jobs: BullJobSummary[] }>('bullmq/jobs', { queue: queryBytes(q.base), state, db: ctx.db });
  if (!ctx.live()) return;
  const reload = async (outcome: Node) => {
    await reloadQueues();
    await jobs(ctx, q, state, into, reloadQueues, outcome);
  };
  fill(
    into,
    h('h3', null, bytes(q.base), `: ${state} (${num(list.total)}, newest ${list.jobs.length})`),
    done,
    table(['Id', 'Name', 'Created', 'Finished', '#Attempts', 'Progress', 'Failed reason'], list.jobs.map((j) =>
      h('tr', { class: 'pick', onclick: () => void job(ctx, q, state, j.id, detail, reload) },
        td(bytes(j.id)), td(bytes(j.name)), td(time(j.timestamp)), td(time(j.finishedOn)), tdNum(j.attemptsMade), td(bytes(j.progress)), td(bytes(j.failedReason))))),
    detail,
  );
}

/** BullMQ: queues found from BullMQ's keys, their counts and rates; jobs by state; a job's details; retry, remove, pause, resume. */
export async function bullmq(ctx: ViewContext): Promise<void> {
  const side = h('div');
  const holder = h('div');
  const out = h('div');
  const drawQueues = async () => {
    const list = await pagedTable<BullQueue>(ctx, 'bullmq', {}, ['Queue', ...STATES.map((s) => `#${s}`), 'Done/failed per min', ''], (q) =>
      h('tr', null,
        td(h('span', { class: 'mono' }, bytes(q.base)), q.paused ? [' ', h('span', { class: 'pill bad' }, 'paused')] : null),
        STATES.map((s) => h('td', { class: 'num' }, h('a', { href: '#', 'data-state': s, onclick: (e: Event) => { e.preventDefault(); void jobs(ctx, q, s, side, drawQueues); } }, num(q.counts[s])))),
        td(rate(q)),
        td(h('button', { type: 'button', class: 'plain', onclick: () => void act('bullmq/pause', { queue: q.base, pause: !q.paused, db: ctx.db }, out, drawQueues) }, q.paused ? 'Resume' : 'Pause'))));
    if (ctx.live()) fill(holder, list);
  };
  fill(ctx.main, h('h2', null, 'BullMQ'), h('p', { class: 'muted' }, 'Queues found from the meta hashes BullMQ writes (any prefix). Click a count to list its jobs.'), out, holder, side);
  await drawQueues();
}
