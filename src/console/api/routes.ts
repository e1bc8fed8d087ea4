import { fromBytes, fromQuery } from '../bytes.js';
import type { ConsoleHost } from '../host.js';
import type { Session } from '../session.js';
import type { Sample } from '../web/types.js';
import { bullJob, bullJobs, bullPause, bullQueues, bullRemove, bullRetry } from './bullmq.js';
import { BadRequest, cursorParam, intParam, required } from './common.js';
import { diagnostics } from './diagnostics.js';
import { key, keys, TYPES } from './keys.js';
import { overview } from './overview.js';
import { pubsub } from './pubsub.js';
import { queues } from './queues.js';
import { pending, range, stream, streams } from './streams.js';

/** What a handler gets: the session, the query, the parsed body of a POST, the server. */
export interface Request {
  s: Session;
  q: URLSearchParams;
  body: Record<string, unknown>;
  host: ConsoleHost;
  history: readonly Sample[];
}

type Handler = (r: Request) => Promise<unknown>;

/** The databases a request may name; SELECT itself refuses what the server has not got. */
const MAX_DB = 1 << 20;

const db = (q: URLSearchParams) => intParam(q, 'db', 0, MAX_DB);
const keyParam = (q: URLSearchParams, name = 'k') => required(fromQuery(q.get(name)), name);
const bodyKey = (body: Record<string, unknown>, name: string) => required(fromBytes(body[name]), name);
const bodyDb = (body: Record<string, unknown>) => (typeof body.db === 'number' && Number.isInteger(body.db) && body.db >= 0 && body.db < MAX_DB ? body.db : 0);

function bodyId(body: Record<string, unknown>): string {
  const id = fromBytes(body.id);
  if (id === null || id === '') throw new BadRequest('missing job id');
  return id;
}

function typeParam(q: URLSearchParams): string | null {
  const t = q.get('type');
  if (t === null || t === '') return null;
  if (!(TYPES as readonly string[]).includes(t)) throw new BadRequest('unknown type');
  return t;
}

/** The reads: GET /api/<name>. Each runs its commands as the session's user. */
export const READS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['overview', async ({ s, history }) => overview(s, history)],
  ['pubsub', async ({ s, host }) => pubsub(s, host)],
  ['streams', async ({ s, q }) => streams(s, cursorParam(q), db(q))],
  ['stream', async ({ s, q }) => stream(s, keyParam(q), db(q))],
  ['stream/pending', async ({ s, q }) => pending(s, keyParam(q), keyParam(q, 'group'), fromQuery(q.get('consumer')), db(q))],
  ['stream/range', async ({ s, q }) => range(s, keyParam(q), q.get('start') ?? '-', q.get('end') ?? '+', intParam(q, 'count', 50, 200), q.get('rev') === '1', db(q))],
  ['queues', async ({ s, q, host }) => queues(s, host, cursorParam(q), db(q))],
  ['bullmq', async ({ s, q }) => bullQueues(s, cursorParam(q), db(q))],
  ['bullmq/jobs', async ({ s, q }) => bullJobs(s, keyParam(q, 'queue'), q.get('state'), intParam(q, 'start', 0, 1 << 30), db(q))],
  ['bullmq/job', async ({ s, q }) => bullJob(s, keyParam(q, 'queue'), keyParam(q, 'id'), db(q))],
  ['keys', async ({ s, q }) => keys(s, cursorParam(q), q.get('pattern'), typeParam(q), db(q))],
  ['key', async ({ s, q }) => key(s, keyParam(q), db(q), intParam(q, 'offset', 0, 1 << 30), cursorParam(q))],
  ['diagnostics', async ({ s }) => diagnostics(s)],
]);

/** The actions: POST /api/<name>, each checked for its CSRF token and origin first. */
export const ACTIONS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['bullmq/retry', async ({ s, body }) => bullRetry(s, bodyKey(body, 'queue'), bodyId(body), bodyDb(body))],
  ['bullmq/remove', async ({ s, body }) => bullRemove(s, bodyKey(body, 'queue'), bodyId(body), bodyDb(body))],
  ['bullmq/pause', async ({ s, body }) => bullPause(s, bodyKey(body, 'queue'), body.pause === true, bodyDb(body))],
]);
